/**
 * The built-in specimen detector: classical, weight-free, tuned on the BIOSCAN "failed crop" photos.
 *
 * Specimens sit in a bright plate well (~RGB 234,242,245) and differ from it by being darker and/or more
 * saturated (brown, black, yellow). The well has bright circular rims, ring reflections, debris and loose legs.
 * Steps, at half resolution:
 *  1. background: a robust local mean of luminance and chroma, excluding outliers (dark objects and bright
 *     reflections) from the average, so a specimen or a glare spot does not shift its own background;
 *  2. strength = darkness below the background + chromaWeight * saturation above it;
 *  3. hysteresis: seeds above `high` grow over pixels above `low`, so thin legs and antennae join their body;
 *  4. connected components, scored by their "core" strength: the part that survives an erosion, which thin rim
 *     arcs, hairs and ring edges do not have, weighted down near the image border where the well wall is;
 *  5. the best component plus nearby strong ones (a specimen split by a pale wing) form the box and the mask.
 */
import {
  boxBlur,
  close,
  connectedComponents,
  dilate,
  distanceTransform,
  hysteresis,
  maskedBlur,
  type Component,
} from './morphology.js';
import { downsample } from './image.js';
import { findWell, type WellCircle } from './well.js';
import { proposeCandidates, scoreCandidate, type Candidate, type RescorerWeights } from './rescorer.js';
import { SHIPPED_RESCORER } from './rescorer-weights.js';
import { iou } from './geometry.js';
import type { Detection, Detector, RgbImage, ScoredBox, SpecimenMask } from './types.js';

export interface BuiltinDetectorParams {
  /** Integer downsampling factor before detection (2: a 1024x768 photo is analysed at 512x384). */
  workScale: number;
  /** Background window radius, in working pixels. */
  bgRadius: number;
  /** Pixels further than this from the first background estimate are left out of the second. */
  bgOutlier: number;
  /** Weight of saturation excess relative to darkness. */
  chromaWeight: number;
  /** Seed and grow thresholds on the strength map (8-bit units). */
  high: number;
  low: number;
  /** Closing radius joining nearby fragments, in working pixels. */
  closeRadius: number;
  /** Interior depth (working pixels from the component's edge) from which a pixel belongs to the core. */
  coreDepth: number;
  /** Depth at which a pixel's weight stops growing (weight = min(depth, depthCap)). */
  depthCap: number;
  /** The box covers component pixels within this distance of the core: legs and antennae yes, a touching stick
   * or the rim no. Fraction of the core's size (sqrt of its area), at least legMin working pixels. */
  legReach: number;
  legMin: number;
  /** Core mass (strength units x working pixels) at which the score reaches 1 - 1/e. */
  scoreMass: number;
  /** Below this score no specimen is reported. */
  minScore: number;
  /** Components whose core mass is at least this share of the best one's and lie within mergeGap join it. */
  mergeRatio: number;
  mergeGap: number;
  /** Width of the border band (fraction of the shorter side) where scores are down-weighted, and the weight. */
  borderBand: number;
  borderWeight: number;
  /** Find the well rim and ignore it and everything outside it; band half-width in working pixels. */
  suppressWell: boolean;
  wellBand: number;
  /** Most boxes returned (the best first; extra ones are other candidates with lower scores). */
  maxBoxes: number;
}

/** Tuned by random search on the tune split (bench/split.ts, bench/grid.ts). */
export const DEFAULT_BUILTIN_PARAMS: BuiltinDetectorParams = {
  workScale: 2,
  bgRadius: 48,
  bgOutlier: 14,
  chromaWeight: 1.5,
  high: 60,
  low: 18,
  closeRadius: 0,
  coreDepth: 1,
  depthCap: 5,
  legReach: 1.2,
  legMin: 6,
  scoreMass: 20000,
  minScore: 0.3,
  mergeRatio: 0.15,
  mergeGap: 24,
  borderBand: 0.03,
  borderWeight: 0.35,
  suppressWell: true,
  wellBand: 4,
  maxBoxes: 5,
};

