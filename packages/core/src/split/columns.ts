/**
 * Species sets and splits (paper §4.1/A4.5) over a columnar table: barcode groups (N-stripped barcodes) are the
 * unit, each takes the majority species label of its samples, species are sorted into seen / unseen / heldout /
 * unknown, and each species' barcodes are allocated by the per-species rules in allocate.ts.
 */
import { createRng } from '../rng.js';
import { SPLITS, type Split } from '../schema.js';
import { allocateSpecies, type SpeciesSet, type TestRuleOptions } from './allocate.js';
import { genusOfSpeciesName, isPlaceholderSpecies, type PlaceholderRule } from './placeholder.js';

export interface SplitColumns {
  n: number;
  /** Label strings referenced by `species` and `genus` ids. */
  labels: readonly string[];
  /** Species label id per row, -1 = none. */
  species: Int32Array;
  /** Genus label id per row, -1 = none (the species' first word is used then). */
  genus: Int32Array;
  /** Barcode group per row (equal N-stripped barcodes), -1 = no barcode (the row is a group of its own). */
  barcode: Int32Array;
  /**
   * A content key per barcode group (e.g. barcodeHash), so that a species' barcodes are allocated in an order
   * that does not depend on the row order of the file: the same data in any order gives the same split.
   */
  barcodeKey?: Float64Array;
}

export interface SplitOptions {
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** 'paper' (default) or 'reference' (adds the reference script's whole-word patterns). */
  placeholderRule?: PlaceholderRule;
  /** Unseen species need at least this many samples (default 8). */
  minUnseenSamples?: number;
  /** Share of val among remaining seen samples of species with >= 20 samples (default 0.05). */
  valFraction?: number;
  /** Share of val_unseen among remaining unseen samples (default 0.2). */
  valUnseenFraction?: number;
  test?: TestRuleOptions;
}

export interface SplitCounts {
  samples: number;
  barcodes: number;
  species: number;
}

export interface SplitSummary {
  rows: number;
  splits: Record<Split, SplitCounts>;
  speciesSets: Record<SpeciesSet | 'unknown', { species: number; samples: number }>;
  /** Barcode groups whose samples carry more than one species label (all go with the majority). */
  conflictingBarcodes: number;
  /** Rows without a barcode (each is its own group). */
  rowsWithoutBarcode: number;
}

export const SPLIT_CODE: Record<Split, number> = Object.fromEntries(SPLITS.map((s, i) => [s, i])) as Record<
  Split,
  number
>;

export function splitColumns(
  cols: SplitColumns,
  opts: SplitOptions = {},
): { split: Uint8Array; summary: SplitSummary } {
  const { n, labels } = cols;
  // Units: barcode groups, then one unit per barcode-less row.
  let groups = 0;
  for (let i = 0; i < n; i++) if (cols.barcode[i] + 1 > groups) groups = cols.barcode[i] + 1;
  const unit = new Int32Array(n);
  let rowsWithoutBarcode = 0;
  for (let i = 0; i < n; i++) unit[i] = cols.barcode[i] >= 0 ? cols.barcode[i] : groups + rowsWithoutBarcode++;
  const U = groups + rowsWithoutBarcode;
  const unitSize = new Int32Array(U);
  for (let i = 0; i < n; i++) unitSize[unit[i]]++;

  // Majority species per unit (ties: lexicographically smaller label). Most units have one label: fast path.
  const unitSpecies = new Int32Array(U).fill(-1);
  const unitSecond = new Uint8Array(U); // 1 = more than one distinct species seen
  for (let i = 0; i < n; i++) {
    const s = cols.species[i];
    if (s < 0) continue;
    const u = unit[i];
    if (unitSpecies[u] < 0) unitSpecies[u] = s;
    else if (unitSpecies[u] !== s) unitSecond[u] = 1;
  }
  let conflictingBarcodes = 0;
  const conflicted = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const u = unit[i];
    if (!unitSecond[u] || cols.species[i] < 0) continue;
    let m = conflicted.get(u);
    if (!m) conflicted.set(u, (m = new Map()));
    m.set(cols.species[i], (m.get(cols.species[i]) ?? 0) + 1);
  }
  for (const [u, m] of conflicted) {
    conflictingBarcodes++;
    let win = -1;
    let best = 0;
    for (const [s, c] of m) if (c > best || (c === best && labels[s] < labels[win])) [win, best] = [s, c];
    unitSpecies[u] = win;
  }

