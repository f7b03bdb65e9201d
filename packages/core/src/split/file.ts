/**
 * `bioscan5m split` on files of any size: pass 1 scans species, genus and barcode (interned labels, hashed
 * barcodes; ~12 bytes per row plus the distinct barcodes), the split is computed in memory, pass 2 copies the file
 * with `split` and `chunk` filled (columns appended when absent), atomically.
 */
import { throwIfAborted, type JobControl } from '../contracts/progress.js';
import { InputError } from '../errors.js';
import { checkOutputPaths } from '../io/output-path.js';
import { SPLITS } from '../schema.js';
import { LabelVocab } from '../clean/columns.js';
import { BarcodeGroups } from '../barcode/index.js';
import { GrowableInt32 } from '../growable-int32.js';
import { imageChunk } from '../paths/image-path.js';
import { splitColumns, type SplitOptions, type SplitSummary } from './columns.js';
import { rewriteRecords, scanRecords, tableLayout } from './scan.js';

export interface SplitJobOptions extends SplitOptions, JobControl {
  /** Metadata CSV/TSV to partition. */
  input: string;
  /** The copy of `input` with split and chunk filled. */
  out: string;
}

export interface SplitJobSummary extends SplitSummary {
  input: string;
  out: string;
  /** What could not be done with this input (e.g. no barcode column), for the person running it. */
  notes: string[];
}

/** `bioscan5m split`: the paper's partitions (reference.md) written into a copy of `input`. */
export async function runSplitJob(opts: SplitJobOptions): Promise<SplitJobSummary> {
  const { input } = opts;
  throwIfAborted(opts.signal);
  checkOutputPaths({ inputs: { metadata: input }, outputs: { out: opts.out } });
  const layout = await tableLayout(input);
  const [speciesCol] = layout.requireColumns(['species']);
  // Without barcodes every row is its own group (reported), e.g. for BIOSCAN-1M metadata.
  const barcodeCol = layout.column('dna_barcode');
  const notes: string[] = [];
  if (barcodeCol < 0) notes.push(`${input}: no 'dna_barcode' column: every row is its own barcode group`);
  if (layout.column('processid') < 0) notes.push(`${input}: no 'processid' column: chunk left empty`);
  const genusCol = layout.column('genus');
  const vocab = new LabelVocab();
  const groups = new BarcodeGroups<number>();
  const species = new GrowableInt32();
  const genus = new GrowableInt32();
  const barcode = new GrowableInt32();
  const n = await scanRecords(input, layout, {
    onProgress: (d, t) => opts.onProgress?.(d, 2 * t),
    signal: opts.signal,
    onRecord(rec) {
      species.push(vocab.id(rec.field(speciesCol)));
      genus.push(genusCol >= 0 ? vocab.id(rec.field(genusCol)) : -1);
      const h = barcodeCol < 0 ? -1 : rec.hash(barcodeCol);
      barcode.push(h < 0 ? -1 : groups.id(h));
    },
  });
  const { split, summary } = splitColumns(
    {
      n,
      labels: vocab.labels,
      species: species.toArray(),
      genus: genus.toArray(),
      barcode: barcode.toArray(),
      barcodeKey: groups.keys((h) => h),
    },
    opts,
  );

  const header = [...layout.header];
  let splitCol = layout.column('split');
  let chunkCol = layout.column('chunk');
  if (splitCol < 0) splitCol = header.push('split') - 1;
  if (chunkCol < 0) chunkCol = header.push('chunk') - 1;
  const pidCol = layout.column('processid');
  const upd = new Array<string | undefined>(header.length);
  const rows = await rewriteRecords(
    input,
    layout,
    opts.out,
    header,
    (rec) => {
      if (rec.row >= n)
        throw new InputError(
          { file: input, line: rec.line },
          'file changed while splitting (more rows than in pass 1)',
        );
      const s = SPLITS[split[rec.row]];
      upd[splitCol] = s;
      upd[chunkCol] = pidCol >= 0 ? imageChunk(rec.field(pidCol), s) : '';
      return upd;
    },
    (d, t) => opts.onProgress?.(t + d, 2 * t),
    opts.signal,
  );
  if (rows !== n)
    throw new InputError({ file: input }, `file changed while splitting (${rows} rows in pass 2, ${n} in pass 1)`);
  return { ...summary, input, out: opts.out, notes };
}
