/**
 * Label cleaning (paper A4.4) over a columnar table: labels interned to ids per cell, barcodes as group ids.
 * Columnar so that the 5,150,850-row release fits in a few hundred MB: 7 Int32Arrays + one for barcodes.
 */
import { RANK_INDEX, TAXONOMIC_RANKS, type TaxonomicRank } from '../schema.js';
import {
  collapseWhitespace,
  editDistance,
  firstWord,
  fixMalaise,
  isOpenNomenclature,
  malaiseCode,
  variantKey,
} from './normalize.js';

export const CLEAN_RULES = [
  'whitespace',
  'malaise-spelling',
  'placeholder-padding',
  'variant-unify',
  'genus-from-species',
  'genus-species-mismatch',
  'open-nomenclature',
  'barcode-typo',
  'barcode-majority',
  'barcode-curtail',
  'barcode-infer',
  'fill-hole',
] as const;
export type CleanRule = (typeof CLEAN_RULES)[number];

/** Interning of label strings to ids (shared by all ranks); id -1 is the empty label. */
export class LabelVocab {
  readonly labels: string[] = [];
  private readonly ids = new Map<string, number>();
  id(label: string): number {
    if (label === '') return -1;
    let id = this.ids.get(label);
    if (id === undefined) {
      id = this.labels.length;
      // A fresh copy: a field sliced from a parser chunk would keep the whole (MB-sized) chunk alive.
      const own = Buffer.from(label, 'utf8').toString('utf8');
      this.labels.push(own);
      this.ids.set(own, id);
    }
    return id;
  }
  label(id: number): string {
    return id < 0 ? '' : this.labels[id];
  }
}

export interface LabelColumns {
  n: number;
  vocab: LabelVocab;
  /** One column per TAXONOMIC_RANKS entry: label ids, -1 = empty. Cleaned in place. */
  ranks: Int32Array[];
  /** Barcode group of each row (rows with equal N-stripped barcodes share it); -1 = no barcode. */
  barcode: Int32Array;
  /** inferred_ranks as read (-1 = missing); updated in place. */
  inferred: Int8Array;
}

/** Typed change log: one entry per changed cell. */
export class ChangeLog {
  row: number[] = [];
  rank: number[] = [];
  old: number[] = [];
  now: number[] = [];
  rule: number[] = [];
  add(row: number, rank: number, old: number, now: number, rule: CleanRule): void {
    this.row.push(row);
    this.rank.push(rank);
    this.old.push(old);
    this.now.push(now);
    this.rule.push(CLEAN_RULES.indexOf(rule));
  }
  get length(): number {
    return this.row.length;
  }
  /** Entry indices ordered by row (stable), for streaming the log beside the data. */
  orderByRow(): Int32Array {
    const idx = Int32Array.from(this.row.keys());
    return idx.sort((a, b) => this.row[a] - this.row[b] || a - b);
  }
}

export interface CleanOptions {
  /** Share of a barcode's labelled samples that must agree at a rank to accept the majority (default 0.9). */
  majority?: number;
  /** Rules to skip. */
  skip?: readonly CleanRule[];
  /**
   * Fill holes at every rank ("unassigned <Order>" for a missing family under a labelled genus, ...). Default
   * false: only subfamily holes, the only kind the paper fills (A4.3).
   */
  fillAllHoles?: boolean;
}

export interface RuleCount {
  /** Changed cells. */
  cells: number;
  /** Records with at least one change by this rule. */
  records: number;
}

export interface CleanSummary {
  rows: number;
  /** Records changed by any rule (none is ever dropped). */
  recordsChanged: number;
  cellsChanged: number;
  byRule: Record<CleanRule, RuleCount>;
  /** Records whose inferred_ranks is now > 0 because of this run. */
  recordsInferred: number;
}

