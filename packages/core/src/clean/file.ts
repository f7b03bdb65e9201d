/**
 * `bioscan5m clean` on files of any size: pass 1 streams the label and barcode columns into a columnar table
 * (interned labels, hashed barcodes), the rules run in memory, pass 2 streams the file again and writes the
 * cleaned copy and the change log atomically. Memory: ~35 bytes per row plus the distinct labels and barcodes.
 */
import { InputError } from '../errors.js';
import { createTableWriter, openTable } from '../io/table.js';
import { parseField, TAXONOMIC_RANKS } from '../schema.js';
import { barcodeHash, BarcodeGroups, GrowableInt32 } from '../split/barcode.js';
import { CLEAN_RULES, cleanColumns, LabelVocab, type CleanOptions, type CleanSummary, type LabelColumns } from './columns.js';
import { taxonOf } from './records.js';

export interface CleanFileOptions extends CleanOptions {
  /** Cleaned copy of the input (all columns kept; inferred_ranks added when absent). */
  out: string;
  /** Change log CSV: processid, line, rank, old, new, rule. */
  changes?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface CleanFileSummary extends CleanSummary {
  input: string;
  out: string;
  changes?: string;
}

export const CHANGE_LOG_HEADER = ['processid', 'line', 'rank', 'old', 'new', 'rule'] as const;

export async function cleanMetadataFile(input: string, opts: CleanFileOptions): Promise<CleanFileSummary> {
  const reader = await openTable(input);
  const rankCols = reader.requireColumns([...TAXONOMIC_RANKS, 'dna_barcode']);
  const barcodeCol = rankCols.pop()!;
  const pidCol = reader.column('processid');
  const infCol = reader.column('inferred_ranks');
  const total = reader.totalBytes * 2;
  const vocab = new LabelVocab();
  const groups = new BarcodeGroups<number>();
  const ranks = TAXONOMIC_RANKS.map(() => new GrowableInt32());
  const barcode = new GrowableInt32();
  const inferred = new GrowableInt32();
  let n = 0;
  for await (const row of reader) {
    reader.assertWidth(row);
    const f = row.fields;
    for (let r = 0; r < rankCols.length; r++) ranks[r].push(vocab.id(f[rankCols[r]]));
    const h = barcodeHash(f[barcodeCol]);
    barcode.push(h < 0 ? -1 : groups.id(h));
    inferred.push(infCol < 0 ? -1 : ((parseField('inferred_ranks', f[infCol], { file: input, line: row.line }) as number | null) ?? -1));
    if (++n % 65536 === 0) opts.onProgress?.(reader.bytesRead, total);
  }
  const cols: LabelColumns = {
    n,
    vocab,
    ranks: ranks.map((c) => c.toArray()),
    barcode: barcode.toArray(),
    inferred: Int8Array.from(inferred.toArray()),
  };
  const { log, summary } = cleanColumns(cols, opts);

  // Pass 2: rewrite with the cleaned labels, and stream the change log in row order beside it.
  const reader2 = await openTable(input);
  const taxonCol = reader2.column('taxon');
  const header = infCol < 0 ? [...reader2.header, 'inferred_ranks'] : reader2.header;
  const outInf = infCol < 0 ? header.length - 1 : infCol;
  const writer = createTableWriter(opts.out, header);
  const changes = opts.changes ? createTableWriter(opts.changes, CHANGE_LOG_HEADER) : null;
  const order = log.orderByRow();
  let e = 0;
  let i = 0;
  try {
    for await (const row of reader2) {
      const f = row.fields;
      if (i >= n) throw new InputError({ file: input, line: row.line }, 'file changed while cleaning (more rows than in pass 1)');
      if (infCol < 0) f.push('');
      let changed = false;
      while (e < order.length && log.row[order[e]] === i) {
        const k = order[e++];
        changed = true;
        changes?.write([
          pidCol >= 0 ? f[pidCol] : '',
          row.line,
          TAXONOMIC_RANKS[log.rank[k]],
          vocab.label(log.old[k]),
          vocab.label(log.now[k]),
          CLEAN_RULES[log.rule[k]],
        ]);
      }
      if (changed) {
        const labels = TAXONOMIC_RANKS.map((_, r) => vocab.label(cols.ranks[r][i]));
        for (let r = 0; r < rankCols.length; r++) f[rankCols[r]] = labels[r];
        if (taxonCol >= 0) f[taxonCol] = taxonOf(labels);
      }
      const inf = cols.inferred[i];
      f[outInf] = inf < 0 ? (infCol < 0 ? '0' : f[outInf] || '0') : String(inf);
      writer.write(f);
      i++;
      if (i % 65536 === 0) opts.onProgress?.(reader.totalBytes + reader2.bytesRead, total);
    }
    if (i !== n) throw new InputError({ file: input }, `file changed while cleaning (${i} rows in pass 2, ${n} in pass 1)`);
    writer.close();
    changes?.close();
  } catch (err) {
    writer.abort();
    changes?.abort();
    throw err;
  }
  opts.onProgress?.(total, total);
  return { ...summary, input, out: opts.out, changes: opts.changes };
}