/** Intermediate maps, exposed for quality checks and debugging. */
export interface BuiltinAnalysis {
  work: RgbImage;
  strength: Float32Array;
  labels: Int32Array;
  components: ScoredComponent[];
  /** Indices into `components` of the parts that form the best specimen (empty when none). */
  specimen: number[];
  /** The specimen's pixels (core plus appendages within reach) and their bounding box, in working pixels. */
  mask: Uint8Array;
  box: { minX: number; minY: number; maxX: number; maxY: number } | null;
  /** The well rim found (working pixels), when suppressWell is on and a circle was convincing. */
  well: WellCircle | null;
  /** Foreground mask after hysteresis and closing, and each pixel's depth inside it (working pixels). */
  grown: Uint8Array;
  depth: Float32Array;
}

/** Keeps the specimen components' pixels that lie within reach of their core; returns that mask and its box. */
function specimenExtent(
  grown: Uint8Array,
  depth: Float32Array,
  labels: Int32Array,
  comps: ScoredComponent[],
  specimen: number[],
  w: number,
  h: number,
  p: BuiltinDetectorParams,
): { mask: Uint8Array; box: BuiltinAnalysis['box'] } {
  const mask = new Uint8Array(w * h);
  if (!specimen.length) return { mask, box: null };
  const keep = new Uint8Array(comps.length + 2);
  let coreArea = 0;
  for (const i of specimen) {
    keep[comps[i].label] = 1;
    coreArea += comps[i].coreArea;
  }
  const core = new Uint8Array(w * h);
  for (let i = 0; i < core.length; i++) if (keep[labels[i]] && depth[i] >= p.coreDepth) core[i] = 1;
  const reach = Math.max(p.legMin, Math.round(p.legReach * Math.sqrt(coreArea)));
  const near = dilate(core, w, h, reach);
  let minX = w;
  let minY = h;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!grown[i] || !keep[labels[i]] || !near[i]) continue;
      mask[i] = 1;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { mask, box: maxX >= 0 ? { minX, minY, maxX, maxY } : null };
}

export interface ScoredComponent extends Component {
  coreMass: number;
  coreArea: number;
  weight: number;
  /** Weighted core mass: the ranking key. */
  rank: number;
}

/** Strength map: how much each pixel differs from the local plate background. */
export function strengthMap(image: RgbImage, p: BuiltinDetectorParams): Float32Array {
  const { width: w, height: h, data } = image;
  const n = w * h;
  const lum = new Float32Array(n);
  const chroma = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const r = data[j];
    const g = data[j + 1];
    const b = data[j + 2];
    lum[i] = (r + g + b) / 3;
    // Warmth (red over blue): specimens are brown, black or yellow; the plate and its rim reflections are blue-grey.
    chroma[i] = r - b;
  }
  // Robust background: blur, then blur again leaving out pixels far from the first estimate.
  const bg0 = boxBlur(lum, w, h, p.bgRadius);
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) weights[i] = Math.abs(lum[i] - bg0[i]) < p.bgOutlier ? 1 : 0;
  const bgL = maskedBlur(lum, weights, w, h, p.bgRadius, 235);
  const bgC = maskedBlur(chroma, weights, w, h, p.bgRadius, -10);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const dark = bgL[i] - lum[i];
    const sat = chroma[i] - bgC[i];
    s[i] = Math.max(0, dark) + p.chromaWeight * Math.max(0, sat);
  }
  return s;
}

