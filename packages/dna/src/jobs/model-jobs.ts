/**
 * The tfjs side of the DNA jobs: pretraining, fine-tuning, the probes' trained heads and the tfjs encoder. This
 * module imports @tensorflow/tfjs, so the rest of the package reaches it only through engines.ts' loadModelCode
 * (a lazy import that names the package to install when tfjs is missing).
 */
import { Bioscan5mError, embeddings, InputError, throwIfAborted } from '@bioscan5m/core';
import { basename } from 'node:path';
import { initBackend } from '../backend.js';
import { readBarcodes } from '../data/barcodes.js';
import { createTfjsMlmEngine } from '../model/mlm.js';
import { pretrainWithEngine } from './pretrain-job.js';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.js';
import { disposeParams, type EncoderConfig, type ParamMap } from '../model/encoder.js';
import { embedSequences } from '../heads/embed.js';
import {
  fineTune,
  predictWithHead,
  trainLinearProbe,
  type ClassifierHead,
  type FineTuneOptions,
} from '../heads/classifier.js';
import { predictCnn, trainCnn } from '../heads/cnn.js';
import { classificationMetrics, type ClassificationMetrics } from '../eval/metrics.js';
import type { DnaEncoder } from '../encoder/create.js';
import { nextTurn } from '../abort.js';
import { fileReport, labelledAt, unseenClasses } from './labelled.js';
import type {
  BackendName,
  FinetuneJobOptions,
  FinetuneJobSummary,
  PretrainJobOptions,
  PretrainJobSummary,
} from './types.js';

export async function pretrainJob(o: PretrainJobOptions): Promise<PretrainJobSummary> {
  await initBackend({ prefer: o.backend });
  return pretrainWithEngine(o, createTfjsMlmEngine, (engine) => {
    engine.dispose();
    disposeParams(engine.params);
    disposeParams(engine.head);
  });
}

/** Loads encoder weights (and the classifier head, if any) from a checkpoint as tfjs variables. */
export function loadEncoder(file: string): {
  config: EncoderConfig;
  params: ParamMap;
  classifier: ClassifierHead | null;
} {
  const ck = loadCheckpoint(file);
  for (const t of ck.optimizer.values()) t.dispose();
  const classes = (ck.meta.classes as string[] | undefined) ?? null;
  let classifier: ClassifierHead | null = null;
  if (classes && ck.head.has('cls.w'))
    classifier = { classes, params: new Map([...ck.head].filter(([n]) => n.startsWith('cls.'))) };
  for (const [n, v] of ck.head) if (!n.startsWith('cls.') || !classifier) v.dispose();
  return { config: ck.config, params: ck.params, classifier };
}

/** Our checkpoint run by tfjs, as a DnaEncoder. */
export async function createTfjsDnaEncoder(
  checkpoint: string,
  o: { backend?: BackendName; batchSize?: number } = {},
): Promise<DnaEncoder> {
  const backend = await initBackend({ prefer: o.backend });
  const { config, params, classifier } = loadEncoder(checkpoint);
  if (classifier) disposeParams(classifier.params);
  let disposed = false;
  return {
    name: basename(checkpoint),
    modality: 'dna',
    dim: config.hidden,
    tokenizer: { k: config.k, maxLen: config.maxLen, prependCls: config.prependCls },
    engine: backend,
    async embed(batch) {
      if (disposed) throw new Bioscan5mError(`${checkpoint}: encoder used after dispose()`);
      return embeddings(embedSequences(config, params, batch, { batchSize: o.batchSize }), batch.length, config.hidden);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      disposeParams(params);
    },
  };
}

export async function finetuneJob(o: FinetuneJobOptions): Promise<FinetuneJobSummary> {
  const backend = await initBackend({ prefer: o.backend });
  const t0 = performance.now();
  const rank = o.rank ?? 'species';
  const trainSet = await readBarcodes(o.train);
  const testSet = o.test ? await readBarcodes(o.test) : null;
  const train = labelledAt(trainSet, rank);
  if (train.sequences.length === 0)
    throw new InputError({ file: o.train, column: rank }, `no row with a DNA sequence is labelled at ${rank}`);
  const { config, params, classifier: old } = loadEncoder(o.checkpoint);
  if (old) disposeParams(old.params);
  let head: ClassifierHead | null = null;
  let probe: ClassifierHead | null = null;
  let metrics: ClassificationMetrics | null = null;
  let testReport: FinetuneJobSummary['test'] = null;
  try {
    // LP-FT (FINETUNE_DEFAULTS): the head starts from a linear probe on the frozen encoder's embeddings, as in
    // runDnaBenchmarkJob; a fresh head under a moving encoder stayed below the linear probe (demo: 8.6% vs 39.8%).
    if (o.linearInit ?? true) {
      const x = await embedBetweenTurns(config, params, train.sequences, o.signal);
      probe = await trainLinearProbe(x, config.hidden, train.labels, { seed: o.seed, signal: o.signal });
    }
    head = await fineTune(config, params, train.sequences, train.labels, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      maxLr: o.maxLr,
      encoderLr: o.encoderLr,
      headLr: o.headLr,
      initHead: probe ?? undefined,
      seed: o.seed,
      onProgress: o.onProgress,
      signal: o.signal,
    });
    saveCheckpoint(o.out, {
      config,
      params,
      head: head.params,
      meta: { classes: head.classes, rank, finetunedFrom: o.checkpoint },
    });
    if (testSet) {
      const test = labelledAt(testSet, rank);
      const x = await embedBetweenTurns(config, params, test.sequences, o.signal);
      const pred = predictWithHead(head, x, config.hidden);
      metrics = test.sequences.length ? classificationMetrics(test.labels, pred) : null;
      testReport = {
        ...fileReport(testSet, test, config.maxLen),
        unseenClasses: unseenClasses(head.classes, test.labels),
      };
    }
  } finally {
    disposeParams(params);
    for (const h of [probe, head]) if (h) disposeParams(h.params);
  }
  return {
    backend,
    method: 'finetune',
    rank,
    train: { ...fileReport(trainSet, train, config.maxLen), classes: head.classes.length },
    test: testReport,
    metrics,
    seconds: (performance.now() - t0) / 1000,
    out: o.out,
  };
}