  // Species -> units, and each species' genus (majority genus label of its rows, else the name's first word).
  const speciesUnits = new Map<number, number[]>();
  for (let u = 0; u < U; u++) {
    const s = unitSpecies[u];
    if (s < 0) continue;
    const l = speciesUnits.get(s);
    if (l) l.push(u);
    else speciesUnits.set(s, [u]);
  }
  const genusVotes = new Map<number, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    const s = cols.species[i];
    if (s < 0 || unitSpecies[unit[i]] !== s) continue;
    const g = cols.genus[i] >= 0 ? labels[cols.genus[i]] : genusOfSpeciesName(labels[s]);
    let m = genusVotes.get(s);
    if (!m) genusVotes.set(s, (m = new Map()));
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  const genusOf = (s: number): string => {
    let win = '';
    let best = 0;
    for (const [g, c] of genusVotes.get(s) ?? []) if (c > best || (c === best && g < win)) [win, best] = [g, c];
    return win || genusOfSpeciesName(labels[s]);
  };
  if (cols.barcodeKey) {
    const key = cols.barcodeKey;
    for (const units of speciesUnits.values()) {
      units.sort((x, y) => (x < groups ? (y < groups ? key[x] - key[y] || x - y : -1) : y < groups ? 1 : x - y));
    }
  }
  const rule = opts.placeholderRule ?? 'paper';
  const speciesIds = [...speciesUnits.keys()].sort((a, b) =>
    labels[a] < labels[b] ? -1 : labels[a] > labels[b] ? 1 : 0,
  );
  const samplesOf = (s: number) => speciesUnits.get(s)!.reduce((t, u) => t + unitSize[u], 0);
  const seenGenera = new Set<string>();
  const placeholder = new Map<number, boolean>();
  for (const s of speciesIds) {
    const p = isPlaceholderSpecies(labels[s], rule);
    placeholder.set(s, p);
    if (!p) seenGenera.add(genusOf(s));
  }
  const minUnseen = opts.minUnseenSamples ?? 8;
  const setOf = new Map<number, SpeciesSet>();
  for (const s of speciesIds) {
    setOf.set(
      s,
      !placeholder.get(s) ? 'seen' : seenGenera.has(genusOf(s)) && samplesOf(s) >= minUnseen ? 'unseen' : 'heldout',
    );
  }

  // Allocation, species in name order so that a seed gives the same split whatever the row order of species.
  const rng = createRng(opts.seed ?? 0);
  const unitSplit = new Uint8Array(U).fill(SPLIT_CODE.pretrain);
  for (const s of speciesIds) {
    const units = speciesUnits.get(s)!;
    const sizes = units.map((u) => unitSize[u]);
    const splits = allocateSpecies(setOf.get(s)!, sizes, rng, {
      test: opts.test,
      val: { fraction: opts.valFraction },
      valUnseenFraction: opts.valUnseenFraction,
    });
    units.forEach((u, k) => (unitSplit[u] = SPLIT_CODE[splits[k] as Split]));
  }
  const split = new Uint8Array(n);
  for (let i = 0; i < n; i++) split[i] = unitSplit[unit[i]];

  // Summary: samples, barcodes and species per split, and the species sets.
  const counts = Object.fromEntries(SPLITS.map((s) => [s, { samples: 0, barcodes: 0, species: 0 }])) as Record<
    Split,
    SplitCounts
  >;
  for (let i = 0; i < n; i++) counts[SPLITS[split[i]]].samples++;
  for (let u = 0; u < groups; u++) if (unitSize[u] > 0) counts[SPLITS[unitSplit[u]]].barcodes++;
  const speciesPerSplit = SPLITS.map(() => new Set<number>());
  for (let i = 0; i < n; i++) if (cols.species[i] >= 0) speciesPerSplit[split[i]].add(cols.species[i]);
  SPLITS.forEach((s, k) => (counts[s].species = speciesPerSplit[k].size));
  const speciesSets = {
    seen: { species: 0, samples: 0 },
    unseen: { species: 0, samples: 0 },
    heldout: { species: 0, samples: 0 },
    unknown: { species: 0, samples: 0 },
  };
  for (const s of speciesIds) {
    const set = speciesSets[setOf.get(s)!];
    set.species++;
    set.samples += samplesOf(s);
  }
  speciesSets.unknown.samples = counts.pretrain.samples;
  return { split, summary: { rows: n, splits: counts, speciesSets, conflictingBarcodes, rowsWithoutBarcode } };
}

/** The per-split table printed by the CLI (samples / barcodes / species, as in Table 3). */
export function formatSplitTable(summary: SplitSummary): string {
  const fmt = (x: number) => x.toLocaleString('en-US');
  const rows = SPLITS.map((s) => [
    s,
    fmt(summary.splits[s].samples),
    fmt(summary.splits[s].barcodes),
    s === 'pretrain' ? '-' : fmt(summary.splits[s].species),
  ]);
  const seen = summary.splits.train.samples + summary.splits.val.samples + summary.splits.test.samples;
  const head = ['split', 'samples', 'barcodes', 'species'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const pct = (x: number) => (seen ? ((100 * x) / seen).toFixed(1) : '0.0');
  return [
    line(head),
    ...rows.map(line),
    `train : val : test = ${pct(summary.splits.train.samples)} : ${pct(summary.splits.val.samples)} : ${pct(summary.splits.test.samples)} (paper: 84.2 : 4.3 : 11.5)`,
  ].join('\n');
}
