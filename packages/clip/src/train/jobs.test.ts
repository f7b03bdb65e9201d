import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '@bioscan5m/core';
import { writePairedFiles } from '../io/paired-files.js';
import { runClipEvalJob } from '../retrieval/eval-job.js';
import { runClipEmbedJob, runClipTrainJob } from './jobs.js';
import { selectRows } from './paired-data.js';
import { syntheticPairs } from './synthetic-pairs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'clip-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const all = syntheticPairs({ seed: 2, dims: { image: 64, dna: 48, text: 0 } });
const pick = (f: (s: string) => boolean) =>
  selectRows(
    all,
    all.split.map((s, i) => (f(s) ? i : -1)).filter((i) => i >= 0),
  );
const files = writePairedFiles(all, tmp, 'all');
const keyFiles = writePairedFiles(
  pick((s) => s === 'train' || s === 'key_unseen'),
  tmp,
  'keys',
);
const queryFiles = writePairedFiles(
  pick((s) => s.startsWith('test')),
  tmp,
  'queries',
);

describe('runClipTrainJob / runClipEmbedJob', () => {
  it('trains on the train rows with text features made from the labels, embeds every modality, and the aligned image->DNA search beats chance', async () => {
    const ck = path.join(tmp, 'ck.safetensors');
    const progress: number[] = [];
    const s = await runClipTrainJob({
      labels: files.labels,
      features: files.features,
      text: { kind: 'tokens' },
      steps: 120,
      batchSize: 64,
      dim: 32,
      lr: 3e-3,
      checkpoint: ck,
      onProgress: (d) => progress.push(d),
    });
    expect(s.trainRows).toBe(all.split.filter((x) => x === 'train').length);
    expect(s.modalities.sort()).toEqual(['dna', 'image', 'text']);
    expect(s.lastLoss!).toBeLessThan(s.firstLoss!);
    expect(progress[progress.length - 1]).toBe(120);
    const out = (n: string) => path.join(tmp, n);
    await runClipEmbedJob({ checkpoint: ck, modality: 'dna', features: keyFiles.features.dna, out: out('k-dna.npy') });
    await runClipEmbedJob({
      checkpoint: ck,
      modality: 'image',
      features: queryFiles.features.image,
      out: out('q-img.npy'),
    });
    const text = await runClipEmbedJob({
      checkpoint: ck,
      modality: 'text',
      labels: keyFiles.labels,
      out: out('k-text.npy'),
    });
    expect(text).toMatchObject({ dim: 32, modality: 'text' });
    const npy = readNpy(out('k-text.npy'));
    expect(npy.shape).toEqual([text.rows, 32]);
    let norm = 0;
    for (let j = 0; j < 32; j++) norm += (npy.data[j] as number) ** 2;
    expect(norm).toBeCloseTo(1, 5);
    const ev = await runClipEvalJob({
      keys: out('k-dna.npy'),
      keyLabels: keyFiles.labels,
      queries: out('q-img.npy'),
      queryLabels: queryFiles.labels,
      search: 'exact',
      ks: [1],
    });
    const genusSeen = ev.rows.find((r) => r.rank === 'genus' && r.set === 'seen')!;
    // 36 genera: chance is under 3 %.
    expect(genusSeen.macro!).toBeGreaterThan(30);
    // Image -> text keys: the labels' own text.
    const ev2 = await runClipEvalJob({
      keys: out('k-text.npy'),
      keyLabels: keyFiles.labels,
      queries: out('q-img.npy'),
      queryLabels: queryFiles.labels,
      search: 'exact',
      ks: [1],
    });
    expect(ev2.rows.find((r) => r.rank === 'genus' && r.set === 'seen')!.macro!).toBeGreaterThan(30);
  });

  it('refuses to overwrite a checkpoint without resume, an output that is an input, and misaligned files', async () => {
    const ck = path.join(tmp, 'ck2.safetensors');
    writeFileSync(ck, 'x');
    await expect(
      runClipTrainJob({ labels: files.labels, features: files.features, steps: 1, checkpoint: ck }),
    ).rejects.toThrow(/ck2\.safetensors: exists; pass resume/);
    await expect(
      runClipTrainJob({ labels: files.labels, features: files.features, steps: 1, checkpoint: files.labels }),
    ).rejects.toThrow(/is the same file as the input/);
    await expect(
      runClipTrainJob({
        labels: keyFiles.labels,
        features: files.features,
        steps: 1,
        checkpoint: path.join(tmp, 'ck3.safetensors'),
      }),
    ).rejects.toThrow(/all-image\.npy has \d+ embedding rows but .*keys-labels\.csv has \d+ label rows/);
    await expect(
      runClipEmbedJob({
        checkpoint: path.join(tmp, 'ck.safetensors'),
        modality: 'dna',
        features: keyFiles.features.dna,
        out: keyFiles.features.dna!,
      }),
    ).rejects.toThrow(/is the same file as the input/);
    await expect(
      runClipEmbedJob({
        checkpoint: path.join(tmp, 'ck.safetensors'),
        modality: 'dna',
        features: keyFiles.features.image,
        out: path.join(tmp, 'x.npy'),
      }),
    ).rejects.toThrow(/64 feature dimensions, the dna head expects 48/);
  });
});
