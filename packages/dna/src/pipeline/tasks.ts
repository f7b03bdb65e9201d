/**
 * File-level tasks behind `bioscan5m dna pretrain | finetune | probe | embed | export-onnx`: read barcode
 * tables, run the model code, write outputs atomically, and return JSON-ready summaries.
 */
import { Bioscan5mError, isTaxonomicRank, TAXONOMIC_RANKS, type TaxonomicRank, writeNpy } from '@bioscan5m/core';
import { initBackend } from '../backend.js';
import { readBarcodes, type BarcodeSet } from '../data/barcodes.js';
import { pretrainMlm, type PretrainOptions } from '../model/mlm.js';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.js';
import { disposeParams, type EncoderConfig, type ParamMap } from '../model/encoder.js';
import { embedSequences } from '../heads/embed.js';
import { fineTune, predictWithHead, trainLinearProbe, type ClassifierHead } from '../heads/classifier.js';
import { knnPredict } from '../heads/knn.js';
import { predictCnn, trainCnn } from '../heads/cnn.js';
import { classificationMetrics, type ClassificationMetrics } from '../eval/metrics.js';
import { encoderToOnnx, exportEncoderOnnx } from '../onnx/export.js';
import { loadOnnxEncoder } from '../onnx/embed.js';

type Progress = (done: number, total: number) => void;

export interface LabelledSequences {
  sequences: string[];
  labels: string[];
  recordIds: string[];
  /** Rows of the file left out because they have no label at this rank (or no sequence). */
  skipped: number;
}

/** Rows of a barcode set labelled at `rank`. */
export function labelledAt(set: BarcodeSet, rank: TaxonomicRank): LabelledSequences {
  const labels = set.labels[rank];
  if (!labels) throw new Bioscan5mError(`${set.file}: no '${rank}' column (needed for labels; ranks: ${TAXONOMIC_RANKS.join(', ')})`, 'BIOSCAN5M_INPUT');
  const out: LabelledSequences = { sequences: [], labels: [], recordIds: [], skipped: set.skipped.length };
  labels.forEach((l, i) => {
    if (!l) {
      out.skipped++;
      return;
    }
    out.sequences.push(set.sequences[i]);
    out.labels.push(l);
    out.recordIds.push(set.recordIds[i]);
  });
  return out;
}

export function checkRank(rank: string): TaxonomicRank {
  if (!isTaxonomicRank(rank)) throw new Bioscan5mError(`unknown rank '${rank}' (expected one of ${TAXONOMIC_RANKS.join(', ')})`);
  return rank;
}

export interface PretrainFileOptions extends Omit<PretrainOptions, 'sequences'> {
  data: string;
}

export interface PretrainSummary {
  backend: string;
  data: string;
  sequences: number;
  skippedRows: number;
  config: EncoderConfig;
  steps: number;
  startStep: number;
  batchSize: number;
  firstLoss: number | null;
  finalLoss: number | null;
  sequencesPerSecond: number | null;
  seconds: number;
  checkpoint: string | null;
}

export async function pretrainFile(o: PretrainFileOptions): Promise<PretrainSummary> {
  const backend = await initBackend();
  const set = await readBarcodes(o.data);
  if (set.sequences.length === 0) throw new Bioscan5mError(`${o.data}: no DNA sequences to train on`, 'BIOSCAN5M_INPUT');
  const t0 = performance.now();
  const r = await pretrainMlm({ ...o, sequences: set.sequences });
  const summary: PretrainSummary = {
    backend,
    data: o.data,
    sequences: set.sequences.length,
    skippedRows: set.skipped.length,
    config: r.config,
    steps: r.step,
    startStep: r.startStep,
    batchSize: o.batchSize ?? 64,
    firstLoss: r.losses[0] ?? null,
    finalLoss: r.losses.at(-1) ?? null,
    sequencesPerSecond: r.sequencesPerSecond,
    seconds: (performance.now() - t0) / 1000,
    checkpoint: o.checkpoint ?? null,
  };
  disposeParams(r.params);
  disposeParams(r.head);
  return summary;
}

