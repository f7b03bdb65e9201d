/**
 * Label cleaning over in-memory records: builds the columnar table, runs cleanColumns, and returns cleaned copies
 * with a readable change log. For files of any size use runCleanJob (streaming, two passes).
 */
import { TAXONOMIC_RANKS, type MetadataRecord, type TaxonomicRank } from '../schema.js';
import { barcodeKey, BarcodeGroups } from '../barcode/index.js';
import {
  CLEAN_RULES,
  cleanColumns,
  LabelVocab,
  type CleanOptions,
  type CleanRule,
  type CleanSummary,
  type LabelColumns,
} from './columns.js';

export interface LabelChange {
  /** Index of the record in the input. */
  index: number;
  processid: string;
  rank: TaxonomicRank;
  old: string;
  new: string;
  rule: CleanRule;
}

export interface CleanResult {
  /** Cleaned copies, same order and count as the input (no record is ever dropped). */
  records: MetadataRecord[];
  changes: LabelChange[];
  summary: CleanSummary;
}

/** Most specific filled rank: the release's `taxon` column. */
export function taxonOf(labels: readonly string[]): string {
  for (let r = labels.length - 1; r >= 0; r--) if (labels[r]) return labels[r];
  return '';
}

export function cleanLabels(records: readonly MetadataRecord[], opts: CleanOptions = {}): CleanResult {
  const n = records.length;
  const vocab = new LabelVocab();
  const groups = new BarcodeGroups<string>();
  const cols: LabelColumns = {
    n,
    vocab,
    ranks: TAXONOMIC_RANKS.map(() => new Int32Array(n)),
    barcode: new Int32Array(n),
    inferred: new Int8Array(n),
  };
  records.forEach((rec, i) => {
    TAXONOMIC_RANKS.forEach((rank, r) => (cols.ranks[r][i] = vocab.id(rec[rank] ?? '')));
    const b = barcodeKey(rec.dna_barcode ?? '');
    cols.barcode[i] = b ? groups.id(b) : -1;
    cols.inferred[i] = rec.inferred_ranks ?? -1;
  });
  const { log, summary } = cleanColumns(cols, opts);
  const out = records.map((rec, i) => {
    const labels = TAXONOMIC_RANKS.map((_, r) => vocab.label(cols.ranks[r][i]));
    const copy: MetadataRecord = { ...rec, inferred_ranks: Math.max(0, cols.inferred[i]) };
    TAXONOMIC_RANKS.forEach((rank, r) => (copy[rank] = labels[r]));
    if (TAXONOMIC_RANKS.some((rank) => copy[rank] !== rec[rank])) copy.taxon = taxonOf(labels);
    return copy;
  });
  const changes: LabelChange[] = [];
  for (const e of log.orderByRow()) {
    const i = log.row[e];
    changes.push({
      index: i,
      processid: records[i].processid,
      rank: TAXONOMIC_RANKS[log.rank[e]],
      old: vocab.label(log.old[e]),
      new: vocab.label(log.now[e]),
      rule: CLEAN_RULES[log.rule[e]],
    });
  }
  return { records: out, changes, summary };
}
