/**
 * One prediction as the user sees it: the columns of the predictions CSV (`dna identify --out`) and the records of
 * the identification service's answers are this one record, so the two cannot drift apart.
 */
import type { CleanedBarcode } from './clean.js';
import type { Identification } from './identifier.js';
import { IDENTIFY_RANKS } from './reference.js';

export const PREDICTION_COLUMNS = [
  'record_id',
  ...IDENTIFY_RANKS,
  'confidence',
  'novel',
  'identity',
  'nearest_record_id',
  'note',
] as const;

export type PredictionColumn = (typeof PREDICTION_COLUMNS)[number];

/** A prediction keyed by PREDICTION_COLUMNS: ranks phylum..species ('' where not given), then the numbers. */
export type PredictionRecord = {
  [C in PredictionColumn]: C extends 'confidence' | 'identity' ? number : C extends 'novel' ? boolean : string;
};

/** Why a query got no lineage ('' when it got one). */
export function predictionNote(barcode: string, cleaned: CleanedBarcode, p: Identification): string {
  if (p.status === 'no-sequence') return barcode.trim() ? `too few A/C/G/T bases (${cleaned.acgt})` : 'empty barcode';
  if (p.status === 'no-hit')
    return p.identity > 0
      ? `no similar reference barcode (best identity ${p.identity} is no better than the query shuffled)`
      : 'no similar reference barcode';
  return '';
}

/** The prediction record of query `id` (raw `barcode`, its cleaning, its identification). */
export function predictionRecord(
  id: string,
  barcode: string,
  cleaned: CleanedBarcode,
  p: Identification,
): PredictionRecord {
  const rec = { record_id: id } as Record<string, string | number | boolean>;
  IDENTIFY_RANKS.forEach((rank, r) => (rec[rank] = p.lineage[r]));
  rec.confidence = p.status === 'ok' ? p.confidence : 0;
  rec.novel = p.novel;
  rec.identity = p.identity;
  rec.nearest_record_id = p.nearest;
  rec.note = predictionNote(barcode, cleaned, p);
  return rec as PredictionRecord;
}

/** The record's cells in PREDICTION_COLUMNS order (a CSV row). */
export function predictionCells(rec: PredictionRecord): (string | number | boolean)[] {
  return PREDICTION_COLUMNS.map((c) => rec[c]);
}
