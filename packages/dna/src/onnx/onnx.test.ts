import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { loadOrt } from '../engines.js';
import { encoderConfig, encoderForward, encoderParamShapes, encoderPooled, initParams } from '../model/encoder.js';
import { embedSequences } from '../heads/embed.js';
import { tensorArrays } from '../model/checkpoint.js';
import { encoderToOnnx, exportEncoderOnnx } from './export.js';
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

  it('last_hidden_state and pooled_embedding match the tfjs encoder with padding, at two token lengths', async () => {
    const cfg = encoderConfig({ k: 4, layers: 2, heads: 2, hidden: 16, intermediate: 32 });
    const params = initParams(encoderParamShapes(cfg), 5);
    for (const [name, v] of params) if (name.endsWith('.w')) v.assign(v.mul(10));
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(await encoderToOnnx(cfg, tensorArrays(params)));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['last_hidden_state', 'pooled_embedding']);
    const batch = 3;
    for (const tokens of [9, 23]) {
      // Row 0 is full, rows 1 and 2 end in padding (mask 0, pad id 0).
      const lengths = [tokens, tokens - 4, 2];
      const ids = new Int32Array(batch * tokens);
      const attentionMask = new Int32Array(batch * tokens);
      for (let b = 0; b < batch; b++)
        for (let t = 0; t < lengths[b]; t++) {
          ids[b * tokens + t] = 2 + ((b * 97 + t * 31) % (cfg.vocabSize - 2));
          attentionMask[b * tokens + t] = 1;
        }
      const int64 = (a: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [batch, tokens]);
      const out = await session.run({ input_ids: int64(ids), attention_mask: int64(attentionMask) });
      expect(out.last_hidden_state.dims).toEqual([batch, tokens, 16]);
      expect(out.pooled_embedding.dims).toEqual([batch, 16]);
      const input = { ids, attentionMask, batch };
      const [hidden, pooled] = tf.tidy(() => [
        encoderForward(cfg, params, input).dataSync(),
        encoderPooled(cfg, params, input).dataSync(),
      ]);
      const worst = (ref: ArrayLike<number>, got: ArrayLike<number>) => {
        let w = 0;
        for (let i = 0; i < ref.length; i++) w = Math.max(w, Math.abs(ref[i] - Number(got[i])));
        return w;
      };
      expect(worst(hidden, out.last_hidden_state.data as Float32Array)).toBeLessThan(1e-4);
      expect(worst(pooled, out.pooled_embedding.data as Float32Array)).toBeLessThan(1e-4);
      // Padding changes the answer (the mask is not being ignored): row 2 differs from its unmasked self.
      const unmasked = await session.run({ input_ids: int64(ids), attention_mask: int64(attentionMask.fill(1)) });
      expect(
        worst(pooled.subarray(32, 48), (unmasked.pooled_embedding.data as Float32Array).subarray(32, 48)),
      ).toBeGreaterThan(1e-2);
    }
    await session.release();
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
