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
  /** Rows skipped for having no usable sequence (empty, or no A/C/G/T base), with their lines and reasons. */
  skipped: { line: number; reason: string }[];
}

export interface ReadBarcodesOptions {
  /** Column holding the sequence (default dna_barcode). */
  sequenceColumn?: string;
  /** Throw on an empty sequence instead of skipping (and reporting) the row. */
  strict?: boolean;
}

const HAS_BASE = /[ACGTUacgtu]/;

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
    // The identification rule: a sequence without a single A/C/G/T base is no barcode.
    if (!HAS_BASE.test(seq)) {
      const reason = seq ? `no A/C/G/T base in ${seqCol}` : `empty ${seqCol}`;
      if (opts.strict) throw new InputError({ file, line: rec.line, column: seqCol, value: seq || undefined }, reason);
      out.skipped.push({ line: rec.line, reason });
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
