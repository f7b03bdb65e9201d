/**
 * `bioscan5m split` on files of any size: pass 1 streams species, genus and barcode (interned labels, hashed
 * barcodes; ~12 bytes per row plus the distinct barcodes), the split is computed in memory, pass 2 rewrites the
 * file with `split` and `chunk` filled (columns appended when absent), atomically.
 */
import { InputError } from '../errors.js';
import { createTableWriter, openTable } from '../io/table.js';
import { SPLITS } from '../schema.js';
import { LabelVocab } from '../clean/columns.js';
import { barcodeHash, BarcodeGroups, GrowableInt32 } from './barcode.js';
import { chunkFor } from './chunk.js';
import { splitColumns, type SplitOptions, type SplitSummary } from './columns.js';

export interface SplitFileOptions extends SplitOptions {
  out: string;
  onProgress?: (done: number, total: number) => void;
}

export interface SplitFileSummary extends SplitSummary {
  input: string;
  out: string;
}

export async function splitMetadataFile(input: string, opts: SplitFileOptions): Promise<SplitFileSummary> {
  const reader = await openTable(input);
  const [speciesCol, barcodeCol] = reader.requireColumns(['species', 'dna_barcode']);
  const genusCol = reader.column('genus');
  const total = reader.totalBytes * 2;
  const vocab = new LabelVocab();
  const groups = new BarcodeGroups<number>();
  const species = new GrowableInt32();
  const genus = new GrowableInt32();
  const barcode = new GrowableInt32();
  let n = 0;
  for await (const row of reader) {
    reader.assertWidth(row);
    const f = row.fields;
    species.push(vocab.id(f[speciesCol]));
    genus.push(genusCol >= 0 ? vocab.id(f[genusCol]) : -1);
    const h = barcodeHash(f[barcodeCol]);
    barcode.push(h < 0 ? -1 : groups.id(h));
    if (++n % 65536 === 0) opts.onProgress?.(reader.bytesRead, total);
  }
  const { split, summary } = splitColumns(
    { n, labels: vocab.labels, species: species.toArray(), genus: genus.toArray(), barcode: barcode.toArray() },
    opts,
  );

  const reader2 = await openTable(input);
  const header = [...reader2.header];
  let splitCol = reader2.column('split');
  let chunkCol = reader2.column('chunk');
  if (splitCol < 0) splitCol = header.push('split') - 1;
  if (chunkCol < 0) chunkCol = header.push('chunk') - 1;
  const pidCol = reader2.column('processid');
  const writer = createTableWriter(opts.out, header);
  let i = 0;
  try {
    for await (const row of reader2) {
      const f = row.fields;
      if (i >= n) throw new InputError({ file: input, line: row.line }, 'file changed while splitting (more rows than in pass 1)');
      while (f.length < header.length) f.push('');
      const s = SPLITS[split[i]];
      f[splitCol] = s;
      f[chunkCol] = pidCol >= 0 ? chunkFor(f[pidCol], s) : '';
      writer.write(f);
      if (++i % 65536 === 0) opts.onProgress?.(reader.totalBytes + reader2.bytesRead, total);
    }
    if (i !== n) throw new InputError({ file: input }, `file changed while splitting (${i} rows in pass 2, ${n} in pass 1)`);
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  opts.onProgress?.(total, total);
  return { ...summary, input, out: opts.out };
}