/** Runs the detector's analysis on an image (any size; boxes come back in its pixels). */
export function analyseSpecimen(image: RgbImage, params: Partial<BuiltinDetectorParams> = {}): BuiltinAnalysis {
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...params };
  const work = downsample(image, p.workScale);
  const { width: w, height: h } = work;
  const strength = strengthMap(work, p);
  const well = p.suppressWell ? findWell(strength, w, h) : null;
  if (well) {
    // The rim ring and the wall outside it are never the specimen.
    const inner2 = Math.max(0, well.r - p.wellBand) ** 2;
    for (let y = 0; y < h; y++) {
      const dy2 = (y - well.cy) ** 2;
      for (let x = 0; x < w; x++) {
        if ((x - well.cx) ** 2 + dy2 > inner2) strength[y * w + x] = 0;
      }
    }
  }
  const grown = close(hysteresis(strength, w, h, p.low, p.high), w, h, p.closeRadius);
  const { labels, components } = connectedComponents(grown, w, h, strength);
  // Core mass: strength weighted by interior depth, so thick bodies outrank long thin rims, hairs and sticks.
  const depth = distanceTransform(grown, w, h);
  const coreMass = new Float64Array(components.length + 1);
  const coreArea = new Float64Array(components.length + 1);
  for (let i = 0; i < depth.length; i++) {
    if (depth[i] >= p.coreDepth) {
      coreMass[labels[i]] += strength[i] * Math.min(depth[i], p.depthCap);
      coreArea[labels[i]]++;
    }
  }
  const band = p.borderBand * Math.min(w, h);
  const scored: ScoredComponent[] = components.map((c) => {
    const edgeDist = Math.min(c.cx, c.cy, w - 1 - c.cx, h - 1 - c.cy);
    const weight = edgeDist < band ? p.borderWeight : 1;
    const cm = coreMass[c.label];
    return { ...c, coreMass: cm, coreArea: coreArea[c.label], weight, rank: cm * weight };
  });
  const order = scored.map((_, i) => i).sort((a, b) => scored[b].rank - scored[a].rank);
  const specimen: number[] = [];
  if (order.length && scored[order[0]].rank > 0) {
    const best = scored[order[0]];
    specimen.push(order[0]);
    const gap = p.mergeGap;
    for (const i of order.slice(1)) {
      const c = scored[i];
      if (c.rank < p.mergeRatio * best.rank) break;
      if (
        c.minX - gap <= best.maxX &&
        c.maxX + gap >= best.minX &&
        c.minY - gap <= best.maxY &&
        c.maxY + gap >= best.minY
      ) {
        specimen.push(i);
      }
    }
  }
  const extent = specimenExtent(grown, depth, labels, scored, specimen, w, h, p);
  return {
    work,
    strength,
    labels,
    components: scored,
    specimen,
    mask: extent.mask,
    box: extent.box,
    well,
    grown,
    depth,
  };
}

function massToScore(mass: number, scoreMass: number): number {
  return 1 - Math.exp(-mass / scoreMass);
}

/** Boxes and organism mask from an analysis, in the original image's pixels. */
export function detectionFromAnalysis(a: BuiltinAnalysis, params: Partial<BuiltinDetectorParams> = {}): Detection {
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...params };
  if (!a.specimen.length) return { boxes: [] };
  const s = p.workScale;
  const parts = a.specimen.map((i) => a.components[i]);
  const groupBox = (cs: ScoredComponent[]) => {
    const minX = Math.min(...cs.map((c) => c.minX));
    const minY = Math.min(...cs.map((c) => c.minY));
    const maxX = Math.max(...cs.map((c) => c.maxX));
    const maxY = Math.max(...cs.map((c) => c.maxY));
    return { x: minX * s, y: minY * s, width: (maxX - minX + 1) * s, height: (maxY - minY + 1) * s };
  };
  const bestMass = parts.reduce((t, c) => t + c.rank, 0);
  const bestScore = massToScore(bestMass, p.scoreMass);
  if (bestScore < p.minScore || !a.box) return { boxes: [] };
  const b = a.box;
  const boxes: ScoredBox[] = [
    {
      x: b.minX * s,
      y: b.minY * s,
      width: (b.maxX - b.minX + 1) * s,
      height: (b.maxY - b.minY + 1) * s,
      score: bestScore,
    },
  ];
  // Other candidates, lower-scored, for callers that want more than the best box (COCO-style evaluation).
  const used = new Set(a.specimen);
  const rest = a.components
    .map((c, i) => ({ c, i }))
    .filter(({ i, c }) => !used.has(i) && c.rank > 0)
    .sort((x, y) => y.c.rank - x.c.rank);
  for (const { c } of rest) {
    if (boxes.length >= p.maxBoxes) break;
    const score = Math.min(massToScore(c.rank, p.scoreMass), bestScore * 0.99);
    if (score < p.minScore * 0.5) break;
    boxes.push({ ...groupBox([c]), score });
  }
  const { width: w, height: h } = a.work;
  const mask = a.mask;
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const specimenMask: SpecimenMask = { data: mask, width: w, height: h, scale: s, pixelCount: count * s * s };
  return { boxes, mask: specimenMask };
}

