/**
 * What a DNA job did with the sequences of its input: rows used, rows skipped for having no A/C/G/T base at all
 * (the rule `dna identify` applies too), and sequences cut to the model's input length. Jobs return it in their
 * summaries and the CLI prints it, so nothing is dropped or shortened silently.
 */
import { barcodeKey } from '@bioscan5m/core';
import type { BarcodeSet } from './barcodes.js';

/** Skipped rows listed by line in a report (the count covers all of them). */
export const LISTED_SKIPS = 5;

export interface SequenceReport {
  /** Data rows in the file. */
  rows: number;
  /** Rows whose sequence the job used. */
  used: number;
  /** Rows without a usable sequence (empty, or no A/C/G/T base), not used. */
  skipped: number;
  /** The first few skipped rows (file line and reason). */
  firstSkipped: { line: number; reason: string }[];
  /** Used sequences longer than the model reads, cut to `maxLen` nucleotides (0 without a model). */
  truncated: number;
  /** The model's input length in nucleotides, or null when the job has no model (e.g. the CNN baseline). */
  maxLen: number | null;
}

/** The report for a barcode set whose `sequences` (or the subset `used`) go into a model of input length maxLen. */
export function sequenceReport(
  set: BarcodeSet,
  maxLen: number | null,
  used: readonly string[] = set.sequences,
): SequenceReport {
  let truncated = 0;
  if (maxLen !== null) for (const s of used) if (barcodeKey(s).length > maxLen) truncated++; // the tokenizer drops trailing N before cutting
  return {
    rows: set.sequences.length + set.skipped.length,
    used: used.length,
    skipped: set.skipped.length,
    firstSkipped: set.skipped.slice(0, LISTED_SKIPS),
    truncated,
    maxLen,
  };
}