/** Loads encoder weights (and the classifier head, if any) from a checkpoint. */
export function loadEncoder(file: string): { config: EncoderConfig; params: ParamMap; classifier: ClassifierHead | null } {
  const ck = loadCheckpoint(file);
  for (const t of ck.optimizer.values()) t.dispose();
  const classes = (ck.meta.classes as string[] | undefined) ?? null;
  let classifier: ClassifierHead | null = null;
  if (classes && ck.head.has('cls.w')) classifier = { classes, params: new Map([...ck.head].filter(([n]) => n.startsWith('cls.'))) };
  return { config: ck.config, params: ck.params, classifier };
}

export interface EvalSummary {
  backend: string;
  method: string;
  rank: TaxonomicRank;
  train: { rows: number; skipped: number; classes: number };
  test: { rows: number; skipped: number; unseenClasses: number } | null;
  trainMetrics?: ClassificationMetrics;
  metrics: ClassificationMetrics | null;
  seconds: number;
}

export interface FinetuneFileOptions {
  checkpoint: string;
  train: string;
  test?: string;
  rank?: TaxonomicRank;
  out: string;
  epochs?: number;
  batchSize?: number;
  maxLr?: number;
  seed?: number;
  onProgress?: Progress;
}

export async function finetuneFile(o: FinetuneFileOptions): Promise<EvalSummary & { out: string }> {
  const backend = await initBackend();
  const t0 = performance.now();
  const rank = o.rank ?? 'species';
  const train = labelledAt(await readBarcodes(o.train), rank);
  if (train.sequences.length === 0) throw new Bioscan5mError(`${o.train}: no rows labelled at ${rank}`, 'BIOSCAN5M_INPUT');
  const { config, params } = loadEncoder(o.checkpoint);
  const head = fineTune(config, params, train.sequences, train.labels, { epochs: o.epochs, batchSize: o.batchSize, maxLr: o.maxLr, seed: o.seed, onProgress: o.onProgress });
  saveCheckpoint(o.out, { config, params, head: head.params, meta: { classes: head.classes, rank, finetunedFrom: o.checkpoint } });
  let metrics: ClassificationMetrics | null = null;
  let testInfo: EvalSummary['test'] = null;
  if (o.test) {
    const test = labelledAt(await readBarcodes(o.test), rank);
    const pred = predictWithHead(head, embedSequences(config, params, test.sequences), config.hidden);
    metrics = classificationMetrics(test.labels, pred);
    const known = new Set(head.classes);
    testInfo = { rows: test.sequences.length, skipped: test.skipped, unseenClasses: new Set(test.labels.filter((l) => !known.has(l))).size };
  }
  disposeParams(params);
  return {
    backend,
    method: 'finetune',
    rank,
    train: { rows: train.sequences.length, skipped: train.skipped, classes: head.classes.length },
    test: testInfo,
    metrics,
    seconds: (performance.now() - t0) / 1000,
    out: o.out,
  };
}

export interface ProbeFileOptions {
  /** Encoder checkpoint (ours) or an ONNX model (ours or BERT-style from elsewhere); not needed for 'cnn'. */
  checkpoint?: string;
  onnx?: string;
  /** k-mer length for an ONNX model without bioscan5m metadata. */
  k?: number;
  train: string;
  test: string;
  /** 'linear' (frozen encoder + softmax regression), 'knn' (cosine 1-NN), 'finetuned' (a finetune checkpoint's head), 'cnn' (baseline). */
  method: 'linear' | 'knn' | 'finetuned' | 'cnn';
  /** How a checkpoint is run for embeddings: 'onnx' (default; exported in memory, onnxruntime) or 'tfjs'. */
  engine?: 'onnx' | 'tfjs';
  rank?: TaxonomicRank;
  epochs?: number;
  seed?: number;
  onProgress?: Progress;
}

async function embedWith(o: ProbeFileOptions, sequences: string[], onProgress?: Progress): Promise<{ x: Float32Array; d: number }> {
  if (o.onnx) {
    const enc = await loadOnnxEncoder(o.onnx, o.k ? { k: o.k } : {});
    const { data, hidden } = await enc.embed(sequences, { onProgress });
    await enc.close();
    return { x: data, d: hidden };
  }
  if (!o.checkpoint) throw new Bioscan5mError('give --checkpoint or --onnx');
  const { config, params } = loadEncoder(o.checkpoint);
  try {
    if ((o.engine ?? 'onnx') === 'tfjs') return { x: embedSequences(config, params, sequences, { onProgress }), d: config.hidden };
    // Inference through onnxruntime (same graph, same numbers within 1e-4, several times faster than wasm).
    const enc = await loadOnnxEncoder(encoderToOnnx(config, params));
    const { data } = await enc.embed(sequences, { onProgress });
    await enc.close();
    return { x: data, d: config.hidden };
  } finally {
    disposeParams(params);
  }
}

