import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Bioscan5mError, createRng, readNpy } from '@bioscan5m/core';
import { createDnaEncoder } from '../encoder/create.js';
import { encoderConfig, encoderParamShapes, initParams } from '../model/encoder.js';
import { saveCheckpoint } from '../model/checkpoint.js';
import { runIdentifyJob } from '../identify/files.js';
import { runDnaEmbedJob } from './embed-job.js';
import { runExportOnnxJob } from './export-onnx-job.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tinyBert = fileURLToPath(new URL('../onnx/fixtures/tiny-bert-k4.onnx', import.meta.url));

const rng = createRng(3);
const dnaSeq = (n: number) => Array.from({ length: n }, () => 'ACGT'[rng.int(0, 3)]).join('');

describe('runDnaEmbedJob / runExportOnnxJob', () => {
  const data = path.join(dir, 'barcodes.csv');
  const rows = [dnaSeq(658), '---NNN---', dnaSeq(700), '', dnaSeq(300).toLowerCase(), 'xyz', dnaSeq(658)];
  writeFileSync(data, 'record_id,species,dna_barcode\n' + rows.map((s, i) => `r${i},S${i},${s}`).join('\n') + '\n');

  it('embeds the usable rows with an external ONNX encoder, skipping and counting the rest', async () => {
    const out = path.join(dir, 'emb.npy');
    const progress: number[] = [];
    const s = await runDnaEmbedJob({
      encoder: { kind: 'onnx', model: tinyBert, k: 4 },
      data,
      out,
      onProgress: (d) => progress.push(d),
    });
    expect(s.sequences).toMatchObject({ rows: 7, used: 4, skipped: 3, truncated: 1, maxLen: 660 });
    expect(s.sequences.firstSkipped.map((x) => x.line)).toEqual([3, 5, 7]);
    expect(s.engine).toBe('onnxruntime');
    const npy = readNpy(out);
    expect(npy.shape).toEqual([4, s.dim]);
    expect(progress.at(-1)).toBe(4);
    // Row 2 of the output is the lower-case barcode, embedded as its upper-case form (one barcode rule).
    const enc = await createDnaEncoder({ kind: 'onnx', model: tinyBert, k: 4 });
    const ref = await enc.embed([rows[4].toUpperCase()]);
    await enc.dispose();
    const row2 = npy.data.subarray(2 * s.dim, 3 * s.dim);
    ref.data.forEach((v, j) => expect(Math.abs(v - row2[j])).toBeLessThan(1e-5));
  });

  it('a checkpoint embeds the same through its ONNX export, in memory or from the exported file', async () => {
    const cfg = encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 });
    const ck = path.join(dir, 'enc.safetensors');
    saveCheckpoint(ck, { config: cfg, params: initParams(encoderParamShapes(cfg), 5) });
    const onnx = path.join(dir, 'enc.onnx');
    const x = await runExportOnnxJob({ checkpoint: ck, out: onnx });
    expect(x.config).toEqual(cfg);
    expect(x.bytes).toBeGreaterThan(1000);
    const a = await runDnaEmbedJob({
      encoder: { kind: 'checkpoint', checkpoint: ck },
      data,
      out: path.join(dir, 'a.npy'),
    });
    const b = await runDnaEmbedJob({ encoder: { kind: 'onnx', model: onnx }, data, out: path.join(dir, 'b.npy') });
    const c = await runDnaEmbedJob({
      encoder: { kind: 'checkpoint', checkpoint: ck, engine: 'tfjs' },
      data,
      out: path.join(dir, 'c.npy'),
    });
    expect([a.dim, b.dim, c.dim]).toEqual([16, 16, 16]);
    const [ea, eb, ec] = ['a', 'b', 'c'].map((n) => readNpy(path.join(dir, `${n}.npy`)).data);
    for (let i = 0; i < ea.length; i++) {
      expect(ea[i]).toBe(eb[i]);
      expect(Math.abs(ea[i] - ec[i])).toBeLessThan(1e-4);
    }
  });

  it('stops on an aborted signal with an interrupted error and no output', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const out = path.join(dir, 'never.npy');
    const err = await runDnaEmbedJob({
      encoder: { kind: 'onnx', model: tinyBert, k: 4 },
      data,
      out,
      signal: ctl.signal,
    }).catch((e: unknown) => e);
    expect(Bioscan5mError.isInstance(err) && err.code).toBe('BIOSCAN5M_INTERRUPTED');
    expect(existsSync(out)).toBe(false);
    const ref = path.join(dir, 'ref.csv');
    writeFileSync(
      ref,
      'record_id,genus,species,dna_barcode\n' +
        Array.from({ length: 30 }, (_, i) => `x${i},G,S${i % 5},${dnaSeq(658)}`).join('\n') +
        '\n',
    );
    const pred = path.join(dir, 'pred.csv');
    const e2 = await runIdentifyJob({ reference: ref, queries: ref, out: pred, signal: ctl.signal }).catch(
      (e: unknown) => e,
    );
    expect(Bioscan5mError.isInstance(e2) && e2.code).toBe('BIOSCAN5M_INTERRUPTED');
    expect(readdirSync(dir).filter((f) => f.startsWith('pred'))).toEqual([]);
  });
});