const R = TAXONOMIC_RANKS.length; // 7
const SUBFAMILY = RANK_INDEX.subfamily;
const GENUS = RANK_INDEX.genus;
const SPECIES = RANK_INDEX.species;
/** inferred_ranks code of the coarsest copied rank (6 class ... 1 species); phylum counts as class. */
const INFER_CODE = [6, 6, 5, 4, 3, 2, 1];

export function isFiller(label: string): boolean {
  return label.startsWith('unassigned ');
}

/** Applies a label->label map to one rank, logging every changed cell. */
function applyMap(cols: LabelColumns, rank: number, map: Map<number, number>, rule: CleanRule, log: ChangeLog): void {
  if (map.size === 0) return;
  const col = cols.ranks[rank];
  for (let i = 0; i < cols.n; i++) {
    const v = col[i];
    if (v < 0) continue;
    const to = map.get(v);
    if (to !== undefined && to !== v) {
      col[i] = to;
      log.add(i, rank, v, to, rule);
    }
  }
}

function countIds(col: Int32Array, size: number): Int32Array {
  const c = new Int32Array(size);
  for (let i = 0; i < col.length; i++) if (col[i] >= 0) c[col[i]]++;
  return c;
}

/** Ids present in a column. */
function presentIds(col: Int32Array, size: number): number[] {
  const seen = new Uint8Array(size);
  const out: number[] = [];
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (v >= 0 && !seen[v]) {
      seen[v] = 1;
      out.push(v);
    }
  }
  return out;
}

/** Vocabulary-level rules: white space, "Malaise" spelling, placeholder padding, case/padding variants. */
function normaliseVocabulary(cols: LabelColumns, log: ChangeLog, skip: Set<CleanRule>): void {
  const { vocab } = cols;
  for (let r = 0; r < R; r++) {
    if (!skip.has('whitespace')) {
      const map = new Map<number, number>();
      for (const id of presentIds(cols.ranks[r], vocab.labels.length)) {
        const s = vocab.label(id);
        const t = collapseWhitespace(s);
        if (t !== s) map.set(id, vocab.id(t));
      }
      applyMap(cols, r, map, 'whitespace', log);
    }
    if (r >= GENUS && !skip.has('malaise-spelling')) {
      const map = new Map<number, number>();
      for (const id of presentIds(cols.ranks[r], vocab.labels.length)) {
        const s = vocab.label(id);
        const t = fixMalaise(s);
        if (t !== s) map.set(id, vocab.id(t));
      }
      applyMap(cols, r, map, 'malaise-spelling', log);
    }
  }
  if (!skip.has('placeholder-padding')) {
    // "<Genus> Malaise<digits>" species codes: pad shorter numbers to the most common width.
    const ids = presentIds(cols.ranks[SPECIES], vocab.labels.length);
    const widths = new Map<number, number>();
    const counts = countIds(cols.ranks[SPECIES], vocab.labels.length);
    for (const id of ids) {
      const code = malaiseCode(vocab.label(id));
      if (code) widths.set(code.digits.length, (widths.get(code.digits.length) ?? 0) + counts[id]);
    }
    let common = 0;
    let best = -1;
    for (const [w, c] of widths) if (c > best || (c === best && w > common)) [common, best] = [w, c];
    const map = new Map<number, number>();
    for (const id of ids) {
      const code = malaiseCode(vocab.label(id));
      if (code && code.digits.length < common) map.set(id, vocab.id(code.prefix + code.digits.padStart(common, '0')));
    }
    applyMap(cols, SPECIES, map, 'placeholder-padding', log);
  }
  if (!skip.has('variant-unify')) {
    // Labels equal up to case, white space or zero padding: use the version most common across the dataset.
    for (let r = 0; r < R; r++) {
      const counts = countIds(cols.ranks[r], vocab.labels.length);
      const groups = new Map<string, number[]>();
      for (const id of presentIds(cols.ranks[r], vocab.labels.length)) {
        const k = variantKey(vocab.label(id));
        const g = groups.get(k);
        if (g) g.push(id);
        else groups.set(k, [id]);
      }
      const map = new Map<number, number>();
      for (const g of groups.values()) {
        if (g.length < 2) continue;
        let win = g[0];
        for (const id of g) {
          if (counts[id] > counts[win] || (counts[id] === counts[win] && vocab.label(id) < vocab.label(win))) win = id;
        }
        for (const id of g) if (id !== win) map.set(id, win);
      }
      applyMap(cols, r, map, 'variant-unify', log);
    }
  }
}

