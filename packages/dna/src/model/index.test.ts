// The public boundary of @bioscan5m/dna/model: engine-neutral types in, tfjs tensors at run time, and anything
// that is not a tfjs tensor refused by name rather than failing deep inside tfjs.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bioscan5mError } from '@bioscan5m/core';
import * as model from './index.js';
import type { ModelVariable, ParamMap } from './index.js';

const cfg = model.encoderConfig({ k: 4, layers: 1, heads: 2, hidden: 8, intermediate: 16 });
const input = {
  ids: new Int32Array(2 * cfg.maxTokens).fill(5),
  attentionMask: new Int32Array(2 * cfg.maxTokens),
  batch: 2,
};
input.attentionMask.fill(1, 0, 10).fill(1, cfg.maxTokens, cfg.maxTokens + 4);
const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-model-entry-'));

describe('@bioscan5m/dna/model entry', () => {
  beforeAll(async () => {
    await model.initBackend();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('its own tensors go back in as they are: init, forward, checkpoint round trip', () => {
    const params = model.initParams(model.encoderParamShapes(cfg), 3);
    const live = tf.memory().numTensors;
    const pooled = model.tidy(() => model.encoderPooled(cfg, params, input));
    expect(tf.memory().numTensors).toBe(live + 1); // tidy kept the result only
    expect(pooled.shape).toEqual([2, cfg.hidden]);
    expect(pooled.dtype).toBe('float32');
    const before = Array.from(pooled.dataSync() as Float32Array);
    expect(before.every(Number.isFinite)).toBe(true);
    pooled.dispose();
    const file = path.join(dir, 'ck.safetensors');
    model.saveCheckpoint(file, { config: cfg, params, step: 4 });
    const ck = model.loadCheckpoint(file);
    expect(ck.step).toBe(4);
    const again = model.tidy(() => model.encoderPooled(cfg, ck.params, input));
    expect(Array.from(again.dataSync() as Float32Array)).toEqual(before);
    again.dispose();
    model.disposeParams(params);
    model.disposeParams(ck.params);
  });

  it('tfjs tensors of the caller pass in (ops compose with tfjs)', () => {
    const y = tf.tidy(() => {
      const out = model.dense(tf.tensor2d([[1, 2]]), tf.tensor2d([[1], [10]]), tf.tensor1d([0.5]));
      return tf.add(out as unknown as tf.Tensor, 1);
    });
    expect(Array.from(y.dataSync())).toEqual([22.5]);
    y.dispose();
  });

  it('refuses what is not a tensor of the engine, naming the argument and the parameter', () => {
    const fake = { shape: [8], dtype: 'float32', size: 8, rank: 1, isDisposed: false, name: 'x', trainable: true };
    const params: ParamMap = new Map([['embeddings.word', fake as unknown as ModelVariable]]);
    const err = (() => {
      try {
        model.encoderPooled(cfg, params, input);
      } catch (e) {
        return e;
      }
    })();
    expect(Bioscan5mError.isInstance(err)).toBe(true);
    expect((err as Error).message).toBe(
      "params 'embeddings.word' is not a tensor of the model engine (tfjs); got Object",
    );
    expect(() => model.sparseCrossEntropy(fake as never, new Int32Array(1))).toThrow(/^logits is not a tensor/);
    // An optimizer updates its parameters in place: a plain (non-variable) tensor is refused there.
    const plain = tf.zeros([2]);
    expect(() => model.createAdamW(new Map([['w', plain as unknown as ModelVariable]]))).toThrow(
      "params 'w' (a trainable variable) is not a tensor of the model engine (tfjs); got Tensor",
    );
    plain.dispose();
  });
});
