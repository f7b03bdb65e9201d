/**
 * The paper's statistics tables computed from merged label counts: Table 2 (per rank), Table A4 (geography),
 * Table A5 (category size distribution) and Tables A11-A14 (species / genera shared between partitions).
 * Pure functions: no I/O.
 */
import { LABEL_COLUMNS, SPLITS, TAXONOMIC_RANKS, type LabelColumn } from '../schema.js';
import { compareCodePoints } from '../vocab/order.js';
import { emptyCounts, type LabelCounts } from './counts.js';

function emptyCountsLike(rows: number): LabelCounts {
  const c = emptyCounts();
  c.rows = rows;
  return c;
}

/** One Table 2 row; the JSON output of `bioscan5m stats --json` holds exactly these four fields. */
export interface RankStats {
  categories: number;
  labelled: number;
  /** 100 * labelled / rows, rounded half-up to one decimal. */
  labelledPercent: number;
  /** Largest / smallest category size, unrounded; null when nothing is labelled. */
  imbalanceRatio: number | null;
}

export interface GeoStats extends RankStats {
  unlabelled: number;
  /** Percentages rounded half-up to two decimals, as in Table A4. */
  labelledPercent2: number;
  unlabelledPercent2: number;
}

export interface DistributionStats {
  categories: number;
  most: { name: string; size: number } | null;
  least: { name: string; size: number } | null;
  mean: number | null;
  median: number | null;
  /** Population standard deviation (ddof = 0: Table A5 gives 0.0 for the single phylum). */
  std: number | null;
}

export interface OverlapTable {
  partitions: string[];
  /** counts[i][j] = categories present in both partitions i and j (the diagonal: categories of i). */
  counts: number[][];
  /** percent[i][j] = 100 * counts[i][j] / counts[i][i], one decimal; null when partition i has none. */
  percent: (number | null)[][];
}

export interface MetadataStats {
  rows: number;
  ranks: Record<LabelColumn, RankStats>;
  geography: Record<'country' | 'province_state' | 'coord-lat' | 'coord-lon' | 'location', GeoStats>;
  distribution: Record<string, DistributionStats>;
  overlap: { species: OverlapTable; genus: OverlapTable };
}

/** round(100 * part / whole, decimals) with halves rounded up, in exact integer arithmetic. */
export function percentHalfUp(part: number, whole: number, decimals = 1): number {
  if (whole === 0) return 0;
  const scale = 100 * 10 ** decimals;
  // floor((scale * part) / whole + 1/2) == floor((2 * scale * part + whole) / (2 * whole))
  return Math.floor((2 * scale * part + whole) / (2 * whole)) / 10 ** decimals;
}

function sizes(m: Map<string, number>): number[] {
  return [...m.values()];
}

export function rankStats(m: Map<string, number>, labelled: number, rows: number): RankStats {
  let min = Infinity;
  let max = 0;
  for (const c of m.values()) {
    if (c < min) min = c;
    if (c > max) max = c;
  }
  return {
    categories: m.size,
    labelled,
    labelledPercent: percentHalfUp(labelled, rows, 1),
    imbalanceRatio: m.size ? max / min : null,
  };
}

function sum(xs: Iterable<number>): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

export function table2(counts: LabelCounts): Record<LabelColumn, RankStats> {
  const out = {} as Record<LabelColumn, RankStats>;
  for (const col of LABEL_COLUMNS) {
    if (col === 'dna_barcode') {
      const b = counts.barcode;
      out[col] = {
        categories: b.distinct,
        labelled: b.labelled,
        labelledPercent: percentHalfUp(b.labelled, counts.rows, 1),
        imbalanceRatio: b.distinct ? b.max / b.min : null,
      };
    } else {
      const m = counts.categories[col];
      out[col] = rankStats(m, sum(m.values()), counts.rows);
    }
  }
  return out;
}

/** Groups raw numeric strings by their value ("1.50" and "1.5" are one coordinate, as in pandas floats). */
function byNumber(m: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, c] of m) {
    const key = String(Number(k));
    out.set(key, (out.get(key) ?? 0) + c);
  }
  return out;
}

function geoStats(m: Map<string, number>, rows: number): GeoStats {
  const labelled = sum(m.values());
  return {
    ...rankStats(m, labelled, rows),
    unlabelled: rows - labelled,
    labelledPercent2: percentHalfUp(labelled, rows, 2),
    unlabelledPercent2: percentHalfUp(rows - labelled, rows, 2),
  };
}

