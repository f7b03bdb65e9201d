/**
 * Training the built-in detector's re-scorer on a COCO file (`bioscan5m vision train`), and k-fold evaluation
 * so reported accuracy only uses images the weights never saw.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  Bioscan5mError,
  checkOutputPaths,
  throwIfAborted,
  UsageError,
  writeFileAtomic,
  type JobControl,
  type ProgressCallback,
} from '@bioscan5m/core';
import {
  analyseSpecimen,
  DEFAULT_BUILTIN_PARAMS,
  rankCandidates,
  type BuiltinDetectorParams,
} from './builtin-detector.js';
import { evaluateBoxes, readCocoTruth, type CocoMetrics, type EvalImage } from './coco.js';
import { decodeImage, ImageReadError } from './image.js';
import {
  DEFAULT_TRAINING,
  proposeCandidates,
  trainRescorer,
  type RescorerWeights,
  type TrainingImage,
  type TrainOptions,
} from './rescorer.js';
import type { ScoredBox } from './types.js';

export interface LabelledCandidates extends TrainingImage {
  fileName: string;
}

/** Decodes every COCO image under `imagesDir` and collects its candidates (the slow part: ~0.1 s per photo). */
export async function collectCandidates(
  imagesDir: string,
  cocoFile: string,
  opts: {
    params?: Partial<BuiltinDetectorParams>;
    onProgress?: ProgressCallback;
    onImageError?: (file: string, message: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<LabelledCandidates[]> {
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...opts.params };
  const truth = await readCocoTruth(cocoFile);
  const out: LabelledCandidates[] = [];
  let done = 0;
  for (const [name, t] of truth) {
    throwIfAborted(opts.signal);
    try {
      const a = analyseSpecimen(await decodeImage(path.join(imagesDir, name), name), p);
      out.push({ fileName: name, candidates: proposeCandidates(a, p), truth: t.boxes });
    } catch (err) {
      if (!(err instanceof ImageReadError)) throw err;
      opts.onImageError?.(name, err.message);
    }
    opts.onProgress?.(++done, truth.size);
  }
  return out;
}

/** Detections of a trained re-scorer on collected candidates (as BuiltinDetector would return them). */
export function detectFromCandidates(
  images: LabelledCandidates[],
  weights: RescorerWeights,
  params: Partial<BuiltinDetectorParams> = {},
): Map<string, ScoredBox[]> {
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...params };
  return new Map(
    images.map((im) => [
      im.fileName,
      rankCandidates(im.candidates, weights, p).map(({ c, score }) => ({ ...c.box, score })),
    ]),
  );
}

/** Fold of an image: md5 of its file name, so folds are stable across runs and machines. */
export function foldOf(fileName: string, folds: number): number {
  return parseInt(createHash('md5').update(fileName).digest('hex').slice(0, 8), 16) % folds;
}

export interface CrossValidation {
  metrics: CocoMetrics;
  /** Held-out detections of every image (each from the model that did not see it). */
  detections: Map<string, ScoredBox[]>;
}

/** k-fold cross-validation: every image is scored by weights trained on the other folds. */
export function crossValidate(
  images: LabelledCandidates[],
  folds = 5,
  params: Partial<BuiltinDetectorParams> = {},
  train: TrainOptions = DEFAULT_TRAINING,
): CrossValidation {
  const detections = new Map<string, ScoredBox[]>();
  for (let f = 0; f < folds; f++) {
    const trainSet = images.filter((im) => foldOf(im.fileName, folds) !== f);
    const test = images.filter((im) => foldOf(im.fileName, folds) === f);
    const w = trainRescorer(trainSet, train);
    for (const [k, v] of detectFromCandidates(test, w, params)) detections.set(k, v);
  }
  const evalImages: EvalImage[] = images.map((im) => ({
    truth: im.truth,
    detections: detections.get(im.fileName) ?? [],
  }));
  return { metrics: evaluateBoxes(evalImages), detections };
}

export interface DetectorTrainJobOptions extends JobControl {
  /** Folder holding the COCO file_name images. */
  imagesDir: string;
  /** COCO annotations (bbox [0,0,0,0] = no specimen). */
  coco: string;
  /** Weights file to write (.json), atomically; pass it as a detector: `{ kind: 'builtin', weightsFile }`. */
  out: string;
  /** Hidden tanh units (0 = logistic regression) and epochs; default DEFAULT_TRAINING's. */
  hidden?: number;
  epochs?: number;
  /** Seed of the hidden units' initial weights (default 1, the shipped weights'). */
  seed?: number;
  /** Also k-fold cross-validate (k more trainings) so the reported accuracy is on unseen images. */
  crossValidateFolds?: number;
  /** Called for each image that cannot be read; it is left out of the training. */
  onImageError?: (file: string, message: string) => void;
}

export interface DetectorTrainJobSummary {
  /** Images trained on. */
  images: number;
  out: string;
  /** With crossValidateFolds: the held-out metrics. */
  crossValidation?: { folds: number; metrics: CocoMetrics };
  failed: { file: string; message: string }[];
}

/** Trains the built-in detector's re-scorer on a COCO file and writes its weights. */
export async function runDetectorTrainJob(opts: DetectorTrainJobOptions): Promise<DetectorTrainJobSummary> {
  if (!/\.json$/i.test(opts.out))
    throw new UsageError(`expected a file name ending in .json, got '${opts.out}'`, '--out');
  checkOutputPaths({ inputs: { images: opts.imagesDir, coco: opts.coco }, outputs: { out: opts.out } });
  const folds = opts.crossValidateFolds;
  if (folds !== undefined && !(Number.isInteger(folds) && folds >= 2))
    throw new UsageError(`expected an integer >= 2, got ${folds}`, 'crossValidateFolds');
  const failed: DetectorTrainJobSummary['failed'] = [];
  const images = await collectCandidates(opts.imagesDir, opts.coco, {
    onProgress: opts.onProgress,
    signal: opts.signal,
    onImageError: (file, message) => {
      failed.push({ file, message });
      opts.onImageError?.(file, message);
    },
  });
  if (!images.length)
    throw new Bioscan5mError(`${opts.coco}: no readable images under ${opts.imagesDir}`, 'BIOSCAN5M_INPUT');
  const train: TrainOptions = {
    ...DEFAULT_TRAINING,
    hidden: opts.hidden ?? DEFAULT_TRAINING.hidden,
    epochs: opts.epochs ?? DEFAULT_TRAINING.epochs,
    seed: opts.seed,
  };
  const summary: DetectorTrainJobSummary = { images: images.length, out: opts.out, failed };
  if (folds !== undefined)
    summary.crossValidation = { folds, metrics: crossValidate(images, folds, { minScore: 0 }, train).metrics };
  throwIfAborted(opts.signal);
  const weights = trainRescorer(images, {
    ...train,
    trainedOn: `${path.basename(opts.coco)} (${images.length} images)`,
  });
  writeFileAtomic(opts.out, JSON.stringify(weights));
  return summary;
}

export { DEFAULT_TRAINING, trainRescorer };
