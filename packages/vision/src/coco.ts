/** COCO-format annotations (the BIOSCAN crop-tool ground truth): loading, polygon areas, and box evaluation. */
import { readFile } from 'node:fs/promises';
import { Bioscan5mError } from '@bioscan5m/core';
import { iou } from './geometry.js';
import type { Box, ScoredBox } from './types.js';

export interface CocoImageTruth {
  fileName: string;
  width: number;
  height: number;
  /** Ground-truth boxes; empty when annotators found no specimen (BIOSCAN writes bbox [0,0,0,0]). */
  boxes: Box[];
  /** Sum of the segmentation polygons' areas (0 when none). */
  polygonArea: number;
}

/** Shoelace area of a flat [x0,y0,x1,y1,...] polygon. */
export function polygonArea(flat: readonly number[]): number {
  let a = 0;
  const n = Math.floor(flat.length / 2);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    a += flat[2 * i] * flat[2 * j + 1] - flat[2 * j] * flat[2 * i + 1];
  }
  return Math.abs(a) / 2;
}

interface RawCoco {
  images?: { id: number; file_name: string; width?: number; height?: number }[];
  annotations?: { image_id: number; bbox?: number[]; segmentation?: unknown }[];
}

/** Reads a COCO annotation file into per-image truths, keyed by file name. */
export async function readCocoTruth(file: string): Promise<Map<string, CocoImageTruth>> {
  let raw: RawCoco;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as RawCoco;
  } catch (err) {
    throw new Bioscan5mError(`${file}: cannot read COCO annotations: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw.images) || !Array.isArray(raw.annotations)) {
    throw new Bioscan5mError(`${file}: not a COCO annotation file (needs "images" and "annotations" arrays)`);
  }
  const byId = new Map<number, CocoImageTruth>();
  const out = new Map<string, CocoImageTruth>();
  for (const im of raw.images) {
    const t: CocoImageTruth = {
      fileName: im.file_name,
      width: im.width ?? 0,
      height: im.height ?? 0,
      boxes: [],
      polygonArea: 0,
    };
    byId.set(im.id, t);
    out.set(im.file_name, t);
  }
  raw.annotations.forEach((a, k) => {
    const t = byId.get(a.image_id);
    if (!t) throw new Bioscan5mError(`${file}: annotation ${k} refers to unknown image_id ${a.image_id}`);
    const b = a.bbox ?? [0, 0, 0, 0];
    if (b.length !== 4 || b.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new Bioscan5mError(
        `${file}: annotation ${k} (image ${t.fileName}): bbox must be 4 numbers, got ${JSON.stringify(b)}`,
      );
    }
    if (b[2] > 0 && b[3] > 0) t.boxes.push({ x: b[0], y: b[1], width: b[2], height: b[3] });
    if (Array.isArray(a.segmentation)) {
      for (const poly of a.segmentation) if (Array.isArray(poly)) t.polygonArea += polygonArea(poly as number[]);
    }
  });
  return out;
}

export interface EvalImage {
  truth: Box[];
  detections: ScoredBox[];
}

export interface CocoMetrics {
  /** AP at IoU 0.75, 101-point interpolated (COCO). */
  ap75: number;
  ap50: number;
  /** AP averaged over IoU 0.50:0.05:0.95. */
  ap: number;
  /** AR@[.5:.95] with up to maxDets detections per image. */
  ar: number;
  images: number;
  truths: number;
  detections: number;
}

const IOU_THRESHOLDS = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);

/** Precision/recall matching of one IoU threshold, as pycocotools does it (greedy in score order). */
function apAndRecall(images: EvalImage[], thr: number, maxDets: number): { ap: number; recall: number } {
  const dets: { score: number; tp: boolean }[] = [];
  let nGt = 0;
  for (const im of images) {
    nGt += im.truth.length;
    const taken = new Array(im.truth.length).fill(false);
    const sorted = [...im.detections].sort((a, b) => b.score - a.score).slice(0, maxDets);
    for (const d of sorted) {
      let best = -1;
      let bestIou = Math.min(thr, 1 - 1e-10);
      for (let g = 0; g < im.truth.length; g++) {
        if (taken[g]) continue;
        const v = iou(d, im.truth[g]);
        if (v >= bestIou) {
          bestIou = v;
          best = g;
        }
      }
      if (best >= 0) taken[best] = true;
      dets.push({ score: d.score, tp: best >= 0 });
    }
  }
  if (nGt === 0) return { ap: 0, recall: 0 };
  // Stable sort by score, as pycocotools uses mergesort.
  const order = dets.map((_, i) => i).sort((a, b) => dets[b].score - dets[a].score || a - b);
  const prec: number[] = [];
  const rec: number[] = [];
  let tp = 0;
  let fp = 0;
  for (const i of order) {
    if (dets[i].tp) tp++;
    else fp++;
    prec.push(tp / (tp + fp));
    rec.push(tp / nGt);
  }
  for (let i = prec.length - 2; i >= 0; i--) prec[i] = Math.max(prec[i], prec[i + 1]);
  let sum = 0;
  for (let k = 0; k <= 100; k++) {
    const r = k / 100;
    let lo = 0;
    let hi = rec.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rec[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    sum += lo < prec.length ? prec[lo] : 0;
  }
  return { ap: sum / 101, recall: rec.length ? rec[rec.length - 1] : 0 };
}

/** COCO-style single-class box metrics. A box on an image without truth counts as a false positive. */
export function evaluateBoxes(images: EvalImage[], maxDets = 100): CocoMetrics {
  const per = IOU_THRESHOLDS.map((t) => apAndRecall(images, t, maxDets));
  return {
    ap75: per[5].ap,
    ap50: per[0].ap,
    ap: per.reduce((s, x) => s + x.ap, 0) / per.length,
    ar: per.reduce((s, x) => s + x.recall, 0) / per.length,
    images: images.length,
    truths: images.reduce((s, im) => s + im.truth.length, 0),
    detections: images.reduce((s, im) => s + Math.min(maxDets, im.detections.length), 0),
  };
}