/** Genus filled from the species' first word; genus/species disagreements resolved by dataset-wide usage. */
function reconcileGenusSpecies(cols: LabelColumns, log: ChangeLog, skip: Set<CleanRule>): void {
  const { vocab, n } = cols;
  const genus = cols.ranks[GENUS];
  const species = cols.ranks[SPECIES];
  const genusCounts = countIds(genus, vocab.labels.length);
  const genusCount = (label: string) => {
    const id = vocab.id(label);
    return id < genusCounts.length ? genusCounts[id] : 0;
  };
  const decided = new Map<number, [number, number]>(); // (genus, species) pair -> resolved pair
  for (let i = 0; i < n; i++) {
    const s = species[i];
    if (s < 0) continue;
    const g = genus[i];
    const sName = vocab.label(s);
    const w = firstWord(sName);
    if (g < 0) {
      if (skip.has('genus-from-species')) continue;
      const to = vocab.id(w);
      genus[i] = to;
      log.add(i, GENUS, -1, to, 'genus-from-species');
      continue;
    }
    const gName = vocab.label(g);
    if (w === gName || skip.has('genus-species-mismatch')) continue;
    const key = g * 67_108_864 + s; // exact while the vocabulary has < 2^26 labels
    let pair = decided.get(key);
    if (!pair) {
      // Trust whichever genus spelling the dataset uses more; a species' first word that is never used as a genus
      // is a typo in the species.
      if (genusCount(w) > genusCounts[g]) pair = [vocab.id(w), s];
      else pair = [g, vocab.id(gName + sName.slice(w.length))];
      decided.set(key, pair);
    }
    if (pair[0] !== g) {
      genus[i] = pair[0];
      log.add(i, GENUS, g, pair[0], 'genus-species-mismatch');
    }
    if (pair[1] !== s) {
      species[i] = pair[1];
      log.add(i, SPECIES, s, pair[1], 'genus-species-mismatch');
    }
  }
}

/** Rows grouped by barcode (CSR): rows of group k are order[start[k] .. start[k+1]). */
function groupRows(barcode: Int32Array): { order: Int32Array; start: Int32Array } {
  let groups = 0;
  for (let i = 0; i < barcode.length; i++) if (barcode[i] + 1 > groups) groups = barcode[i] + 1;
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < barcode.length; i++) if (barcode[i] >= 0) start[barcode[i] + 1]++;
  for (let k = 0; k < groups; k++) start[k + 1] += start[k];
  const fill = start.slice(0, groups);
  const order = new Int32Array(start[groups]);
  for (let i = 0; i < barcode.length; i++) if (barcode[i] >= 0) order[fill[barcode[i]]++] = i;
  return { order, start };
}

/**
 * Per barcode and rank: accept the majority if >= `majority` of the labelled samples agree, else curtail every
 * sample at the preceding rank (dropping a trailing "unassigned X" filler too). Then fill finer (and missing)
 * ranks from same-barcode samples labelled deeper, recording inferred_ranks.
 */