/** Candidates scored, best first, after greedy NMS (other boxes are other objects, not the same one at another
 * reach); empty when the best scores below minScore. */
export function rankCandidates(
  cands: Candidate[],
  weights: RescorerWeights,
  p: BuiltinDetectorParams,
): { c: Candidate; score: number }[] {
  const scored = cands.map((c) => ({ c, score: scoreCandidate(c, weights) })).sort((x, y) => y.score - x.score);
  if (!scored.length || scored[0].score < p.minScore) return [];
  const kept: { c: Candidate; score: number }[] = [];
  for (const x of scored) {
    if (kept.length >= p.maxBoxes) break;
    if (kept.every((k) => iou(k.c.box, x.c.box) < 0.6)) kept.push(x);
  }
  return kept;
}

/** Boxes and mask from the learned re-scorer's ranking of candidates (see rescorer.ts). */
export function detectionFromCandidates(
  a: BuiltinAnalysis,
  weights: RescorerWeights,
  params: Partial<BuiltinDetectorParams> = {},
): Detection {
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...params };
  const kept = rankCandidates(proposeCandidates(a, p), weights, p);
  if (!kept.length) return { boxes: [] };
  const best = kept[0].c;
  const { width: w } = a.work;
  const comp = a.components[best.component];
  const mask = new Uint8Array(a.mask.length);
  let count = 0;
  const b = best.bounds;
  for (let y = b.minY; y <= b.maxY; y++) {
    for (let x = b.minX; x <= b.maxX; x++) {
      const i = y * w + x;
      if (a.labels[i] === comp.label) {
        mask[i] = 1;
        count++;
      }
    }
  }
  const s = p.workScale;
  return {
    boxes: kept.map(({ c, score }) => ({ ...c.box, score })),
    mask: { data: mask, width: a.work.width, height: a.work.height, scale: s, pixelCount: count * s * s },
  };
}

/**
 * The ready-to-use detector: classical proposals ranked by the shipped re-scorer weights (pass `weights: null`
 * for the purely classical ranking by core mass). No native code beyond sharp's decoder.
 */
export class BuiltinDetector implements Detector {
  readonly name = 'builtin';
  readonly params: BuiltinDetectorParams;
  readonly weights: RescorerWeights | null;
  constructor(params: Partial<BuiltinDetectorParams> = {}, weights: RescorerWeights | null = SHIPPED_RESCORER) {
    this.params = { ...DEFAULT_BUILTIN_PARAMS, ...params };
    this.weights = weights;
  }
  async detect(image: RgbImage): Promise<Detection> {
    return this.detectSync(image);
  }
  detectSync(image: RgbImage): Detection {
    const a = analyseSpecimen(image, this.params);
    return this.weights ? detectionFromCandidates(a, this.weights, this.params) : detectionFromAnalysis(a, this.params);
  }
}
