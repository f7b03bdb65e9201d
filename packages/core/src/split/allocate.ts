/**
 * Per-species barcode allocation rules (paper §4.1/A4.5, reference partition script). Each function takes the
 * sample count of every barcode of ONE species (barcodes are the unit: all samples of a barcode move together)
 * and returns the indices of the barcodes it picks. Pure apart from the seeded Rng passed in.
 */
import type { Rng } from '../rng.js';

export interface TestRuleOptions {
  /** Species need at least this many samples (default 8) ... */
  minSamples?: number;
  /** ... and at least this many barcodes (default 2) to give test samples. */
  minBarcodes?: number;
  /** Most samples per species in test (default 25). */
  cap?: number;
  /** Fewest samples a species may contribute; below this it contributes none (default 3). */
  floor?: number;
}

/** Samples a species with `n` samples aims to place in test: 4 at n = 8, +1 per 4 samples, capped (25 at n = 92). */
export function testTarget(n: number, cap = 25): number {
  return Math.min(Math.floor(4 + (n - 8) / 4), cap);
}

/** Most test samples a species with `n` samples may give (the target may be overshot only up to this). */
export function testUpperBound(n: number): number {
  return Math.floor(4 + (n - 8) / 3);
}

/** Most barcodes a species with `nb` barcodes may give to test: 1 at 2 barcodes, +1 per 3 barcodes. */
export function testBarcodeCap(nb: number): number {
  return Math.floor(1 + (nb - 2) / 3);
}

function total(sizes: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < sizes.length; i++) s += sizes[i];
  return s;
}

function order(n: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}

/**
 * Test barcodes for one species (flattened distribution): barcodes in seeded random order are added while the
 * species is under its target and barcode cap, skipping any that would pass the upper bound. A species that
 * cannot reach the floor of 3 samples gives none.
 */
export function pickTestBarcodes(sizes: ArrayLike<number>, rng: Rng, opts: TestRuleOptions = {}): number[] {
  const { minSamples = 8, minBarcodes = 2, cap = 25, floor = 3 } = opts;
  const n = total(sizes);
  const nb = sizes.length;
  if (nb < minBarcodes || n < minSamples) return [];
  const target = testTarget(n, cap);
  const upper = Math.max(target, Math.min(testUpperBound(n), cap));
  const maxBarcodes = testBarcodeCap(nb);
  const chosen: number[] = [];
  let taken = 0;
  for (const b of order(nb, rng)) {
    if (chosen.length >= maxBarcodes || taken >= target) break;
    if (taken + sizes[b] > upper) continue;
    chosen.push(b);
    taken += sizes[b];
  }
  return taken < floor ? [] : chosen;
}

/**
 * Barcodes holding about `fraction` of a species' samples (seeded greedy fill that never overshoots the rounded
 * target and never takes every barcode). Used for val (5%) and val_unseen (20%).
 */
export function pickFractionBarcodes(sizes: ArrayLike<number>, fraction: number, rng: Rng): number[] {
  const nb = sizes.length;
  if (nb < 2) return [];
  const target = Math.round(fraction * total(sizes));
  if (target < 1) return [];
  const chosen: number[] = [];
  let taken = 0;
  for (const b of order(nb, rng)) {
    if (taken >= target || chosen.length >= nb - 1) break;
    if (taken + sizes[b] > target) continue;
    chosen.push(b);
    taken += sizes[b];
  }
  return chosen;
}

export interface ValRuleOptions {
  /** Share of samples of species with at least `minSamples` samples (default 0.05). */
  fraction?: number;
  /** Default 20. */
  minSamples?: number;
  /** Species with tailMin <= n < minSamples give one single-sample barcode (default 7). */
  tailMin?: number;
}

/**
 * Val barcodes for one seen species (after test was taken): ~5% of species with >= 20 samples (matching the
 * overall imbalance), plus one single-image barcode from tail species with 7 <= n < 20. A species keeps at least
 * one barcode in train.
 */
export function pickValBarcodes(sizes: ArrayLike<number>, rng: Rng, opts: ValRuleOptions = {}): number[] {
  const { fraction = 0.05, minSamples = 20, tailMin = 7 } = opts;
  const n = total(sizes);
  if (sizes.length < 2) return [];
  if (n >= minSamples) return pickFractionBarcodes(sizes, fraction, rng);
  if (n >= tailMin) {
    const singles: number[] = [];
    for (let i = 0; i < sizes.length; i++) if (sizes[i] === 1) singles.push(i);
    if (singles.length) return [singles[rng.int(0, singles.length - 1)]];
  }
  return [];
}

export type SpeciesSet = 'seen' | 'unseen' | 'heldout';

/**
 * Splits of one species' barcodes. Seen: test, then val, rest train. Unseen: test_unseen, then val_unseen (20% of
 * the rest), rest key_unseen. Heldout: other_heldout.
 */
export function allocateSpecies(
  set: SpeciesSet,
  sizes: ArrayLike<number>,
  rng: Rng,
  opts: { test?: TestRuleOptions; val?: ValRuleOptions; valUnseenFraction?: number } = {},
): string[] {
  const nb = sizes.length;
  if (set === 'heldout') return new Array<string>(nb).fill('other_heldout');
  const seen = set === 'seen';
  const out = new Array<string>(nb).fill(seen ? 'train' : 'key_unseen');
  for (const b of pickTestBarcodes(sizes, rng, opts.test)) out[b] = seen ? 'test' : 'test_unseen';
  const rest: number[] = [];
  for (let i = 0; i < nb; i++) if (out[i] !== 'test' && out[i] !== 'test_unseen') rest.push(i);
  const restSizes = rest.map((i) => sizes[i]);
  const picked = seen
    ? pickValBarcodes(restSizes, rng, opts.val)
    : pickFractionBarcodes(restSizes, opts.valUnseenFraction ?? 0.2, rng);
  for (const j of picked) out[rest[j]] = seen ? 'val' : 'val_unseen';
  return out;
}
