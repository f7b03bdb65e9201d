import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../test-support.js';

const golden = fileURLToPath(new URL('../../../../packages/clip/src/retrieval/__golden__/', import.meta.url));
const files = [
  '--keys',
  path.join(golden, 'keys.npy'),
  '--key-labels',
  path.join(golden, 'key-labels.csv'),
  '--queries',
  path.join(golden, 'queries.npy'),
  '--query-labels',
  path.join(golden, 'query-labels.csv'),
];

describe('bioscan5m clip eval', () => {
  it('--json: rows of rank, k, set, micro, macro and the harmonic mean per rank and k', async () => {
    const r = await run(['clip', 'eval', ...files, '--json', '--search', 'exact']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.rows).toHaveLength(4 * 3 * 2);
    expect(j.rows[0]).toMatchObject({ rank: 'order', k: 1, set: 'seen' });
    expect(j.harmonicMean).toHaveLength(12);
    const s = j.rows.find(
      (x: { rank: string; k: number; set: string }) => x.rank === 'species' && x.k === 1 && x.set === 'seen',
    );
    const u = j.rows.find(
      (x: { rank: string; k: number; set: string }) => x.rank === 'species' && x.k === 1 && x.set === 'unseen',
    );
    const h = j.harmonicMean.find((x: { rank: string; k: number }) => x.rank === 'species' && x.k === 1);
    expect(h.macro).toBeCloseTo((2 * s.macro * u.macro) / (s.macro + u.macro), 10);
    expect(j.queries).toMatchObject({ rows: 398, seen: 300, unseen: 98 });
  });

  it('prints the Table 5 layout (seen / unseen / H.M. per rank)', async () => {
    const r = await run(['clip', 'eval', ...files, '--k', '1', '--rank', 'genus', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/macro top-1 accuracy \(%\)\nrank +Seen +Unseen +H\.M\.\ngenus +\d+\.\d +\d+\.\d +\d+\.\d/);
    expect(r.out).not.toContain('top-3');
  });

  it('bad flags and mismatched files are one clear line', async () => {
    const bad = await run(['clip', 'eval', ...files, '--search', 'hnsw']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      "option '--search <engine>' argument 'hnsw' is invalid. expected one of 'auto', 'onnx', 'exact', 'faiss'",
    );
    const mism = await run([
      'clip',
      'eval',
      ...files.slice(0, 6),
      '--query-labels',
      path.join(golden, 'key-labels.csv'),
      '--quiet',
    ]);
    expect(mism.code).toBe(1);
    expect(mism.err).toMatch(/queries\.npy has 398 embedding rows but .*key-labels\.csv has 1283 label rows/);
    expect(mism.err).not.toContain('    at ');
  });
});

describe('bioscan5m clip train / embed', () => {
  it('trains on a paired set, embeds, and refuses bad flags', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { syntheticPairs, writePairedFiles } = await import('@bioscan5m/clip');
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-clip-'));
    try {
      const f = writePairedFiles(syntheticPairs({ seed: 4, dims: { image: 32, dna: 24, text: 0 } }), dir, 'p');
      const ck = path.join(dir, 'ck.safetensors');
      const r = await run([
        'clip',
        'train',
        '--labels',
        f.labels,
        '--image-features',
        f.features.image!,
        '--dna-features',
        f.features.dna!,
        '--text',
        'tokens',
        '--dim',
        '16',
        '--steps',
        '20',
        '--batch',
        '32',
        '--checkpoint',
        ck,
        '--json',
      ]);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.out);
      expect(s).toMatchObject({ steps: 20, startStep: 0, modalities: ['image', 'dna', 'text'] });
      const again = await run([
        'clip',
        'train',
        '--labels',
        f.labels,
        '--image-features',
        f.features.image!,
        '--checkpoint',
        ck,
        '--quiet',
      ]);
      expect(again.code).toBe(1);
      expect(again.err).toContain('ck.safetensors: exists; pass resume');
      const e = await run([
        'clip',
        'embed',
        '--checkpoint',
        ck,
        '--modality',
        'image',
        '--features',
        f.features.image!,
        '--out',
        path.join(dir, 'img.npy'),
      ]);
      expect(e.code).toBe(0);
      expect(e.out).toMatch(/wrote \d+ image embeddings of 16 dims/);
      const bad = await run([
        'clip',
        'train',
        '--labels',
        f.labels,
        '--image-features',
        f.features.image!,
        '--dna-features',
        f.features.dna!,
        '--pairs',
        'image-rna',
        '--checkpoint',
        path.join(dir, 'x.safetensors'),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain("--pairs: expected pairs like image-dna,image-text,dna-text, got 'image-rna'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bioscan5m clip train --dna-encoder / clip lora', () => {
  it('trains LoRA adapters on a DNA encoder checkpoint and writes adapters and the merged encoder', async () => {
    const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createRng, createTableWriter, writeNpy } = await import('@bioscan5m/core');
    const { encoderConfig, encoderParamShapes, initBackend, initParams, saveCheckpoint } =
      await import('@bioscan5m/dna/model');
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-clip-lora-'));
    try {
      await initBackend();
      const cfg = encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32, maxLen: 64 });
      const base = path.join(dir, 'dna.safetensors');
      saveCheckpoint(base, { config: cfg, params: initParams(encoderParamShapes(cfg), 1) });
      const rng = createRng(2);
      const labels = path.join(dir, 'pairs.csv');
      const w = createTableWriter(labels, ['order', 'family', 'genus', 'species', 'dna_barcode', 'split']);
      const img = new Float32Array(40 * 8);
      for (let i = 0; i < 40; i++) {
        w.write([
          'O',
          'F',
          `G${i % 4}`,
          `G${i % 4} s${i % 8}`,
          Array.from({ length: 64 }, () => 'ACGT'[rng.int(0, 3)]).join(''),
          'train',
        ]);
        for (let j = 0; j < 8; j++) img[i * 8 + j] = (i % 8) + rng.normal();
      }
      w.close();
      writeNpy(path.join(dir, 'img.npy'), img, [40, 8]);
      const ck = path.join(dir, 'clip.safetensors');
      const r = await run([
        'clip',
        'train',
        '--labels',
        labels,
        '--image-features',
        path.join(dir, 'img.npy'),
        '--dna-encoder',
        base,
        '--dim',
        '8',
        '--steps',
        '4',
        '--batch',
        '16',
        '--checkpoint',
        ck,
        '--quiet',
      ]);
      expect(r.code, r.err).toBe(0);
      const l = await run([
        'clip',
        'lora',
        '--checkpoint',
        ck,
        '--dna-encoder',
        base,
        '--adapters-out',
        path.join(dir, 'a.safetensors'),
        '--merged-out',
        path.join(dir, 'm.safetensors'),
      ]);
      expect(l.code, l.err).toBe(0);
      expect(l.out).toContain('LoRA rank 4, alpha 4, 4 adapter tensors');
      expect(existsSync(path.join(dir, 'm.safetensors'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
