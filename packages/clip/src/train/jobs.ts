/** File-level alignment jobs: runClipTrainJob (labels CSV + feature .npy files -> checkpoint) and runClipEmbedJob. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  Bioscan5mError,
  checkOutputPaths,
  OutputPathError,
  UsageError,
  embeddings,
  type JobControl,
  type Modality,
} from '@bioscan5m/core';
import { readEmbeddingsNpy, writeEmbeddingsNpy } from '../io/embeddings-file.js';
import { readRetrievalLabels } from '../io/labels-file.js';
import { l2NormalizeInPlace } from '../retrieval/normalize.js';
import { TEXT_RANKS } from '../text/taxonomy-text.js';
import { loadClipCheckpoint } from './checkpoint.js';
import { project } from './heads.js';
import { selectRows, type PairedFeatures } from './paired-data.js';
import { taxonomyTexts, textFeatures, type TextFeatureSpec } from './text-features.js';
import { trainClip } from './train-clip.js';
import type { ClipTrainOptions } from './types.js';

export interface ClipTrainJobOptions extends Omit<
  ClipTrainOptions,
  'data' | 'dnaEncoder' | 'meta' | 'checkpoint' | 'stopAfter'
> {
  /** CSV/TSV: order, family, genus, species (and `split`), one row per paired record. */
  labels: string;
  /** Frozen features per modality (.npy, one row per label row). */
  features: Partial<Record<Modality, string>>;
  /** Make text features from the labels instead of a text .npy. */
  text?: TextFeatureSpec;
  /**
   * Run DNA through a @bioscan5m/dna encoder checkpoint (LoRA on Q and V unless lora is false) on the labels'
   * `sequenceColumn` (default dna_barcode) instead of a DNA .npy.
   */
  dnaEncoder?: { checkpoint: string; lora?: { rank?: number; alpha?: number } | false; sequenceColumn?: string };
  /** Rows whose split is one of these are trained on (default ['train'] when there is a split column, else all). */
  trainSplits?: readonly string[];
  checkpoint: string;
}

export interface ClipTrainJobSummary {
  checkpoint: string;
  rows: number;
  trainRows: number;
  modalities: Modality[];
  pairs: string[];
  startStep: number;
  steps: number;
  firstLoss: number | null;
  lastLoss: number | null;
  logitScale: number;
  pairsPerSecond: number;
  backend: string;
  seconds: number;
}

