/**
 * runDetectorEvalJob (`vision evaluate`): a detector against COCO boxes (bbox [0,0,0,0] = no specimen), as
 * COCO-style AP/AR over all boxes and over the best box only (what cropping uses).
 */
import path from 'node:path';
import { throwIfAborted, type JobControl } from '@bioscan5m/core';
import { evaluateBoxes, readCocoTruth, type CocoMetrics, type EvalImage } from './coco.js';
import { createDetector, type DetectorSpec } from './detectors.js';
import { decodeImage, ImageReadError } from './image.js';
import type { Detector } from './types.js';

export interface DetectorEvalJobOptions extends JobControl {
  /** Folder holding the COCO file_name images. */
  imagesDir: string;
  /** COCO annotations (JSON). */
  coco: string;
  /** A detector spec (created and disposed by the job) or a detector of yours (left open). Default: built-in. */
  detector?: DetectorSpec | Detector;
  /** Called for each image that cannot be read; it is left out of the metrics. */
  onImageError?: (file: string, message: string) => void;
}

export interface DetectorEvalJobSummary {
  /** The detector's name. */
  detector: string;
  /** Every box each detection returned. */
  metrics: CocoMetrics;
  /** The best box of each image only. */
  bestBox: CocoMetrics;
  failed: { file: string; message: string }[];
}

const isDetector = (d: unknown): d is Detector => typeof (d as Detector)?.detect === 'function';

export async function runDetectorEvalJob(opts: DetectorEvalJobOptions): Promise<DetectorEvalJobSummary> {
  const truth = await readCocoTruth(opts.coco);
  const given = opts.detector ?? { kind: 'builtin' };
  const detector = isDetector(given) ? given : await createDetector(given);
  const items: EvalImage[] = [];
  const failed: DetectorEvalJobSummary['failed'] = [];
  let done = 0;
  try {
    opts.onProgress?.(0, truth.size);
    for (const [name, t] of truth) {
      throwIfAborted(opts.signal);
      try {
        const det = await detector.detect(await decodeImage(path.join(opts.imagesDir, name), name));
        items.push({ truth: t.boxes, detections: det.boxes });
      } catch (err) {
        if (!(err instanceof ImageReadError)) throw err;
        failed.push({ file: name, message: err.message });
        opts.onImageError?.(name, err.message);
      }
      opts.onProgress?.(++done, truth.size);
    }
  } finally {
    if (!isDetector(given)) await detector.dispose?.();
  }
  return { detector: detector.name, metrics: evaluateBoxes(items), bestBox: evaluateBoxes(items, 1), failed };
}
