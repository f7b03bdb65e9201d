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
  // Interactions: how far to reach depends on the specimen's size and on whether it is the strongest object.
  ...['0', '035', '07', '12', '2', 'all'].flatMap((r) => [
    `reach_${r}_x_log_core_area`,
    `reach_${r}_x_is_top`,
    `reach_${r}_x_log_rank_rel`,
  ]),
  // Union of the strongest component with a nearby one (a body and its detached wing or head).
  'merged',
  'merged_partner_log_rank_rel',
  'merged_gap',
] as const;

/** Largest gap (working pixels) between the strongest component and a partner for a merged candidate. */
export const MERGE_GAP = 40;

export interface RescorerWeights {
  features: readonly string[];
  mean: number[];
  std: number[];
  /** Linear logit weights (used alone, or added to the hidden layer's output). */
  w: number[];
  /** Optional one-hidden-layer (tanh) part: logit += w2 . tanh(W1 x + b1). */
  w1?: number[][];
  b1?: number[];
  w2?: number[];
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
  const reachPx = order.map(({ c }) =>
    CANDIDATE_REACHES.map((f) => (f === Infinity ? Infinity : Math.max(1, f * Math.sqrt(c.coreArea)) + p.coreDepth)),
  );
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
          ...onehot.flatMap((o) => [
            o * Math.log1p(c.coreArea),
            o * (k === 0 ? 1 : 0),
            o * (Math.log1p(c.rank) - Math.log1p(bestRank)),
          ]),
          0,
          0,
          0,
        ],
      });
    }
  }
  // Merged candidates: the strongest component with each nearby partner, at the middle and full reach.
  const top = order[0].c;
  for (let k = 1; k < K; k++) {
    const c = order[k].c;
    const gap = Math.max(c.minX - top.maxX, top.minX - c.maxX, c.minY - top.maxY, top.minY - c.maxY, 0);
    if (gap > MERGE_GAP) continue;
    for (const r of [3, 5]) {
      const a0 = r;
      const b0 = k * R + r;
      if (maxX[a0] < 0 || maxX[b0] < 0) continue;
      const bx0 = Math.min(minX[a0], minX[b0]);
      const by0 = Math.min(minY[a0], minY[b0]);
      const bx1 = Math.max(maxX[a0], maxX[b0]);
      const by1 = Math.max(maxY[a0], maxY[b0]);
      const bw = bx1 - bx0 + 1;
      const bh = by1 - by0 + 1;
      const cx = (bx0 + bx1 + 1) / 2;
      const cy = (by0 + by1 + 1) / 2;
      const touches = bx0 <= 0 || by0 <= 0 || bx1 >= w - 1 || by1 >= h - 1 ? 1 : 0;
      const onehot = CANDIDATE_REACHES.map((_, q) => (q === r ? 1 : 0));
      const area = top.area + c.area;
      const coreArea = top.coreArea + c.coreArea;
      const cnt = count[a0] + count[b0];
      out.push({
        box: { x: bx0 * s, y: by0 * s, width: bw * s, height: bh * s },
        component: order[0].i,
        reach: CANDIDATE_REACHES[r],
        bounds: { minX: bx0, minY: by0, maxX: bx1, maxY: by1 },
        features: [
          1,
          Math.log1p(top.rank),
          0,
          1,
          0,
          Math.log1p(coreArea),
          Math.log1p(area),
          Math.log(bw * bh),
          Math.abs(Math.log(bw / bh)),
          cnt / (bw * bh),
          Math.hypot(cx - wellCx, cy - wellCy) / wellR,
          touches,
          (top.mass + c.mass) / area / 100,
          Math.max(top.maxValue, c.maxValue) / 100,
          ...onehot,
          cnt / area,
          ...onehot.flatMap((o) => [o * Math.log1p(coreArea), o, 0]),
          1,
          Math.log1p(c.rank) - Math.log1p(bestRank),
          gap / MERGE_GAP,
        ],
      });
    }
  }
  return out;
}

function standardise(x: number[], wts: RescorerWeights): number[] {
  return x.map((v, i) => (i === 0 ? 1 : (v - wts.mean[i]) / (wts.std[i] || 1)));
}

function logit(x: number[], wts: RescorerWeights): number {
  let z = 0;
  for (let i = 0; i < x.length; i++) z += x[i] * wts.w[i];
  if (wts.w1 && wts.b1 && wts.w2) {
    for (let u = 0; u < wts.w1.length; u++) {
      let a = wts.b1[u];
      const row = wts.w1[u];
      for (let i = 0; i < x.length; i++) a += row[i] * x[i];
      z += wts.w2[u] * Math.tanh(a);
    }
  }
  return z;
}

