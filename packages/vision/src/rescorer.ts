/**
 * The built-in detector's learned part: a logistic re-scorer over candidate boxes.
 *
 * The classical stages propose candidates: each of the strongest components, boxed at several "reaches" from
 * its thick core (core only ... whole component), because annotators box the body with its attached legs but
 * not a long antenna, a touching stick or a loose wing. A logistic model over a few shape and contrast
 * features predicts each candidate's IoU with the annotated box; the best candidate is the specimen and its
 * probability the score. It trains in a second on COCO boxes (`trainRescorer`, `bioscan5m vision train`),
 * and the shipped weights (rescorer-weights.ts) come from the shared BIOSCAN photos.
 */
import { iou } from './geometry.js';
import { distanceTransform } from './morphology.js';
import type { BuiltinAnalysis, BuiltinDetectorParams } from './builtin-detector.js';
import type { Box } from './types.js';

/** Reach of each box variant, as a multiple of sqrt(core area); Infinity = the whole component. */
export const CANDIDATE_REACHES = [0, 0.35, 0.7, 1.2, 2, Infinity] as const;
/** Components that propose candidates, strongest first. */
export const CANDIDATE_COMPONENTS = 6;

export const FEATURE_NAMES = [
  'bias',
  'log_rank',
  'log_rank_rel',
  'is_top',
  'order',
  'log_core_area',
  'log_area',
  'log_box_area',
  'abs_log_aspect',
  'fill',
  'centre_dist',
  'touches_border',
  'mean_strength',
  'max_strength',
  'reach_0',
  'reach_035',
  'reach_07',
  'reach_12',
  'reach_2',
  'reach_all',
  'reach_share',
] as const;

export interface RescorerWeights {
  features: readonly string[];
  mean: number[];
  std: number[];
  w: number[];
  /** Where it was trained, for the record. */
  trainedOn?: string;
}

export interface Candidate {
  /** Box in original pixels. */
  box: Box;
  /** Index into analysis.components. */
  component: number;
  reach: number;
  features: number[];
  /** Working-pixel bounds, for the mask. */
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
}

/** Candidate boxes and their features from a built-in analysis. */
export function proposeCandidates(a: BuiltinAnalysis, p: BuiltinDetectorParams): Candidate[] {
  const { width: w, height: h } = a.work;
  const s = p.workScale;
  const order = a.components
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.rank > 0)
    .sort((x, y) => y.c.rank - x.c.rank)
    .slice(0, CANDIDATE_COMPONENTS);
  if (!order.length) return [];
  // Distance of every pixel to the nearest core pixel (depth >= coreDepth).
  const notCore = new Uint8Array(w * h);
  for (let i = 0; i < notCore.length; i++) notCore[i] = a.depth[i] >= p.coreDepth ? 0 : 1;
  const distCore = distanceTransform(notCore, w, h);
  const slot = new Int32Array(a.components.length + 2).fill(-1);
  order.forEach(({ c }, k) => (slot[c.label] = k));
  const R = CANDIDATE_REACHES.length;
  const reachPx = order.map(({ c }) => CANDIDATE_REACHES.map((f) => (f === Infinity ? Infinity : Math.max(1, f * Math.sqrt(c.coreArea)) + p.coreDepth)));
  const K = order.length;
  const minX = new Int32Array(K * R).fill(w);
  const minY = new Int32Array(K * R).fill(h);
  const maxX = new Int32Array(K * R).fill(-1);
  const maxY = new Int32Array(K * R).fill(-1);
  const count = new Int32Array(K * R);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const k = slot[a.labels[i]];
      if (k < 0) continue;
      const d = distCore[i];
      for (let r = 0; r < R; r++) {
        if (d > reachPx[k][r]) continue;
        const j = k * R + r;
        count[j]++;
        if (x < minX[j]) minX[j] = x;
        if (x > maxX[j]) maxX[j] = x;
        if (y < minY[j]) minY[j] = y;
        if (y > maxY[j]) maxY[j] = y;
      }
    }
  }
  const bestRank = order[0].c.rank;
  const wellCx = a.well ? a.well.cx : w / 2;
  const wellCy = a.well ? a.well.cy : h / 2;
  const wellR = a.well ? a.well.r : Math.hypot(w, h) / 2;
  const out: Candidate[] = [];
  for (let k = 0; k < K; k++) {
    const { c, i: ci } = order[k];
    for (let r = 0; r < R; r++) {
      const j = k * R + r;
      if (maxX[j] < 0) continue;
      const bw = maxX[j] - minX[j] + 1;
      const bh = maxY[j] - minY[j] + 1;
      const cx = (minX[j] + maxX[j] + 1) / 2;
      const cy = (minY[j] + maxY[j] + 1) / 2;
      const touches = minX[j] <= 0 || minY[j] <= 0 || maxX[j] >= w - 1 || maxY[j] >= h - 1 ? 1 : 0;
      const onehot = CANDIDATE_REACHES.map((_, q) => (q === r ? 1 : 0));
      out.push({
        box: { x: minX[j] * s, y: minY[j] * s, width: bw * s, height: bh * s },
        component: ci,
        reach: CANDIDATE_REACHES[r],
        bounds: { minX: minX[j], minY: minY[j], maxX: maxX[j], maxY: maxY[j] },
        features: [
          1,
          Math.log1p(c.rank),
          Math.log1p(c.rank) - Math.log1p(bestRank),
          k === 0 ? 1 : 0,
          k,
          Math.log1p(c.coreArea),
          Math.log1p(c.area),
          Math.log(bw * bh),
          Math.abs(Math.log(bw / bh)),
          count[j] / (bw * bh),
          Math.hypot(cx - wellCx, cy - wellCy) / wellR,
          touches,
          c.mass / c.area / 100,
          c.maxValue / 100,
          ...onehot,
          count[j] / c.area,
        ],
      });
    }
  }
  return out;
}

