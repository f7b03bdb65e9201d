/** The per-image work of `vision crop`: decode, detect, crop, resize, write, and the BOXES.csv row. */
import path from 'node:path';
import { writeFileAtomic } from '@bioscan5m/core';
import { cropSpecimen, resizeShortSide, type CropOptions } from './crop.js';
import { decodeImage } from './image.js';
import { measureOrganism } from './measure.js';
import type { Detection, Detector, ScoredBox } from './types.js';

/** Columns of BOXES.csv, in order. */
export const BOXES_HEADER = [
  'file',
  'x',
  'y',
  'width',
  'height',
  'score',
  'area_fraction',
  'scale_factor',
  'image_measurement_value',
] as const;

/** One BOXES.csv row; the box and size fields are undefined when no specimen was found. */
export interface CropRow {
  /** Path relative to the input folder, with '/' separators. */
  file: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  score?: number;
  areaFraction?: number;
  scaleFactor?: number;
  imageMeasurementValue?: number;
}

/** Output folders of a crop job, mirroring the input's relative paths. */
export const CROP_FOLDERS = { cropped: 'cropped', cropped256: 'cropped_256', original256: 'original_256' } as const;

/** Output path of an input under one output folder (always .jpg: every output is JPEG). */
export function outputPath(outDir: string, folder: string, rel: string): string {
  const parsed = path.posix.parse(rel);
  return path.join(outDir, folder, ...path.posix.join(parsed.dir, `${parsed.name}.jpg`).split('/'));
}

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

export interface ProcessOptions extends CropOptions {
  /** Use this box instead of detecting (null: no specimen), e.g. to recrop from an existing BOXES.csv. */
  box?: ScoredBox | null;
  /** Compute image_measurement_value (default true). */
  measure?: boolean;
}

/** Processes one image; throws ImageReadError for unreadable files. */
export async function processImage(
  file: string,
  rel: string,
  outDir: string,
  detector: Detector | null,
  opts: ProcessOptions = {},
): Promise<CropRow> {
  const image = await decodeImage(file, rel);
  let detection: Detection;
  if (opts.box !== undefined) detection = { boxes: opts.box ? [opts.box] : [] };
  else if (detector) detection = await detector.detect(image);
  else throw new Error('processImage: needs a detector or a box');
  const original256 = await resizeShortSide(image, opts.shortSide, opts.quality);
  writeFileAtomic(outputPath(outDir, CROP_FOLDERS.original256, rel), original256);
  const best = detection.boxes[0];
  if (!best) return { file: rel };
  const crop = await cropSpecimen(image, best, opts);
  writeFileAtomic(outputPath(outDir, CROP_FOLDERS.cropped, rel), crop.cropped);
  writeFileAtomic(outputPath(outDir, CROP_FOLDERS.cropped256, rel), crop.cropped256);
  return {
    file: rel,
    x: round(best.x, 2),
    y: round(best.y, 2),
    width: round(best.width, 2),
    height: round(best.height, 2),
    score: round(best.score, 4),
    areaFraction: crop.areaFraction,
    scaleFactor: crop.scaleFactor,
    imageMeasurementValue: opts.measure === false ? undefined : measureOrganism(image, detection),
  };
}

export function rowToFields(r: CropRow): (string | number | undefined)[] {
  return [r.file, r.x, r.y, r.width, r.height, r.score, r.areaFraction, r.scaleFactor, r.imageMeasurementValue];
}
