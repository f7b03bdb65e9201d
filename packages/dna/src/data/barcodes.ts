/**
 * Reads barcode tables in the shared barcodes CSV format (record_id, phylum..species, dna_barcode, ...), or any
 * CSV/TSV with a `dna_barcode` column, for the model commands (pretrain, finetune, probe, embed). Sequences follow
 * core's one barcode rule (normalizeBarcode: gaps removed, upper-case, U read as T); a row without a single
 * A/C/G/T base is no barcode (as in `dna identify`): it is skipped, counted and listed, never silently dropped.
 */
import {
  acgtCount,
  InputError,
  normalizeBarcode,
  openTable,
  TAXONOMIC_RANKS,
  type TaxonomicRank,
} from '@bioscan5m/core';

export interface BarcodeSet {
  file: string;
  recordIds: string[];
  sequences: string[];
  /** Label per rank ('' when missing); only ranks present in the file. */
  labels: Partial<Record<TaxonomicRank, string[]>>;
  /** Physical line of each kept row. */
  lines: number[];
  /** Rows skipped for having no usable sequence (empty, or no A/C/G/T base), with their lines and reasons. */
  skipped: { line: number; reason: string }[];
}

export interface ReadBarcodesOptions {
  /** Column holding the sequence (default dna_barcode). */
  sequenceColumn?: string;
  /** Throw on a row without an A/C/G/T base instead of skipping (and reporting) it. */
  strict?: boolean;
}

export async function readBarcodes(file: string, opts: ReadBarcodesOptions = {}): Promise<BarcodeSet> {
  const seqCol = opts.sequenceColumn ?? 'dna_barcode';
  const table = await openTable(file);
  const [si] = table.requireColumns([seqCol]);
  const idCol = table.column('record_id');
  const rankCols = TAXONOMIC_RANKS.map((r) => [r, table.column(r)] as const).filter(([, i]) => i >= 0);
  const out: BarcodeSet = { file, recordIds: [], sequences: [], labels: {}, lines: [], skipped: [] };
  for (const [r] of rankCols) out.labels[r] = [];
  let row = 0;
  for await (const rec of table) {
    table.assertWidth(rec);
    const raw = rec.fields[si];
    if (acgtCount(raw) === 0) {
      const seq = raw.trim();
      const reason = seq ? `no A/C/G/T base in ${seqCol}` : `empty ${seqCol}`;
      if (opts.strict) throw new InputError({ file, line: rec.line, column: seqCol, value: seq || undefined }, reason);
      out.skipped.push({ line: rec.line, reason });
      row++;
      continue;
    }
    out.sequences.push(normalizeBarcode(raw));
    out.recordIds.push(idCol >= 0 && rec.fields[idCol] ? rec.fields[idCol] : String(row));
    for (const [r, i] of rankCols) out.labels[r]!.push(rec.fields[i].trim());
    out.lines.push(rec.line);
    row++;
  }
  return out;
}