export async function probeFile(o: ProbeFileOptions): Promise<EvalSummary> {
  const backend = await initBackend();
  const t0 = performance.now();
  const rank = o.rank ?? (o.method === 'knn' ? 'genus' : 'species');
  const train = labelledAt(await readBarcodes(o.train), rank);
  const test = labelledAt(await readBarcodes(o.test), rank);
  if (train.sequences.length === 0) throw new Bioscan5mError(`${o.train}: no rows labelled at ${rank}`, 'BIOSCAN5M_INPUT');
  let pred: string[];
  let classes = new Set(train.labels).size;
  if (o.method === 'cnn') {
    const model = trainCnn(train.sequences, train.labels, { epochs: o.epochs, seed: o.seed, onProgress: o.onProgress });
    pred = predictCnn(model, test.sequences);
    disposeParams(model.params);
  } else if (o.method === 'finetuned') {
    if (!o.checkpoint) throw new Bioscan5mError('--method finetuned needs --checkpoint from `bioscan5m dna finetune`');
    const { params, classifier } = loadEncoder(o.checkpoint);
    disposeParams(params);
    if (!classifier) throw new Bioscan5mError(`${o.checkpoint}: has no classifier head (make one with \`bioscan5m dna finetune\`)`, 'BIOSCAN5M_INPUT');
    const emb = await embedWith(o, test.sequences, o.onProgress);
    pred = predictWithHead(classifier, emb.x, emb.d);
    classes = classifier.classes.length;
    disposeParams(classifier.params);
  } else {
    const all = await embedWith(o, [...train.sequences, ...test.sequences], o.onProgress);
    const xTrain = all.x.subarray(0, train.sequences.length * all.d);
    const xTest = all.x.subarray(train.sequences.length * all.d);
    if (o.method === 'knn') pred = knnPredict(xTrain, train.labels, xTest, all.d);
    else {
      const head = trainLinearProbe(xTrain, all.d, train.labels, { epochs: o.epochs, seed: o.seed });
      pred = predictWithHead(head, xTest, all.d);
      disposeParams(head.params);
    }
  }
  const known = new Set(train.labels);
  return {
    backend,
    method: o.method,
    rank,
    train: { rows: train.sequences.length, skipped: train.skipped, classes },
    test: { rows: test.sequences.length, skipped: test.skipped, unseenClasses: new Set(test.labels.filter((l) => !known.has(l))).size },
    metrics: test.sequences.length ? classificationMetrics(test.labels, pred) : null,
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface EmbedFileOptions {
  checkpoint?: string;
  engine?: 'onnx' | 'tfjs';
  onnx?: string;
  k?: number;
  data: string;
  out: string;
  onProgress?: Progress;
}

export async function embedFile(o: EmbedFileOptions): Promise<{ backend: string; rows: number; skippedRows: number; dim: number; out: string; engine: string; seconds: number }> {
  const engine = o.onnx ? 'onnx' : (o.engine ?? 'onnx');
  const backend = engine === 'onnx' ? 'onnxruntime' : await initBackend();
  await initBackend();
  const t0 = performance.now();
  const set = await readBarcodes(o.data);
  const { x, d } = await embedWith({ checkpoint: o.checkpoint, onnx: o.onnx, k: o.k, engine, train: '', test: '', method: 'knn' }, set.sequences, o.onProgress);
  writeNpy(o.out, x, [set.sequences.length, d]);
  return { backend, engine, rows: set.sequences.length, skippedRows: set.skipped.length, dim: d, out: o.out, seconds: (performance.now() - t0) / 1000 };
}

export async function exportOnnxFile(checkpoint: string, out: string): Promise<{ out: string; config: EncoderConfig }> {
  await initBackend();
  const { config, params } = loadEncoder(checkpoint);
  exportEncoderOnnx(out, config, params);
  disposeParams(params);
  return { out, config };
}

