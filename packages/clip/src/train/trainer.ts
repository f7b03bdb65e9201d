/**
 * Contrastive alignment of frozen features (CLIBD with frozen encoders): projection heads trained with symmetric
 * InfoNCE (cross-entropy both ways, identity targets) averaged over the chosen modality pairs, a fixed (1/0.07, the
 * paper's run) or learnable logit scale (init log(1/0.07), clamped at log 100 after each step as open_clip does),
 * AdamW (decay on weights only), seeded batches, atomic checkpoints and exact resume.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError, type Modality } from '@bioscan5m/core';
import path from 'node:path';
import { createKmerTokenizer } from '@bioscan5m/dna';
import { createAdamW, initBackend, type EncoderConfig } from '@bioscan5m/dna/model';
import { dense, encoderPooled, loadCheckpoint, sparseCrossEntropy } from './dna-model-tf.js';
import { initLoraArrays, withLora, type LoraSettings } from './lora.js';
import { loadClipCheckpoint, saveClipCheckpoint } from './checkpoint.js';
import { INIT_LOGIT_SCALE, MAX_LOGIT_SCALE, initHeads, type ClipHeads } from './heads.js';
import { batchAt, checkPaired, type PairedFeatures } from './paired-data.js';
import { defaultPairs, type ClipTrainOptions, type ClipTrainResult } from './types.js';

/** The tfjs training loop; load it through train-clip.ts (tfjs is an optional peer). */
export async function trainClipNow(o: ClipTrainOptions): Promise<ClipTrainResult> {
  checkPaired(o.data);
  const backend = await initBackend();
  // DNA through our tfjs encoder (with LoRA) instead of frozen DNA features.
  const dnaTower = o.dnaEncoder ? await openDnaTower(o.dnaEncoder, o.data, o.seed ?? 0) : undefined;
  const inDimOf = (m: Modality) => (m === 'dna' && dnaTower ? dnaTower.cfg.hidden : o.data.features[m]?.dim);
  const modalities = (['image', 'dna', 'text'] as Modality[]).filter((m) => inDimOf(m) !== undefined);
  const pairs = o.pairs ?? defaultPairs(modalities);
  if (pairs.length === 0)
    throw new Bioscan5mError('contrastive training needs features of at least two modalities', 'BIOSCAN5M_INPUT');
  for (const [a, b] of pairs) {
    for (const m of [a, b])
      if (inDimOf(m) === undefined)
        throw new Bioscan5mError(`pair ${a}-${b}: no ${m} features were given`, 'BIOSCAN5M_USAGE');
  }
  const used = [...new Set(pairs.flat())] as Modality[];
  const train = {
    dim: o.dim ?? 768,
    steps: o.steps,
    batchSize: Math.min(o.batchSize ?? 64, o.data.rows),
    lr: o.lr ?? 1e-3,
    weightDecay: o.weightDecay ?? 0.01,
    temperature: o.temperature ?? 'learnable',
    seed: o.seed ?? 0,
    pairs: pairs.map((p) => p.join('-')),
    rows: o.data.rows,
    inDims: Object.fromEntries(used.map((m) => [m, inDimOf(m)!])),
    ...(dnaTower
      ? { dnaEncoder: { checkpoint: path.basename(o.dnaEncoder!.checkpoint), lora: dnaTower.lora ?? false } }
      : {}),
  };
  let heads = initHeads(
    used.map((m) => ({ modality: m, inDim: inDimOf(m)! })),
    train.dim,
    train.seed,
  );
  let loraArrays = dnaTower?.lora ? initLoraArrays(dnaTower.cfg, dnaTower.lora, train.seed + 1) : undefined;
  let losses: number[] = [];
  let startStep = 0;
  let savedOptim: Map<string, { data: Float32Array | Int32Array; shape: number[] }> | undefined;
  if (o.resume && o.checkpoint && existsSync(o.checkpoint)) {
    const ck = await loadClipCheckpoint(o.checkpoint);
    if (JSON.stringify(ck.train) !== JSON.stringify(train)) {
      throw new Bioscan5mError(
        `${o.checkpoint}: checkpoint was written by a run with other settings (${JSON.stringify(ck.train)}); resume with the same settings or start a new checkpoint`,
        'BIOSCAN5M_USAGE',
      );
    }
    heads = ck.heads;
    losses = ck.losses;
    startStep = ck.step;
    savedOptim = ck.optimizer as typeof savedOptim;
    if (loraArrays && ck.lora) loraArrays = ck.lora.tensors as typeof loraArrays;
  }

  // Trainable variables: weights decay, biases and the logit scale do not (open_clip's grouping).
  const decay = new Map<string, tf.Variable>();
  const noDecay = new Map<string, tf.Variable>();
  for (const m of used) {
    const h = heads.heads[m];
    decay.set(`${m}.w`, tf.variable(tf.tensor2d(h.w, [h.inDim, train.dim]), true, `clip_${m}_w_${uid()}`));
    noDecay.set(`${m}.b`, tf.variable(tf.tensor1d(h.b), true, `clip_${m}_b_${uid()}`));
  }
  const lora = new Map<string, tf.Variable>();
  for (const [name, t] of loraArrays ?? []) {
    const v = tf.variable(tf.tensor(t.data, t.shape), true, `clip_lora_${name}_${uid()}`);
    lora.set(name, v);
    decay.set(`lora.${name}`, v);
  }
  const learnable = train.temperature === 'learnable';
  const logitScale = tf.variable(
    tf.scalar(learnable ? heads.logitScale : INIT_LOGIT_SCALE),
    learnable,
    `clip_logit_scale_${uid()}`,
  );
  if (learnable) noDecay.set('logit_scale', logitScale);
  const optDecay = createAdamW(decay, { weightDecay: train.weightDecay });
  const optNoDecay = createAdamW(noDecay, { weightDecay: 0 });
  if (savedOptim) {
    for (const [opt, prefix] of [
      [optDecay, 'decay/'],
      [optNoDecay, 'nodecay/'],
    ] as const) {
      const tensors = new Map<string, tf.Tensor>();
      for (const [name, t] of savedOptim)
        if (name.startsWith(prefix)) tensors.set(name.slice(prefix.length), tf.tensor(t.data, t.shape));
      opt.loadState(Number((savedOptim.get(`${prefix}t`)?.data ?? [0])[0]), tensors);
      for (const t of tensors.values()) t.dispose();
    }
  }
  const varList = [...decay.values(), ...noDecay.values()];

  const snapshot = (): ClipHeads => {
    const out: ClipHeads = { dim: train.dim, heads: {}, logitScale: logitScale.dataSync()[0] };
    if (loraArrays)
      for (const [name, v] of lora) loraArrays.set(name, { data: v.dataSync() as Float32Array, shape: v.shape });
    for (const m of used) {
      out.heads[m] = {
        modality: m,
        inDim: heads.heads[m].inDim,
        w: decay.get(`${m}.w`)!.dataSync() as Float32Array,
        b: noDecay.get(`${m}.b`)!.dataSync() as Float32Array,
      };
    }
    return out;
  };
  const save = async (step: number) => {
    if (!o.checkpoint) return;
    const optimizer = new Map<string, { data: Float32Array; shape: number[] }>();
    for (const [opt, prefix] of [
      [optDecay, 'decay/'],
      [optNoDecay, 'nodecay/'],
    ] as const) {
      const st = opt.state();
      optimizer.set(`${prefix}t`, { data: Float32Array.of(st.t), shape: [1] });
      for (const [name, t] of st.tensors)
        optimizer.set(prefix + name, { data: t.dataSync() as Float32Array, shape: [...t.shape] });
    }
    const snap = snapshot();
    const loraOut = dnaTower?.lora && loraArrays ? { ...dnaTower.lora, tensors: loraArrays } : undefined;
    await saveClipCheckpoint(o.checkpoint, {
      heads: snap,
      step,
      optimizer,
      losses,
      train,
      meta: o.meta,
      lora: loraOut,
    });
  };

  const end = Math.min(train.steps, o.stopAfter ?? train.steps);
  const every = o.checkpointEvery ?? 50;
  const identity = Int32Array.from({ length: train.batchSize }, (_, i) => i);
  const t0 = performance.now();
  try {
    for (let step = startStep; step < end; step++) {
      if (o.signal?.aborted) {
        await save(step);
        throw new Bioscan5mError(
          `training interrupted at step ${step}${o.checkpoint ? `; resume from ${o.checkpoint} with --resume` : ''}`,
          'BIOSCAN5M_INTERRUPTED',
        );
      }
      const idx = batchAt(o.data.rows, train.batchSize, train.seed, step);
      const inputs = new Map<Modality, tf.Tensor2D>();
      for (const m of used) if (!(m === 'dna' && dnaTower)) inputs.set(m, gatherBatch(o.data.features[m]!, idx));
      const tokens = dnaTower?.tokenize(idx);
      const { value, grads } = tf.variableGrads(() => {
        const z = new Map<Modality, tf.Tensor2D>();
        for (const m of used) {
          const x = m === 'dna' && dnaTower ? dnaTower.forward(lora, tokens!) : inputs.get(m)!;
          z.set(m, l2Rows(dense(x, decay.get(`${m}.w`)! as tf.Tensor2D, noDecay.get(`${m}.b`)! as tf.Tensor1D)));
        }
        const scale = tf.exp(logitScale);
        let total: tf.Scalar = tf.scalar(0);
        for (const [a, b] of pairs) {
          const logits = tf.mul(tf.matMul(z.get(a)!, z.get(b)!, false, true), scale) as tf.Tensor2D;
          const sym = tf.mul(
            tf.add(sparseCrossEntropy(logits, identity), sparseCrossEntropy(tf.transpose(logits), identity)),
            0.5,
          );
          total = tf.add(total, sym);
        }
        return tf.div(total, pairs.length) as tf.Scalar;
      }, varList);
      const loss = value.dataSync()[0];
      const g = grads as Record<string, tf.Tensor>;
      optDecay.step(g, train.lr);
      optNoDecay.step(g, train.lr);
      if (learnable) tf.tidy(() => logitScale.assign(tf.clipByValue(logitScale, 0, MAX_LOGIT_SCALE)));
      value.dispose();
      for (const t of Object.values(g)) t.dispose();
      for (const t of inputs.values()) t.dispose();
      if (!Number.isFinite(loss))
        throw new Bioscan5mError(`training diverged at step ${step + 1} (loss ${loss}); lower --lr`);
      losses.push(loss);
      o.onProgress?.(step + 1, train.steps);
      if ((step + 1) % every === 0 && step + 1 < end) await save(step + 1);
      if ((step + 1) % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    await save(end);
    const seconds = (performance.now() - t0) / 1000;
    const final = snapshot();
    return {
      heads: final,
      lora: dnaTower?.lora && loraArrays ? { ...dnaTower.lora, tensors: loraArrays } : undefined,
      losses,
      startStep,
      step: end,
      pairsPerSecond: ((end - startStep) * train.batchSize) / Math.max(seconds, 1e-9),
      backend,
    };
  } finally {
    optDecay.dispose();
    optNoDecay.dispose();
    for (const v of varList) v.dispose();
    if (!learnable) logitScale.dispose();
    dnaTower?.dispose();
  }
}

interface DnaTower {
  cfg: EncoderConfig;
  lora: LoraSettings | undefined;
  tokenize(idx: Int32Array): { ids: Int32Array; attentionMask: Int32Array; batch: number };
  /** Pooled encoder output of a tokenized batch, with the adapters applied (inside the gradient tape). */
  forward(
    lora: ReadonlyMap<string, tf.Tensor>,
    tokens: { ids: Int32Array; attentionMask: Int32Array; batch: number },
  ): tf.Tensor2D;
  dispose(): void;
}

async function openDnaTower(
  spec: NonNullable<ClipTrainOptions['dnaEncoder']>,
  data: PairedFeatures,
  seed: number,
): Promise<DnaTower> {
  if (!data.sequences)
    throw new Bioscan5mError(
      "training through the DNA encoder needs the records' DNA sequences (PairedFeatures.sequences)",
      'BIOSCAN5M_USAGE',
    );
  if (!existsSync(spec.checkpoint))
    throw new Bioscan5mError(`${spec.checkpoint}: no such DNA encoder checkpoint`, 'BIOSCAN5M_IO');
  const ck = loadCheckpoint(spec.checkpoint);
  for (const v of ck.head.values()) v.dispose();
  const cfg = ck.config;
  const tok = createKmerTokenizer({ k: cfg.k, maxLen: cfg.maxLen, prependCls: cfg.prependCls });
  const lora =
    spec.lora === false ? undefined : { rank: spec.lora?.rank ?? 4, alpha: spec.lora?.alpha ?? spec.lora?.rank ?? 4 };
  void seed;
  return {
    cfg,
    lora,
    tokenize(idx) {
      const enc = tok.encodeBatch(Array.from(idx, (i) => data.sequences![i]));
      return { ids: enc.ids, attentionMask: enc.attentionMask, batch: enc.n };
    },
    forward(adapters, tokens) {
      const params = lora ? withLora(cfg, lora, ck.params, adapters) : ck.params;
      return encoderPooled(cfg, params, tokens);
    },
    dispose() {
      for (const v of ck.params.values()) v.dispose();
      for (const t of ck.optimizer.values()) t.dispose();
    },
  };
}

const uid = () => Math.random().toString(36).slice(2);

function gatherBatch(e: { dim: number; data: Float32Array }, idx: Int32Array): tf.Tensor2D {
  const out = new Float32Array(idx.length * e.dim);
  idx.forEach((r, i) => out.set(e.data.subarray(r * e.dim, (r + 1) * e.dim), i * e.dim));
  return tf.tensor2d(out, [idx.length, e.dim]);
}

/** Rows scaled to unit L2 norm (F.normalize). */
function l2Rows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D;
}