function reconcileBarcodes(
  cols: LabelColumns,
  log: ChangeLog,
  majority: number,
  skip: Set<CleanRule>,
  inferredRows: Uint8Array,
): void {
  const { order, start } = groupRows(cols.barcode);
  const { vocab } = cols;
  const groups = start.length - 1;
  const tally = new Map<number, number>();
  const consensus = new Int32Array(R);
  const datasetCounts = cols.ranks.map((c) => countIds(c, vocab.labels.length));
  /** Dataset-wide most used of the values, when all others are misspellings of it (edit distance <= 2). */
  const typoWinner = (r: number, values: number[]): number => {
    let win = values[0];
    for (const v of values) if (datasetCounts[r][v] > datasetCounts[r][win]) win = v;
    const w = vocab.label(win);
    if (w.length < 5) return -1;
    for (const v of values) if (v !== win && editDistance(vocab.label(v).toLowerCase(), w.toLowerCase()) > 2) return -1;
    return win;
  };
  for (let k = 0; k < groups; k++) {
    const a = start[k];
    const b = start[k + 1];
    if (b - a < 2) continue;
    for (let r = 0; r < R; r++) {
      const col = cols.ranks[r];
      tally.clear();
      let labelled = 0;
      for (let j = a; j < b; j++) {
        const v = col[order[j]];
        if (v >= 0) {
          labelled++;
          tally.set(v, (tally.get(v) ?? 0) + 1);
        }
      }
      if (tally.size < 2) continue;
      let win = -1;
      let best = 0;
      for (const [v, c] of tally)
        if (c > best || (c === best && vocab.label(v) < vocab.label(win))) [win, best] = [v, c];
      if (best >= majority * labelled) {
        if (skip.has('barcode-majority')) continue;
        for (let j = a; j < b; j++) {
          const i = order[j];
          if (col[i] >= 0 && col[i] !== win) {
            log.add(i, r, col[i], win, 'barcode-majority');
            col[i] = win;
          }
        }
        continue;
      }
      // Disagreement by misspelling only: take the version more common across the dataset (A4.4).
      const typo = skip.has('barcode-typo') ? -1 : typoWinner(r, [...tally.keys()]);
      if (typo >= 0) {
        for (let j = a; j < b; j++) {
          const i = order[j];
          if (col[i] >= 0 && col[i] !== typo) {
            log.add(i, r, col[i], typo, 'barcode-typo');
            col[i] = typo;
          }
        }
        continue;
      }
      if (skip.has('barcode-curtail')) break;
      // Curtail at the preceding rank, and further while that rank only holds an "unassigned X" filler.
      let cut = r;
      while (cut > 0) {
        const prev = cols.ranks[cut - 1];
        let filler = false;
        for (let j = a; j < b && !filler; j++) filler = prev[order[j]] >= 0 && isFiller(vocab.label(prev[order[j]]));
        if (!filler) break;
        cut--;
      }
      for (let rr = cut; rr < R; rr++) {
        const c = cols.ranks[rr];
        for (let j = a; j < b; j++) {
          const i = order[j];
          if (c[i] >= 0) {
            log.add(i, rr, c[i], -1, 'barcode-curtail');
            c[i] = -1;
          }
        }
      }
      break;
    }
    if (skip.has('barcode-infer')) continue;
    // Inference: the (now unique) labelled value of each rank, down to the deepest rank anyone labelled.
    let deepest = -1;
    for (let r = 0; r < R; r++) {
      consensus[r] = -1;
      const col = cols.ranks[r];
      for (let j = a; j < b; j++) {
        const v = col[order[j]];
        if (v >= 0) {
          consensus[r] = v;
          deepest = r;
          break;
        }
      }
    }
    for (let j = a; j < b; j++) {
      const i = order[j];
      let code = 0;
      for (let r = 0; r <= deepest; r++) {
        const col = cols.ranks[r];
        if (col[i] < 0 && consensus[r] >= 0) {
          col[i] = consensus[r];
          log.add(i, r, -1, consensus[r], 'barcode-infer');
          if (INFER_CODE[r] > code) code = INFER_CODE[r];
        }
      }
      if (code > 0) {
        if (code > cols.inferred[i]) cols.inferred[i] = code;
        inferredRows[i] = 1;
      }
    }
  }
}

