/**
 * The fast CPU training engine: the generated forward+backward graph (mlm-step-graph.ts) run by
 * onnxruntime-node with one intra-op thread per core, then AdamW in place on the returned gradients
 * (adamw-arrays.ts). Weights and moments stay in this engine's typed arrays between steps; the graph reads the
 * weights without a copy. Needs onnxruntime-node and onnx-proto, not tfjs.
 */
import os from 'node:os';
import type { Tensor, InferenceSession } from 'onnxruntime-node';
import { loadOrt } from '../engines.js';
import type { WeightArrays } from '../model/checkpoint-file.js';
import type { EncoderConfig } from '../model/config.js';
import type { MlmBatch } from '../model/mlm-batch.js';
import type { MlmEngine, TrainStart } from '../model/pretrain-loop.js';
import { encoderParamShapes, mlmHeadShapes } from '../model/params.js';
import { adamwInPlace } from './adamw-arrays.js';
import { mlmStepGraph } from './mlm-step-graph.js';

export interface OrtEngineOptions {
  /** Intra-op threads (default: every core, os.availableParallelism()). */
  threads?: number;
  beta1?: number;
  beta2?: number;
  /** Write onnxruntime's per-node profile (JSON) to files starting with this prefix. */
  profilePrefix?: string;
}

export interface OrtMlmEngine extends MlmEngine {
  dispose(): Promise<void>;
}

/** The batch as the step graph's inputs (int64 ids and rows, the additive attention mask). */
export function batchFeeds(ort: typeof import('onnxruntime-node'), cfg: EncoderConfig, b: MlmBatch) {
  const L = b.ids.length / b.batch;
  if (L !== cfg.maxTokens) throw new RangeError(`expected ${cfg.maxTokens} tokens per sequence, got ${L}`);
  const big = (x: Int32Array) => BigInt64Array.from(x, (v) => BigInt(v));
  const bias = new Float32Array(b.attentionMask.length);
  for (let i = 0; i < bias.length; i++) bias[i] = b.attentionMask[i] ? 0 : -1e4;
  return {
    ids: new ort.Tensor('int64', big(b.ids), [b.ids.length]),
    mask_bias: new ort.Tensor('float32', bias, [b.batch, 1, 1, L]),
    positions: new ort.Tensor('int64', big(b.positions), [b.positions.length]),
    labels: new ort.Tensor('int64', big(b.labels), [b.labels.length]),
  };
}

export function sessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
}

export async function createOrtMlmEngine(start: TrainStart, o: OrtEngineOptions = {}): Promise<OrtMlmEngine> {
  const ort = await loadOrt();
  const cfg = start.config;
  const hyper = { beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, eps: 1e-8, weightDecay: start.weightDecay };
  const shapes = [...encoderParamShapes(cfg), ...mlmHeadShapes(cfg)];
  const headNames = new Set(mlmHeadShapes(cfg).map(([n]) => n));
  const threads = o.threads ?? os.availableParallelism();
  const session = await ort.InferenceSession.create(await mlmStepGraph(cfg, { params: shapes }), {
    ...sessionOptions(threads),
    ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: o.profilePrefix } : {}),
  });
  // Weights and moments are this engine's own Float32Arrays (copies of the start), updated in place; the graph
  // reads the weights through tensors that wrap the same memory.
  const weights = new Map<string, { p: Float32Array; m: Float32Array; v: Float32Array; shape: number[]; t: Tensor }>();
  for (const [name, shape] of shapes) {
    const w = start.encoder.get(name) ?? start.head.get(name);
    if (!w) throw new Error(`checkpoint has no parameter ${name}`);
    const p = Float32Array.from(w.data as Float32Array);
    const moment = (k: 'm' | 'v') => {
      const s = start.optimizer.get(`${k}:${name}`);
      return s ? Float32Array.from(s.data as Float32Array) : new Float32Array(p.length);
    };
    weights.set(name, { p, m: moment('m'), v: moment('v'), shape, t: new ort.Tensor('float32', p, shape) });
  }
  let t = start.step;
  return {
    backend: `onnxruntime-node cpu, ${threads} thread${threads === 1 ? '' : 's'}`,
    async step(batch, lr) {
      t++;
      const feeds: Record<string, Tensor> = { ...batchFeeds(ort, cfg, batch) };
      for (const [name, w] of weights) feeds[name] = w.t;
      const out = await session.run(feeds);
      const invRows = 1 / batch.positions.length;
      for (const [name, w] of weights)
        adamwInPlace(w.p, w.m, w.v, out[`grad:${name}`].data as Float32Array, invRows, lr, t, hyper);
      return (out.loss.data as Float32Array)[0];
    },
    arrays() {
      const encoder: WeightArrays = new Map();
      const head: WeightArrays = new Map();
      const optimizer: WeightArrays = new Map();
      for (const [name, w] of weights) {
        (headNames.has(name) ? head : encoder).set(name, { data: w.p, shape: w.shape });
        optimizer.set(`m:${name}`, { data: w.m, shape: w.shape });
        optimizer.set(`v:${name}`, { data: w.v, shape: w.shape });
      }
      return { encoder, head, optimizer };
    },
    async dispose() {
      if (o.profilePrefix) session.endProfiling();
      await session.release();
      weights.clear();
    },
  };
}