export function scoreCandidate(c: Candidate, wts: RescorerWeights): number {
  if (wts.features.length !== c.features.length) {
    throw new Error(
      `re-scorer weights have ${wts.features.length} features, candidates ${c.features.length}: retrain them with this version`,
    );
  }
  return 1 / (1 + Math.exp(-logit(standardise(c.features, wts), wts)));
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
/** Re-scorer training used for the shipped weights: 16 tanh units beside the linear part, target IoU². */
export const DEFAULT_TRAINING: TrainOptions = { hidden: 16, epochs: 500, power: 2 };

export interface TrainOptions {
  epochs?: number;
  lr?: number;
  l2?: number;
  /** Target sharpening: y = IoU^power (1 = plain IoU). */
  power?: number;
  /** Hidden tanh units added to the linear model (0 = logistic regression). */
  hidden?: number;
  seed?: number;
  trainedOn?: string;
}

export function trainRescorer(images: TrainingImage[], opts: TrainOptions = {}): RescorerWeights {
  const rows: number[][] = [];
  const ys: number[] = [];
  for (const im of images) {
    for (const c of im.candidates) {
      rows.push(c.features);
      ys.push(im.truth.length ? Math.max(...im.truth.map((t) => iou(c.box, t))) ** (opts.power ?? 1) : 0);
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
  const wts: RescorerWeights = {
    features: [...FEATURE_NAMES],
    mean,
    std,
    w: new Array(d).fill(0),
    trainedOn: opts.trainedOn,
  };
  const X = rows.map((r) => standardise(r, wts));
  const epochs = opts.epochs ?? 400;
  const lr = opts.lr ?? 0.5;
  const l2 = opts.l2 ?? 1e-3;
  const n = X.length || 1;
  const H = opts.hidden ?? 0;
  if (H > 0) return trainHidden(X, ys, wts, H, { epochs, l2, seed: opts.seed ?? 1 });
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

/** Linear + one tanh hidden layer, full-batch Adam on the soft-target cross-entropy. */
function trainHidden(
  X: number[][],
  ys: number[],
  wts: RescorerWeights,
  H: number,
  o: { epochs: number; l2: number; seed: number },
): RescorerWeights {
  const d = wts.w.length;
  let seed = o.seed >>> 0 || 1;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.2;
  const w1 = Array.from({ length: H }, () => Array.from({ length: d }, rand));
  const b1 = new Array(H).fill(0);
  const w2 = Array.from({ length: H }, rand);
  const params = [wts.w, ...w1, b1, w2];
  const m = params.map((p) => new Array(p.length).fill(0));
  const v = params.map((p) => new Array(p.length).fill(0));
  const n = X.length || 1;
  const act = new Array(H).fill(0);
  for (let e = 1; e <= o.epochs; e++) {
    const grads = params.map((p) => new Array(p.length).fill(0));
    const [gw, ...rest] = grads;
    const gw1 = rest.slice(0, H);
    const gb1 = rest[H];
    const gw2 = rest[H + 1];
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      let z = 0;
      for (let j = 0; j < d; j++) z += x[j] * wts.w[j];
      for (let u = 0; u < H; u++) {
        let a = b1[u];
        const row = w1[u];
        for (let j = 0; j < d; j++) a += row[j] * x[j];
        act[u] = Math.tanh(a);
        z += w2[u] * act[u];
      }
      const err = (1 / (1 + Math.exp(-z)) - ys[i]) / n;
      for (let j = 0; j < d; j++) gw[j] += err * x[j];
      for (let u = 0; u < H; u++) {
        gw2[u] += err * act[u];
        const da = err * w2[u] * (1 - act[u] * act[u]);
        gb1[u] += da;
        const g = gw1[u];
        for (let j = 0; j < d; j++) g[j] += da * x[j];
      }
    }
    const lr = 0.01;
    params.forEach((p, k) => {
      const g = grads[k];
      for (let j = 0; j < p.length; j++) {
        const gj = g[j] + o.l2 * p[j];
        m[k][j] = 0.9 * m[k][j] + 0.1 * gj;
        v[k][j] = 0.999 * v[k][j] + 0.001 * gj * gj;
        p[j] -= (lr * (m[k][j] / (1 - 0.9 ** e))) / (Math.sqrt(v[k][j] / (1 - 0.999 ** e)) + 1e-8);
      }
    });
  }
  return { ...wts, w1, b1, w2 };
}