/**
 * embedSequences in its own batches (64 sequences), with a turn of the event loop between them: the same values,
 * but an abort of `signal` and SIGINT/SIGTERM take effect between batches rather than after all of them.
 */
async function embedBetweenTurns(
  config: EncoderConfig,
  params: ParamMap,
  sequences: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Float32Array> {
  const bs = 64;
  const out = new Float32Array(sequences.length * config.hidden);
  for (let s = 0; s < sequences.length; s += bs) {
    throwIfAborted(signal);
    out.set(embedSequences(config, params, sequences.slice(s, s + bs), { batchSize: bs }), s * config.hidden);
    await nextTurn();
  }
  throwIfAborted(signal);
  return out;
}

// Trained-head steps of the probes (linear, the CNN baseline, a fine-tuned checkpoint's head); the caller has
// initialised the backend with initTfjs.
export const initTfjs = (backend?: BackendName): Promise<string> => initBackend({ prefer: backend });

export async function linearProbe(
  xTrain: Float32Array,
  d: number,
  labels: readonly string[],
  xTest: Float32Array,
  o: { epochs?: number; seed?: number; signal?: AbortSignal },
): Promise<string[]> {
  const head = await trainLinearProbe(xTrain, d, labels, o);
  const pred = predictWithHead(head, xTest, d);
  disposeParams(head.params);
  return pred;
}

export async function cnnProbe(
  train: { sequences: string[]; labels: string[] },
  test: readonly string[],
  o: { epochs?: number; seed?: number; onProgress?: (d: number, t: number) => void; signal?: AbortSignal },
): Promise<string[]> {
  const model = await trainCnn(train.sequences, train.labels, o);
  const pred = predictCnn(model, test);
  disposeParams(model.params);
  return pred;
}

/** The classifier head of a fine-tuned checkpoint, applied to embeddings; null when it has none. */
export function finetunedHeadPredict(
  checkpoint: string,
  x: Float32Array,
  d: number,
): { pred: string[]; classes: number } | null {
  const { params, classifier } = loadEncoder(checkpoint);
  disposeParams(params);
  if (!classifier) return null;
  const pred = predictWithHead(classifier, x, d);
  disposeParams(classifier.params);
  return { pred, classes: classifier.classes.length };
}

// Steps of runDnaBenchmarkJob that need tfjs (the job itself stays in the main entry).

export interface ProbeAndFinetuneResult {
  linear: { pred: string[]; seconds: number };
  finetuned: { pred: string[]; seconds: number; epochLosses: number[] } | null;
}

/**
 * The closed-world rows of a pretrained checkpoint: the linear probe (frozen embeddings), then fine-tuning
 * started from that probe's head (LP-FT), so fine-tuning begins where the probe ends.
 */
export async function probeAndFinetune(
  checkpoint: string,
  train: { sequences: string[]; labels: string[] },
  testSequences: readonly string[],
  o: FineTuneOptions & {
    linearEpochs?: number;
    finetune: boolean;
    onFinetuneProgress?: (d: number, t: number) => void;
  },
): Promise<ProbeAndFinetuneResult> {
  const { config, params, classifier } = loadEncoder(checkpoint);
  if (classifier) disposeParams(classifier.params);
  const d = config.hidden;
  const embedAll = (sequences: readonly string[]) => embedBetweenTurns(config, params, sequences, o.signal);
  let probe: ClassifierHead | null = null;
  let head: ClassifierHead | null = null;
  try {
    let t0 = performance.now();
    probe = await trainLinearProbe(await embedAll(train.sequences), d, train.labels, {
      epochs: o.linearEpochs,
      seed: o.seed,
      signal: o.signal,
    });
    const linearPred = predictWithHead(probe, await embedAll(testSequences), d);
    const linear = { pred: linearPred, seconds: (performance.now() - t0) / 1000 };
    if (!o.finetune) return { linear, finetuned: null };
    t0 = performance.now();
    const steps: number[] = [];
    head = await fineTune(config, params, train.sequences, train.labels, {
      ...o,
      initHead: probe,
      onStep: ({ loss }) => steps.push(loss),
      onProgress: o.onFinetuneProgress,
    });
    const perEpoch = Math.max(1, Math.round(steps.length / (o.epochs ?? 1)));
    const epochLosses: number[] = [];
    for (let s = 0; s < steps.length; s += perEpoch)
      epochLosses.push(steps.slice(s, s + perEpoch).reduce((a, b) => a + b, 0) / steps.slice(s, s + perEpoch).length);
    const pred = predictWithHead(head, await embedAll(testSequences), d);
    return { linear, finetuned: { pred, seconds: (performance.now() - t0) / 1000, epochLosses } };
  } finally {
    for (const h of [probe, head]) if (h) disposeParams(h.params);
    disposeParams(params);
  }
}

export { FINETUNE_DEFAULTS } from '../heads/classifier.js';