export function tableA4(counts: LabelCounts): MetadataStats['geography'] {
  const loc = new Map<string, number>();
  for (const [k, c] of counts.latLon) {
    const [lat, lon] = k.split(',');
    const key = `${Number(lat)},${Number(lon)}`;
    loc.set(key, (loc.get(key) ?? 0) + c);
  }
  return {
    country: geoStats(counts.categories.country, counts.rows),
    province_state: geoStats(counts.categories.province_state, counts.rows),
    'coord-lat': geoStats(byNumber(counts.categories['coord-lat']), counts.rows),
    'coord-lon': geoStats(byNumber(counts.categories['coord-lon']), counts.rows),
    location: geoStats(loc, counts.rows),
  };
}

export function distributionStats(m: Map<string, number>): DistributionStats {
  if (m.size === 0) return { categories: 0, most: null, least: null, mean: null, median: null, std: null };
  // Ties go to the first name in code-point order, so the result is reproducible.
  const names = [...m.keys()].sort(compareCodePoints);
  let most = names[0];
  let least = names[0];
  for (const n of names) {
    if (m.get(n)! > m.get(most)!) most = n;
    if (m.get(n)! < m.get(least)!) least = n;
  }
  const xs = sizes(m).sort((a, b) => a - b);
  const mean = sum(xs) / xs.length;
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return {
    categories: m.size,
    most: { name: most, size: m.get(most)! },
    least: { name: least, size: m.get(least)! },
    mean,
    median,
    std: Math.sqrt(ss / xs.length),
  };
}

export function tableA5(counts: LabelCounts): Record<string, DistributionStats> {
  const out: Record<string, DistributionStats> = {};
  for (const r of [...TAXONOMIC_RANKS, 'taxon', 'dna_bin'] as const) out[r] = distributionStats(counts.categories[r]);
  return out;
}

/** Partition order: the release's splits first, then any other split values in code-point order. */
export function partitionOrder(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known = SPLITS.filter((s) => set.has(s));
  const other = [...set].filter((s) => !(SPLITS as readonly string[]).includes(s)).sort(compareCodePoints);
  return [...known, ...other];
}

export function overlapTable(bySplit: Map<string, Map<string, number>>, partitions: string[]): OverlapTable {
  const sets = partitions.map((p) => new Set(bySplit.get(p)?.keys() ?? []));
  const counts = sets.map((a) =>
    sets.map((b) => {
      const [small, big] = a.size <= b.size ? [a, b] : [b, a];
      let n = 0;
      for (const x of small) if (big.has(x)) n++;
      return n;
    }),
  );
  const percent = counts.map((row, i) => row.map((c) => (row[i] === 0 ? null : percentHalfUp(c, row[i], 1))));
  return { partitions, counts, percent };
}

/** All tables; with which = 'table2' the others are left empty (their sorting costs seconds on 5 M rows). */
export function computeTables(counts: LabelCounts, which: 'all' | 'table2' = 'all'): MetadataStats {
  if (which === 'table2') {
    const none = emptyCountsLike(counts.rows);
    return { ...computeTables(none), ranks: table2(counts) };
  }
  const partitions = partitionOrder(counts.categories.split.keys());
  return {
    rows: counts.rows,
    ranks: table2(counts),
    geography: tableA4(counts),
    distribution: tableA5(counts),
    overlap: {
      species: overlapTable(counts.splitSpecies, partitions),
      genus: overlapTable(counts.splitGenus, partitions),
    },
  };
}

/** The `stats --json` object: exactly {rows, ranks: {<column>: {categories, labelled, labelledPercent, imbalanceRatio}}}. */
export function table2Json(stats: Pick<MetadataStats, 'rows' | 'ranks'>): {
  rows: number;
  ranks: Record<LabelColumn, RankStats>;
} {
  const ranks = {} as Record<LabelColumn, RankStats>;
  for (const c of LABEL_COLUMNS) {
    const r = stats.ranks[c];
    ranks[c] = {
      categories: r.categories,
      labelled: r.labelled,
      labelledPercent: r.labelledPercent,
      imbalanceRatio: r.imbalanceRatio,
    };
  }
  return { rows: stats.rows, ranks };
}