/** Holes between labelled ranks become "unassigned <nearest coarser label>" (A4.3). */
function fillHoles(cols: LabelColumns, log: ChangeLog, allRanks: boolean): void {
  const { vocab, n } = cols;
  for (let i = 0; i < n; i++) {
    let deepest = -1;
    for (let r = R - 1; r >= 0; r--) {
      if (cols.ranks[r][i] >= 0) {
        deepest = r;
        break;
      }
    }
    for (let r = allRanks ? 1 : SUBFAMILY; r < deepest; r++) {
      if (cols.ranks[r][i] >= 0) continue;
      if (!allRanks && (r !== SUBFAMILY || cols.ranks[SUBFAMILY - 1][i] < 0)) break; // "unassigned <Family>" only
      let p = r - 1;
      while (p >= 0 && cols.ranks[p][i] < 0) p--;
      if (p < 0) continue;
      const parent = vocab.label(cols.ranks[p][i]);
      const to = vocab.id(isFiller(parent) ? parent : `unassigned ${parent}`);
      cols.ranks[r][i] = to;
      log.add(i, r, -1, to, 'fill-hole');
    }
  }
}

/** Blanks open-nomenclature species ("Pseudosciara sp.", "Olixon cf. testaceum"). */
function blankOpenNomenclature(cols: LabelColumns, log: ChangeLog): void {
  const col = cols.ranks[SPECIES];
  const verdict = new Map<number, boolean>();
  for (let i = 0; i < cols.n; i++) {
    const v = col[i];
    if (v < 0) continue;
    let open = verdict.get(v);
    if (open === undefined) verdict.set(v, (open = isOpenNomenclature(cols.vocab.label(v))));
    if (open) {
      col[i] = -1;
      log.add(i, SPECIES, v, -1, 'open-nomenclature');
    }
  }
}

/** Runs every rule (the paper's order, open nomenclature moved before the barcode rules), in place. Never removes a row. */
export function cleanColumns(cols: LabelColumns, opts: CleanOptions = {}): { log: ChangeLog; summary: CleanSummary } {
  const log = new ChangeLog();
  const skip = new Set(opts.skip ?? []);
  const inferredRows = new Uint8Array(cols.n);
  normaliseVocabulary(cols, log, skip);
  reconcileGenusSpecies(cols, log, skip);
  // The paper blanks open nomenclature last; doing it before the barcode rules keeps a non-identifying
  // "Pseudosciara sp." from outvoting (curtailing) the real species of its barcode, which inference then restores.
  if (!skip.has('open-nomenclature')) blankOpenNomenclature(cols, log);
  reconcileBarcodes(cols, log, opts.majority ?? 0.9, skip, inferredRows);
  if (!skip.has('fill-hole')) fillHoles(cols, log, opts.fillAllHoles ?? false);
  return { log, summary: summarize(cols.n, log, inferredRows) };
}

function summarize(rows: number, log: ChangeLog, inferredRows: Uint8Array): CleanSummary {
  const byRule = Object.fromEntries(CLEAN_RULES.map((r) => [r, { cells: 0, records: 0 }])) as Record<
    CleanRule,
    RuleCount
  >;
  const lastRow = new Int32Array(CLEAN_RULES.length).fill(-1);
  const touched = new Uint8Array(rows);
  let recordsChanged = 0;
  const order = log.orderByRow();
  for (const e of order) {
    const rule = log.rule[e];
    const row = log.row[e];
    const c = byRule[CLEAN_RULES[rule]];
    c.cells++;
    if (lastRow[rule] !== row) {
      lastRow[rule] = row;
      c.records++;
    }
    if (!touched[row]) {
      touched[row] = 1;
      recordsChanged++;
    }
  }
  let recordsInferred = 0;
  for (let i = 0; i < rows; i++) recordsInferred += inferredRows[i];
  return { rows, recordsChanged, cellsChanged: log.length, byRule, recordsInferred };
}

export function rankName(r: number): TaxonomicRank {
  return TAXONOMIC_RANKS[r];
}