function standardise(x: number[], wts: RescorerWeights): number[] {
  return x.map((v, i) => (i === 0 ? 1 : (v - wts.mean[i]) / (wts.std[i] || 1)));
}

export function scoreCandidate(c: Candidate, wts: RescorerWeights): number {
  const z = standardise(c.features, wts).reduce((t, v, i) => t + v * wts.w[i], 0);
  return 1 / (1 + Math.exp(-z));
}

export interface TrainingImage {
  candidates: Candidate[];
  truth: Box[];
}

/**
 * Fits the re-scorer: logistic regression with soft targets (each candidate's IoU with the annotated box; 0 on
 * images without a specimen), full-batch gradient descent with L2. Hand-written: 20 features and a few
 * thousand rows need no ML library.
 */
export function trainRescorer(images: TrainingImage[], opts: { epochs?: number; lr?: number; l2?: number; trainedOn?: string } = {}): RescorerWeights {
  const rows: number[][] = [];
  const ys: number[] = [];
  for (const im of images) {
    for (const c of im.candidates) {
      rows.push(c.features);
      ys.push(im.truth.length ? Math.max(...im.truth.map((t) => iou(c.box, t))) : 0);
    }
  }
  const d = FEATURE_NAMES.length;
  const mean = new Array(d).fill(0);
  const std = new Array(d).fill(1);
  if (rows.length) {
    for (let j = 1; j < d; j++) {
      const col = rows.map((r) => r[j]);
      mean[j] = col.reduce((a, b) => a + b, 0) / col.length;
      std[j] = Math.sqrt(col.reduce((a, b) => a + (b - mean[j]) ** 2, 0) / col.length) || 1;
    }
  }
  const wts: RescorerWeights = { features: [...FEATURE_NAMES], mean, std, w: new Array(d).fill(0), trainedOn: opts.trainedOn };
  const X = rows.map((r) => standardise(r, wts));
  const epochs = opts.epochs ?? 400;
  const lr = opts.lr ?? 0.5;
  const l2 = opts.l2 ?? 1e-3;
  const n = X.length || 1;
  for (let e = 0; e < epochs; e++) {
    const g = new Array(d).fill(0);
    for (let i = 0; i < X.length; i++) {
      const z = X[i].reduce((t, v, j) => t + v * wts.w[j], 0);
      const err = 1 / (1 + Math.exp(-z)) - ys[i];
      for (let j = 0; j < d; j++) g[j] += err * X[i][j];
    }
    for (let j = 0; j < d; j++) wts.w[j] -= lr * (g[j] / n + (j ? l2 * wts.w[j] : 0));
  }
  return wts;
}
