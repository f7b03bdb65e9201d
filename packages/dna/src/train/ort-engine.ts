/**
 * The fast CPU training engine: the generated training-step graph (mlm-step-graph.ts) run by onnxruntime-node
 * with one intra-op thread per core. Weights and AdamW moments stay ORT tensors between steps: step n's outputs
 * are step n+1's inputs. Needs onnxruntime-node and onnx-proto, not tfjs.
 */
import os from 'node:os';
import type { Tensor, InferenceSession } from 'onnxruntime-node';
import { loadOrt } from '../engines.js';
import type { WeightArrays } from '../model/checkpoint-file.js';
import type { EncoderConfig } from '../model/config.js';
import type { MlmBatch } from '../model/mlm-batch.js';
import type { MlmEngine, TrainStart } from '../model/pretrain-loop.js';
import { encoderParamShapes, mlmHeadShapes } from '../model/params.js';
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
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const shapes = [...encoderParamShapes(cfg), ...mlmHeadShapes(cfg)];
  const headNames = new Set(mlmHeadShapes(cfg).map(([n]) => n));
  const threads = o.threads ?? os.availableParallelism();
  const session = await ort.InferenceSession.create(
    await mlmStepGraph(cfg, { params: shapes, optimizer: true, beta1: b1, beta2: b2 }),
    {
      ...sessionOptions(threads),
      ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: o.profilePrefix } : {}),
    },
  );
  // State: parameter P, and 'm:P' / 'v:P', as ORT tensors.
  const state = new Map<string, Tensor>();
  for (const [name, shape] of shapes) {
    const w = start.encoder.get(name) ?? start.head.get(name);
    if (!w) throw new Error(`checkpoint has no parameter ${name}`);
    state.set(name, new ort.Tensor('float32', w.data as Float32Array, shape));
    for (const k of ['m', 'v']) {
      const s = start.optimizer.get(`${k}:${name}`);
      const size = shape.reduce((a, b) => a * b, 1);
      state.set(
        `${k}:${name}`,
        new ort.Tensor('float32', s ? (s.data as Float32Array) : new Float32Array(size), shape),
      );
    }
  }
  let t = start.step;
  const f32 = (v: number) => new ort.Tensor('float32', Float32Array.of(v), []);
  return {
    backend: `onnxruntime-node cpu, ${threads} thread${threads === 1 ? '' : 's'}`,
    async step(batch, lr) {
      t++;
      const feeds: Record<string, Tensor> = {
        ...batchFeeds(ort, cfg, batch),
        lr: f32(lr),
        decay: f32(1 - lr * start.weightDecay),
        c1: f32(1 - b1 ** t),
        c2: f32(1 - b2 ** t),
      };
      for (const [k, v] of state) feeds[k] = v;
      const out = await session.run(feeds);
      for (const [name] of shapes) {
        state.set(name, out[`new:${name}`] as Tensor);
        state.set(`m:${name}`, out[`new_m:${name}`] as Tensor);
        state.set(`v:${name}`, out[`new_v:${name}`] as Tensor);
      }
      return (out.loss.data as Float32Array)[0];
    },
    arrays() {
      const encoder: WeightArrays = new Map();
      const head: WeightArrays = new Map();
      const optimizer: WeightArrays = new Map();
      for (const [name, shape] of shapes) {
        (headNames.has(name) ? head : encoder).set(name, { data: state.get(name)!.data as Float32Array, shape });
        for (const k of ['m', 'v'])
          optimizer.set(`${k}:${name}`, { data: state.get(`${k}:${name}`)!.data as Float32Array, shape });
      }
      return { encoder, head, optimizer };
    },
    async dispose() {
      if (o.profilePrefix) session.endProfiling();
      await session.release();
      state.clear();
    },
  };
}