export async function runClipTrainJob(o: ClipTrainJobOptions): Promise<ClipTrainJobSummary> {
  const t0 = performance.now();
  checkOutputPaths({
    inputs: { labels: o.labels, features: Object.values(o.features) as string[], dnaEncoder: o.dnaEncoder?.checkpoint },
    outputs: { checkpoint: o.checkpoint },
  });
  if (existsSync(o.checkpoint) && !o.resume)
    throw new OutputPathError(o.checkpoint, 'exists; pass resume to continue it, or choose another path');
  const seqCol = o.dnaEncoder ? (o.dnaEncoder.sequenceColumn ?? 'dna_barcode') : undefined;
  if (o.dnaEncoder && o.features.dna)
    throw new UsageError('give either DNA features (.npy) or a DNA encoder checkpoint, not both', 'dnaEncoder');
  const labels = await readRetrievalLabels(o.labels, seqCol ? [...TEXT_RANKS, seqCol] : TEXT_RANKS, 'optional');
  // Without a split column every row is a training row.
  const split = labels.split ?? new Array<string>(labels.rows).fill('train');
  const features: PairedFeatures['features'] = {};
  for (const [m, file] of Object.entries(o.features) as [Modality, string][]) {
    const e = readEmbeddingsNpy(file);
    if (e.rows !== labels.rows)
      throw new Bioscan5mError(
        `${file} has ${e.rows} embedding rows but ${o.labels} has ${labels.rows} label rows: they must align one to one`,
        'BIOSCAN5M_INPUT',
      );
    features[m] = e;
  }
  const all: PairedFeatures = {
    rows: labels.rows,
    features,
    labels: labels.ranks,
    split,
    sequences: seqCol ? labels.ranks[seqCol] : undefined,
  };
  const wanted = new Set(o.trainSplits ?? ['train']);
  const index = split.map((s, i) => (wanted.has(s) ? i : -1)).filter((i) => i >= 0);
  if (index.length < 2)
    throw new Bioscan5mError(
      `${o.labels}: ${index.length} rows with split ${[...wanted].join('/')}: nothing to train on`,
      'BIOSCAN5M_INPUT',
    );
  const data = selectRows(all, index);
  let meta: Record<string, unknown> = {};
  if (o.text) {
    if (features.text) throw new UsageError('give either text features (.npy) or a text encoder, not both', 'text');
    const made = await textFeatures(o.text, taxonomyTexts(data.labels, data.rows));
    data.features.text = made.features;
    meta = { text: made.spec };
  }
  const res = await trainClip({
    ...o,
    data,
    dnaEncoder: o.dnaEncoder && { checkpoint: o.dnaEncoder.checkpoint, lora: o.dnaEncoder.lora },
    meta: {
      ...meta,
      labels: path.basename(o.labels),
      features: Object.fromEntries(Object.entries(o.features).map(([m, f]) => [m, path.basename(f!)])),
    },
  });
  return {
    checkpoint: o.checkpoint,
    rows: all.rows,
    trainRows: data.rows,
    modalities: Object.keys(data.features) as Modality[],
    pairs: (o.pairs ?? []).map((p) => p.join('-')),
    startStep: res.startStep,
    steps: res.step,
    firstLoss: res.losses[0] ?? null,
    lastLoss: res.losses[res.losses.length - 1] ?? null,
    logitScale: Math.exp(res.heads.logitScale),
    pairsPerSecond: res.pairsPerSecond,
    backend: res.backend,
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface ClipEmbedJobOptions extends JobControl {
  checkpoint: string;
  modality: Modality;
  /** Frozen features (.npy) of the modality; for text, `labels` can be given instead. */
  features?: string;
  labels?: string;
  out: string;
  /** L2-normalise the output rows (default true). */
  normalize?: boolean;
}

export interface ClipEmbedJobSummary {
  out: string;
  rows: number;
  dim: number;
  modality: Modality;
}

export async function runClipEmbedJob(o: ClipEmbedJobOptions): Promise<ClipEmbedJobSummary> {
  checkOutputPaths({
    inputs: { checkpoint: o.checkpoint, features: o.features, labels: o.labels },
    outputs: { out: o.out },
  });
  const ck = await loadClipCheckpoint(o.checkpoint);
  const head = ck.heads.heads[o.modality];
  if (!head)
    throw new UsageError(
      `the checkpoint has no ${o.modality} head (it has: ${Object.keys(ck.heads.heads).join(', ')})`,
      '--modality',
    );
  let x;
  if (o.features) x = readEmbeddingsNpy(o.features);
  else if (o.modality === 'text' && o.labels) {
    const spec = ck.meta?.text as TextFeatureSpec | undefined;
    if (!spec)
      throw new UsageError(`${o.checkpoint} was trained on text features from a file: pass --features`, '--labels');
    const labels = await readRetrievalLabels(o.labels, TEXT_RANKS, false);
    x = (await textFeatures(spec, taxonomyTexts(labels.ranks, labels.rows))).features;
  } else
    throw new UsageError(
      o.modality === 'text'
        ? 'give --features (.npy) or --labels (taxonomy columns)'
        : 'give --features (.npy of the frozen encoder output)',
      '--features',
    );
  if (x.dim !== head.inDim)
    throw new Bioscan5mError(
      `${o.features ?? o.labels}: ${x.dim} feature dimensions, the ${o.modality} head expects ${head.inDim}`,
      'BIOSCAN5M_INPUT',
    );
  const out = embeddings(project(ck.heads, o.modality, x.data, x.rows), x.rows, ck.heads.dim);
  if (o.normalize ?? true) l2NormalizeInPlace(out);
  o.onProgress?.(x.rows, x.rows);
  writeEmbeddingsNpy(o.out, out);
  return { out: o.out, rows: out.rows, dim: out.dim, modality: o.modality };
}
