/**
 * Model checkpoints: encoder weights, optional task heads, optimizer moments, step and the run's settings in
 * one safetensors file, written atomically (a kill mid-write leaves the previous checkpoint intact).
 */
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError } from '@bioscan5m/core';
import type { EncoderConfig, ParamMap } from './encoder.js';
import { readSafetensors, writeSafetensors, type NamedArray } from './safetensors.js';

export interface Checkpoint {
  config: EncoderConfig;
  params: ParamMap;
  /** Head parameters (MLM head, classifier), by name. */
  head: ParamMap;
  step: number;
  optimizer: Map<string, tf.Tensor>;
  meta: Record<string, unknown>;
}

const FORMAT = 'bioscan5m-dna-encoder/1';

export function saveCheckpoint(
  file: string,
  ck: { config: EncoderConfig; params: ParamMap; head?: ParamMap; step?: number; optimizer?: Map<string, tf.Tensor>; meta?: Record<string, unknown> },
): void {
  const tensors = new Map<string, NamedArray>();
  const add = (prefix: string, m: Map<string, tf.Tensor>) => {
    for (const [name, t] of m) tensors.set(prefix + name, { data: t.dataSync() as Float32Array, shape: t.shape });
  };
  add('encoder/', ck.params);
  if (ck.head) add('head/', ck.head);
  if (ck.optimizer) add('optim/', ck.optimizer);
  writeSafetensors(file, tensors, {
    format: FORMAT,
    config: JSON.stringify(ck.config),
    step: String(ck.step ?? 0),
    meta: JSON.stringify(ck.meta ?? {}),
  });
}

export function loadCheckpoint(file: string): Checkpoint {
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== FORMAT) throw new Bioscan5mError(`${file}: not a bioscan5m DNA encoder checkpoint (format ${metadata.format ?? 'missing'})`, 'BIOSCAN5M_INPUT');
  const config = JSON.parse(metadata.config) as EncoderConfig;
  const params: ParamMap = new Map();
  const head: ParamMap = new Map();
  const optimizer = new Map<string, tf.Tensor>();
  for (const [name, t] of tensors) {
    const slash = name.indexOf('/');
    const group = name.slice(0, slash);
    const key = name.slice(slash + 1);
    const tensor = tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32');
    if (group === 'optim') optimizer.set(key, tensor);
    else {
      const v = tf.variable(tensor, true, `${group}.${key}_${Math.random().toString(36).slice(2)}`);
      tensor.dispose();
      (group === 'encoder' ? params : head).set(key, v);
    }
  }
  return { config, params, head, step: Number(metadata.step ?? 0), optimizer, meta: JSON.parse(metadata.meta ?? '{}') };
}
