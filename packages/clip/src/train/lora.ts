/**
 * LoRA (Hu et al. 2021) on the attention query and value projections of every layer of our BarcodeBERT-style tfjs
 * encoder (@bioscan5m/dna/model), as CLIBD adapts its encoders (rank 4, Q and V). The encoder keeps Q, K, V in
 * one fused [hidden, 3 * hidden] matrix (`layer{l}.qkv.w`, x W form), so the update is
 * W + [A_q B_q, 0, A_v B_v] * alpha / rank with A [hidden, rank] (uniform +-1/sqrt(hidden), as peft's
 * kaiming_uniform(a=sqrt(5))) and B [rank, hidden] zero: training starts from the base model exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@bioscan5m/core';
import type { EncoderConfig } from '@bioscan5m/dna/model';
import type { TfParamMap as ParamMap } from './dna-model-tf.js';

export interface LoraSettings {
  rank: number;
  alpha: number;
}

export const LORA_TARGETS = ['q', 'v'] as const;

/** Adapter variables by name: `layer{l}.{q|v}.A`, `layer{l}.{q|v}.B`. */
export type LoraParams = Map<string, tf.Variable>;

export function loraShapes(cfg: EncoderConfig, s: LoraSettings): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (let l = 0; l < cfg.layers; l++) {
    for (const t of LORA_TARGETS)
      out.push([`layer${l}.${t}.A`, [cfg.hidden, s.rank]], [`layer${l}.${t}.B`, [s.rank, cfg.hidden]]);
  }
  return out;
}

export function initLoraArrays(
  cfg: EncoderConfig,
  s: LoraSettings,
  seed: number,
): Map<string, { data: Float32Array; shape: number[] }> {
  const rng = createRng(seed);
  const bound = 1 / Math.sqrt(cfg.hidden);
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [name, shape] of loraShapes(cfg, s)) {
    const n = shape[0] * shape[1];
    out.set(name, {
      data: name.endsWith('.A')
        ? Float32Array.from({ length: n }, () => (2 * rng.random() - 1) * bound)
        : new Float32Array(n),
      shape,
    });
  }
  return out;
}

/** The [hidden, 3 * hidden] update of layer l's fused QKV matrix. */
export function loraDelta(
  cfg: EncoderConfig,
  s: LoraSettings,
  lora: ReadonlyMap<string, tf.Tensor>,
  l: number,
): tf.Tensor2D {
  const scale = s.alpha / s.rank;
  const part = (t: string) =>
    tf.mul(tf.matMul(lora.get(`layer${l}.${t}.A`) as tf.Tensor2D, lora.get(`layer${l}.${t}.B`) as tf.Tensor2D), scale);
  return tf.concat([part('q'), tf.zeros([cfg.hidden, cfg.hidden]), part('v')], 1) as tf.Tensor2D;
}

/** The base parameters with every qkv.w replaced by base + update (call inside the gradient tape). */
export function withLora(
  cfg: EncoderConfig,
  s: LoraSettings,
  base: ParamMap,
  lora: ReadonlyMap<string, tf.Tensor>,
): ParamMap {
  const out = new Map(base);
  for (let l = 0; l < cfg.layers; l++) {
    const name = `layer${l}.qkv.w`;
    out.set(name, tf.add(base.get(name)!, loraDelta(cfg, s, lora, l)) as unknown as tf.Variable);
  }
  return out;
}

/** Merged weights (base + update) as new variables, e.g. to save as a plain DNA checkpoint and export to ONNX. */
export function mergeLora(
  cfg: EncoderConfig,
  s: LoraSettings,
  base: ParamMap,
  lora: ReadonlyMap<string, tf.Tensor>,
): ParamMap {
  const merged: ParamMap = new Map();
  for (const [name, v] of base) {
    const l = /^layer(\d+)\.qkv\.w$/.exec(name);
    const value = l ? tf.tidy(() => tf.add(v, loraDelta(cfg, s, lora, Number(l[1])))) : v;
    merged.set(name, tf.variable(value, false, `merged.${name}_${Math.random().toString(36).slice(2)}`));
    if (value !== v) value.dispose();
  }
  return merged;
}
