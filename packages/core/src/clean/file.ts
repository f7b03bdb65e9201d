/**
 * `bioscan5m clean` on files of any size: pass 1 scans the label and barcode columns into a columnar table
 * (interned labels, hashed barcodes), the rules run in memory, pass 2 copies the file with the cleaned labels and
 * writes the change log, both atomically. Memory: ~36 bytes per row plus the distinct labels and barcodes.
 */
import { throwIfAborted, type JobControl } from '../contracts/progress.js';
import { InputError } from '../errors.js';
import { createTableWriter } from '../io/table.js';
import { checkOutputPaths } from '../io/output-path.js';
import { parseField, TAXONOMIC_RANKS } from '../schema.js';
import { BarcodeGroups } from '../barcode/index.js';
import { GrowableInt32 } from '../growable-int32.js';
import { rewriteRecords, scanRecords, tableLayout } from '../split/scan.js';
import {
  CLEAN_RULES,
  cleanColumns,
  LabelVocab,
  type CleanOptions,
  type CleanSummary,
  type LabelColumns,
} from './columns.js';
import { taxonOf } from './records.js';

export interface CleanJobOptions extends CleanOptions, JobControl {
  /** Metadata CSV/TSV to clean. */
  input: string;
  /** Cleaned copy of the input (all columns kept; inferred_ranks added when absent). */
  out: string;
  /** Change log CSV: processid, line, rank, old, new, rule. */
  changes?: string;
}

export interface CleanJobSummary extends CleanSummary {
  input: string;
  out: string;
  changes?: string;
  /** What could not be done with this input (e.g. no barcode column), for the person running it. */
  notes: string[];
}

export const CHANGE_LOG_HEADER = ['processid', 'line', 'rank', 'old', 'new', 'rule'] as const;

/** `bioscan5m clean`: the cleaned copy of `input` and, optionally, the change log. */
export async function runCleanJob(opts: CleanJobOptions): Promise<CleanJobSummary> {
  const { input } = opts;
  throwIfAborted(opts.signal);
  checkOutputPaths({ inputs: { metadata: input }, outputs: { out: opts.out, changes: opts.changes } });
  const layout = await tableLayout(input);
  const rankCols = layout.requireColumns(TAXONOMIC_RANKS);
  // Without barcodes (e.g. BIOSCAN-1M metadata) the label rules still run; the per-barcode rules cannot.
  const barcodeCol = layout.column('dna_barcode');
  const notes: string[] = [];
  if (barcodeCol < 0)
    notes.push(
      `${input}: no 'dna_barcode' column: the per-barcode rules (typo, majority, curtail, infer) were skipped`,
    );
  const pidCol = layout.column('processid');
  const infCol = layout.column('inferred_ranks');
  const taxonCol = layout.column('taxon');
  const vocab = new LabelVocab();
  const groups = new BarcodeGroups<number>();
  const ranks = TAXONOMIC_RANKS.map(() => new GrowableInt32());
  const barcode = new GrowableInt32();
  const inferred = new GrowableInt32();
  const n = await scanRecords(input, layout, {
    onProgress: (d, t) => opts.onProgress?.(d, 2 * t),
    signal: opts.signal,
    onRecord(rec) {
      for (let r = 0; r < rankCols.length; r++) ranks[r].push(vocab.id(rec.field(rankCols[r])));
      const h = barcodeCol < 0 ? -1 : rec.hash(barcodeCol);
      barcode.push(h < 0 ? -1 : groups.id(h));
      if (infCol < 0) inferred.push(-1);
      else {
        const raw = rec.field(infCol);
        inferred.push(
          raw === '0'
            ? 0
            : ((parseField('inferred_ranks', raw, { file: input, line: rec.line }) as number | null) ?? -1),
        );
      }
    },
  });
  const cols: LabelColumns = {
    n,
    vocab,
    ranks: ranks.map((c) => c.toArray()),
    barcode: barcode.toArray(),
    inferred: Int8Array.from(inferred.toArray()),
  };
  const { log, summary } = cleanColumns(cols, opts);

  // Pass 2: copy with the cleaned labels, and stream the change log in row order beside it.
  const header = infCol < 0 ? [...layout.header, 'inferred_ranks'] : layout.header;
  const outInf = infCol < 0 ? header.length - 1 : infCol;
  const changes = opts.changes ? createTableWriter(opts.changes, CHANGE_LOG_HEADER) : null;
  const order = log.orderByRow();
  const upd = new Array<string | undefined>(header.length);
  let e = 0;
  try {
    const rows = await rewriteRecords(
      input,
      layout,
      opts.out,
      header,
      (rec) => {
        const i = rec.row;
        if (i >= n)
          throw new InputError(
            { file: input, line: rec.line },
            'file changed while cleaning (more rows than in pass 1)',
          );
        upd.fill(undefined);
        let touched = false;
        let changed = false;
        while (e < order.length && log.row[order[e]] === i) {
          const k = order[e++];
          changed = true;
          changes?.write([
            pidCol >= 0 ? rec.field(pidCol) : '',
            rec.line,
            TAXONOMIC_RANKS[log.rank[k]],
            vocab.label(log.old[k]),
            vocab.label(log.now[k]),
            CLEAN_RULES[log.rule[k]],
          ]);
        }
        if (changed) {
          const labels = TAXONOMIC_RANKS.map((_, r) => vocab.label(cols.ranks[r][i]));
          for (let r = 0; r < rankCols.length; r++) upd[rankCols[r]] = labels[r];
          if (taxonCol >= 0) upd[taxonCol] = taxonOf(labels);
          touched = true;
        }
        const inf = String(Math.max(0, cols.inferred[i]));
        if (infCol < 0 || rec.field(infCol) !== inf) {
          upd[outInf] = inf;
          touched = true;
        }
        return touched ? upd : null;
      },
      (d, t) => opts.onProgress?.(t + d, 2 * t),
      opts.signal,
    );
    if (rows !== n)
      throw new InputError({ file: input }, `file changed while cleaning (${rows} rows in pass 2, ${n} in pass 1)`);
    changes?.close();
  } catch (err) {
    changes?.abort();
    throw err;
  }
  return { ...summary, input, out: opts.out, changes: opts.changes, notes };
}
