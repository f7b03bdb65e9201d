import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { encoderConfig, encoderParamShapes, initParams } from '../model/encoder.js';
import { embedSequences } from '../heads/embed.js';
import { tensorArrays } from '../model/checkpoint.js';
import { exportEncoderOnnx } from './export.js';
import { createOnnxDnaEncoder } from './onnx-encoder.js';

const golden = JSON.parse(readFileSync(new URL('../tokenizer/golden-tokens.json', import.meta.url), 'utf8')) as {
  sequences: string[];
};
const seqs = golden.sequences.slice(0, 10);
const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-onnx-'));

describe('ONNX export and onnxruntime embedding', () => {
  beforeAll(async () => {
    await initBackend();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exported encoder reproduces the tfjs embeddings within 1e-4', async () => {
    const cfg = encoderConfig({ k: 5, layers: 2, heads: 4, hidden: 32, intermediate: 64 });
    const params = initParams(encoderParamShapes(cfg), 21);
    // Larger-than-init weights so that attention and GELU are far from linear.
    for (const [name, v] of params) if (name.endsWith('.w')) v.assign(v.mul(10));
    const file = path.join(dir, 'enc.onnx');
    await exportEncoderOnnx(file, cfg, tensorArrays(params));
    expect(existsSync(file)).toBe(true);
    const ref = embedSequences(cfg, params, seqs, { batchSize: 4 });
    const enc = await createOnnxDnaEncoder(file, { batchSize: 3 }); // k and max_len come from the model's metadata
    expect(enc.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(enc.outputNames).toContain('pooled_embedding');
    expect(enc.dim).toBe(32);
    expect(enc.modality).toBe('dna');
    const { data, rows, dim } = await enc.embed(seqs);
    expect([rows, dim]).toEqual([seqs.length, 32]);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - data[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(ref, Math.abs))).toBeGreaterThan(0.1);
    await enc.dispose();
    await enc.dispose(); // twice is safe
    await expect(enc.embed(seqs)).rejects.toThrow(/after dispose/);
  });

  it('CLIBD-style tokenizer settings travel in the metadata', async () => {
    const cfg = encoderConfig({ k: 5, layers: 1, heads: 2, hidden: 8, intermediate: 16, prependCls: true });
    expect(cfg.maxTokens).toBe(133);
    const params = initParams(encoderParamShapes(cfg), 3);
    const file = path.join(dir, 'clibd.onnx');
    await exportEncoderOnnx(file, cfg, tensorArrays(params));
    const enc = await createOnnxDnaEncoder(file);
    expect(enc.tokenizerOptions).toMatchObject({ k: 5, maxLen: 660, prependCls: true });
    const ref = embedSequences(cfg, params, seqs.slice(0, 2));
    const { data } = await enc.embed(seqs.slice(0, 2));
    for (let i = 0; i < ref.length; i++) expect(Math.abs(ref[i] - data[i])).toBeLessThan(1e-4);
    await enc.dispose();
  });

  it('a missing or broken model file is a clear error', async () => {
    await expect(createOnnxDnaEncoder(path.join(dir, 'missing.onnx'))).rejects.toThrow(
      /missing\.onnx: cannot read ONNX model \(ENOENT\)/,
    );
    const bad = path.join(dir, 'bad.onnx');
    writeFileSync(bad, 'not an onnx model');
    await expect(createOnnxDnaEncoder(bad)).rejects.toThrow(/bad\.onnx: cannot load ONNX model/);
  });
});
