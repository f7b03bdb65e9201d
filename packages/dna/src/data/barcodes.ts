/**
 * Reads barcode tables in the shared barcodes CSV format (record_id, phylum..species, dna_barcode, ...), or any
 * CSV/TSV with a `dna_barcode` column. Rows without a sequence are counted and reported, never silently dropped.
 */
import { InputError, openTable, TAXONOMIC_RANKS, type TaxonomicRank } from '@bioscan5m/core';

export interface BarcodeSet {
  file: string;
  recordIds: string[];
  sequences: string[];
  /** Label per rank ('' when missing); only ranks present in the file. */
  labels: Partial<Record<TaxonomicRank, string[]>>;
  /** Physical line of each kept row. */
  lines: number[];
  /** Rows skipped because dna_barcode was empty, with their lines. */
  skipped: { line: number; reason: string }[];
}

export interface ReadBarcodesOptions {
  /** Column holding the sequence (default dna_barcode). */
  sequenceColumn?: string;
  /** Throw on an empty sequence instead of skipping (and reporting) the row. */
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
    const seq = rec.fields[si].trim();
    if (!seq) {
      if (opts.strict) throw new InputError({ file, line: rec.line, column: seqCol }, 'empty DNA sequence');
      out.skipped.push({ line: rec.line, reason: 'empty dna_barcode' });
      row++;
      continue;
    }
    out.sequences.push(seq);
    out.recordIds.push(idCol >= 0 && rec.fields[idCol] ? rec.fields[idCol] : String(row));
    for (const [r, i] of rankCols) out.labels[r]!.push(rec.fields[i].trim());
    out.lines.push(rec.line);
    row++;
  }
  return out;
}
