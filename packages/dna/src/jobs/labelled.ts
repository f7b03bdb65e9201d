/** Labelled rows of a barcode set, as the DNA model jobs use them. */
import { InputError, TAXONOMIC_RANKS, UsageError, type TaxonomicRank } from '@bioscan5m/core';
import type { BarcodeSet } from '../data/barcodes.js';
import { sequenceReport } from '../data/sequences.js';
import type { LabelledFileReport } from './types.js';

export interface LabelledSequences {
  sequences: string[];
  labels: string[];
  recordIds: string[];
  /** Rows of the file left out: no usable sequence, or no label at this rank. */
  skipped: number;
}

/** Rows of a barcode set labelled at `rank`. */
export function labelledAt(set: BarcodeSet, rank: TaxonomicRank): LabelledSequences {
  const labels = set.labels[rank];
  if (!labels)
    throw new InputError(
      { file: set.file, line: 1 },
      `no '${rank}' column (needed for labels; ranks: ${TAXONOMIC_RANKS.join(', ')})`,
    );
  const out: LabelledSequences = { sequences: [], labels: [], recordIds: [], skipped: set.skipped.length };
  labels.forEach((l, i) => {
    if (!l) {
      out.skipped++;
      return;
    }
    out.sequences.push(set.sequences[i]);
    out.labels.push(l);
    out.recordIds.push(set.recordIds[i]);
  });
  return out;
}

/** A taxonomic rank name from user input (a flag value), or a UsageError listing the ranks. */
export function parseRank(rank: string, option = 'rank'): TaxonomicRank {
  if (!(TAXONOMIC_RANKS as readonly string[]).includes(rank))
    throw new UsageError(`unknown rank '${rank}' (expected one of ${TAXONOMIC_RANKS.join(', ')})`, option);
  return rank as TaxonomicRank;
}

/** Rows of a labelled file: used, or skipped (no usable sequence, or no label at the rank). */
export function fileReport(set: BarcodeSet, used: LabelledSequences, maxLen: number | null): LabelledFileReport {
  return { rows: used.sequences.length, skipped: used.skipped, sequences: sequenceReport(set, maxLen, used.sequences) };
}

/** Distinct labels absent from `known`. */
export function unseenClasses(known: Iterable<string>, labels: readonly string[]): number {
  const k = new Set(known);
  return new Set(labels.filter((l) => !k.has(l))).size;
}
