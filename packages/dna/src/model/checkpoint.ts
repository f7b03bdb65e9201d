/**
 * Model checkpoints as tfjs variables: encoder weights, optional task heads, optimizer moments, step and the run's
 * settings in one safetensors file (checkpoint-file.ts), written atomically (a kill mid-write leaves the previous
 * checkpoint intact).
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderConfig, ParamMap } from './encoder.js';
import type { Checkpoint as PublicCheckpoint } from './public-types.js';
import { readCheckpointFile, writeCheckpointFile, type WeightArrays } from './checkpoint-file.js';

/** The public Checkpoint with its tensors as the tfjs variables and tensors they are. */
export interface Checkpoint extends Omit<PublicCheckpoint, 'params' | 'head' | 'optimizer'> {
  params: ParamMap;
  head: ParamMap;
  optimizer: Map<string, tf.Tensor>;
}

/** tfjs tensors as plain arrays (for checkpoints and the ONNX exporter). */
export function tensorArrays(m: ReadonlyMap<string, tf.Tensor>): WeightArrays {
  const out: WeightArrays = new Map();
  for (const [name, t] of m) out.set(name, { data: t.dataSync() as Float32Array, shape: t.shape });
  return out;
}

export function saveCheckpoint(
  file: string,
  ck: {
    config: EncoderConfig;
    params: ParamMap;
    head?: ParamMap;
    step?: number;
    optimizer?: Map<string, tf.Tensor>;
    meta?: Record<string, unknown>;
  },
): void {
  writeCheckpointFile(file, {
    config: ck.config,
    encoder: tensorArrays(ck.params),
    head: ck.head && tensorArrays(ck.head),
    optimizer: ck.optimizer && tensorArrays(ck.optimizer),
    step: ck.step,
    meta: ck.meta,
  });
}

export function loadCheckpoint(file: string): Checkpoint {
  const ck = readCheckpointFile(file);
  const variables = (group: string, m: WeightArrays): ParamMap => {
    const out: ParamMap = new Map();
    for (const [key, t] of m) {
      const tensor = tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32');
      out.set(key, tf.variable(tensor, true, `${group}.${key}_${Math.random().toString(36).slice(2)}`));
      tensor.dispose();
    }
    return out;
  };
  const optimizer = new Map<string, tf.Tensor>();
  for (const [key, t] of ck.optimizer)
    optimizer.set(key, tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32'));
  return {
    config: ck.config,
    params: variables('encoder', ck.encoder),
    head: variables('head', ck.head),
    step: ck.step,
    optimizer,
    meta: ck.meta,
  };
}
