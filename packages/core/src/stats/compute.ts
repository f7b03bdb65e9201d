/**
 * `runStatsJob({ input })`: the statistics tables of a metadata CSV/TSV, streamed with the byte-level scanner,
 * split over worker threads by byte range on big files.
 */
import { availableParallelism } from 'node:os';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Bioscan5mError, InputError, type SkippedRow } from '../errors.js';
import { PANDAS_NA_VALUES, TAXONOMIC_RANKS } from '../schema.js';
import { readTableHeader, type TableHeader } from '../io/csv-file.js';
import { mapColumns, type ColumnMapping } from '../metadata/columns.js';
import {
  scanRange,
  ScanInvalidError,
  SCAN_ROLES,
  type InvalidRow,
  type ScanRequest,
  type ScanResult,
  type ScanRole,
} from './scanner.js';
import { mergeScanResults, type LabelCounts } from './counts.js';
import { countRecordLabels } from './records.js';
import { isParquetFile, readMetadata } from '../metadata/read.js';
import { computeTables, type MetadataStats } from './tables.js';
import { throwIfAborted, type JobControl } from '../contracts/progress.js';

export interface StatsOptions extends JobControl {
  /** Worker threads for big files; default: available cores (at most 8). 1 = scan in this thread. */
  threads?: number;
  /** Count and report malformed rows instead of stopping at the first one. */
  skipInvalid?: boolean;
  /** How many skipped rows to describe (default 10). */
  maxExamples?: number;
  /** Files smaller than this are scanned in one thread (default 64 MiB). */
  parallelThreshold?: number;
  /**
   * 'table2' counts only the Table 2 columns (ranks, BIN, barcode): about a third less work when that is all
   * that is asked (`stats --json`); the other tables then come out empty. Default 'all'.
   */
  tables?: 'all' | 'table2';
}

// Table 2's label columns; dna_barcode is counted by hash outside the roles.
const TABLE2_ROLES: ReadonlySet<string> = new Set<string>([...TAXONOMIC_RANKS, 'dna_bin']);

export interface StatsJobSummary extends MetadataStats {
  file: string;
  format: ColumnMapping['format'] | 'parquet';
  /** Metadata fields the file lacks (reported once, not per row). */
  missingColumns: string[];
  skipped: { count: number; examples: SkippedRow[] };
  threads: number;
}

function roleColumns(mapping: ColumnMapping): {
  roles: number[];
  barcode: number;
  present: Set<ScanRole | 'dna_barcode'>;
} {
  const present = new Set<ScanRole | 'dna_barcode'>();
  const roles = SCAN_ROLES.map((r) => {
    const i = mapping.index[r];
    if (i >= 0) present.add(r);
    return i;
  });
  const barcode = mapping.index.dna_barcode;
  if (barcode >= 0) present.add('dna_barcode');
  return { roles, barcode, present };
}

/** Byte offsets where ranges start: roughly equal parts, each moved to just after a line break. */
export function splitAtLineStarts(file: string, start: number, size: number, parts: number): number[] {
  const bounds = [start];
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    for (let k = 1; k < parts; k++) {
      let pos = Math.max(start + Math.floor(((size - start) * k) / parts), bounds[bounds.length - 1]);
      let found = -1;
      while (found < 0 && pos < size) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        // The first line break (LF, CR or CRLF, as the CSV engine reads them) ends the line; a CR that is the
        // last byte read is looked at again with the next byte.
        let i = 0;
        while (i < n && buf[i] !== 10 && buf[i] !== 13) i++;
        if (i < n && buf[i] === 13 && i + 1 === n && pos + n < size) {
          pos += i;
          continue;
        }
        if (i < n) found = pos + i + (buf[i] === 13 && buf[i + 1] === 10 ? 2 : 1);
        else pos += n;
      }
      if (found < 0 || found >= size) break;
      if (found > bounds[bounds.length - 1]) bounds.push(found);
    }
  } finally {
    closeSync(fd);
  }
  bounds.push(size);
  return bounds;
}

/**
 * Line number of the byte at `offset` (1-based, counting every line break before it: LF, CR and CRLF once each,
 * as the CSV engine counts them). Used for error messages of ranges that start mid-file.
 */
function lineAt(file: string, offset: number): number {
  const fd = openSync(file, 'r');
  let line = 1;
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    let prev = 0;
    while (pos < offset) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, offset - pos), pos);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const c = buf[i];
        if (c === 13 || (c === 10 && prev !== 13)) line++;
        prev = c;
      }
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return line;
}

/** The worker entry built beside this module (dist/stats-worker.js or .cjs); null when running from sources. */
function workerScript(): string | null {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  if (ext !== '.js' && ext !== '.cjs') return null;
  const file = path.join(path.dirname(here), `stats-worker${ext}`);
  return existsSync(file) ? file : null;
}

/** Scans a range in a worker thread (script given), or in this thread when running from sources (tests). */
function runRange(
  script: string | null,
  req: ScanRequest,
  onBytes: (done: number) => void,
  signal?: AbortSignal,
): Promise<ScanResult> {
  if (!script) return Promise.resolve().then(() => scanRange(req, onBytes));
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: req });
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      void w.terminate();
      reject(new Bioscan5mError('interrupted', 'BIOSCAN5M_INTERRUPTED', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    w.once('exit', () => signal?.removeEventListener('abort', onAbort));
    w.on('message', (msg: { progress?: number; result?: ScanResult; invalid?: InvalidRow; error?: string }) => {
      if (msg.progress !== undefined) onBytes(msg.progress);
      else if (msg.result) {
        settled = true;
        resolve(msg.result);
      } else if (msg.invalid) {
        settled = true;
        reject(new ScanInvalidError(msg.invalid));
      } else if (msg.error !== undefined) {
        settled = true;
        reject(new Bioscan5mError(`stats worker failed: ${msg.error}`));
      }
    });
    w.on('error', (err) => {
      if (!settled) reject(err);
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Bioscan5mError(`stats worker stopped unexpectedly (exit code ${code})`));
    });
  });
}

/** Line of an invalid record: counted from the range start, or found from its offset for mid-file ranges. */
function invalidLine(file: string, head: TableHeader, rangeStart: number, inv: InvalidRow): number {
  return rangeStart === head.dataStart ? head.dataLine + inv.localLine : lineAt(file, inv.offset);
}

function invalidToError(file: string, head: TableHeader, rangeStart: number, inv: InvalidRow): InputError {
  return new InputError(
    { file, line: invalidLine(file, head, rangeStart, inv), column: inv.column, value: inv.value },
    inv.reason,
  );
}

/** Scans the file and returns merged label counts plus what was skipped. */
export async function countLabels(
  file: string,
  opts: StatsOptions = {},
): Promise<{
  counts: LabelCounts;
  head: TableHeader;
  mapping: ColumnMapping;
  skipped: StatsJobSummary['skipped'];
  threads: number;
}> {
  const head = readTableHeader(file);
  const mapping = mapColumns(head.header);
  const { roles: allRoles, barcode, present } = roleColumns(mapping);
  const roles =
    opts.tables === 'table2' ? allRoles.map((c, r) => (TABLE2_ROLES.has(SCAN_ROLES[r]) ? c : -1)) : allRoles;
  const base: Omit<ScanRequest, 'start' | 'end'> = {
    file,
    delimiter: head.delimiter.charCodeAt(0),
    nColumns: head.header.length,
    roleColumns: roles,
    barcodeColumn: barcode,
    naValues: PANDAS_NA_VALUES,
    skipInvalid: opts.skipInvalid ?? false,
    maxExamples: opts.maxExamples ?? 10,
  };
  const total = head.totalBytes;
  const wanted = opts.threads ?? Math.min(8, availableParallelism());
  const threads = total - head.dataStart < (opts.parallelThreshold ?? 64 << 20) ? 1 : Math.max(1, wanted);

  const runSingle = (): { results: ScanResult[]; starts: number[] } => {
    const req = { ...base, start: head.dataStart, end: total };
    try {
      return {
        results: [scanRange(req, (d) => opts.onProgress?.(head.dataStart + d, total))],
        starts: [head.dataStart],
      };
    } catch (err) {
      if (err instanceof ScanInvalidError) throw invalidToError(file, head, head.dataStart, err.invalid);
      throw err;
    }
  };

  let results: ScanResult[];
  let starts: number[];
  if (threads === 1) {
    ({ results, starts } = runSingle());
  } else {
    const bounds = splitAtLineStarts(file, head.dataStart, total, threads);
    starts = bounds.slice(0, -1);
    const done = new Array(starts.length).fill(0);
    const report = () => opts.onProgress?.(head.dataStart + done.reduce((a, b) => a + b, 0), total);
    try {
      const script = workerScript();
      results = await Promise.all(
        starts.map((s, k) =>
          runRange(
            script,
            { ...base, start: s, end: bounds[k + 1] },
            (d) => {
              done[k] = d;
              report();
            },
            opts.signal,
          ),
        ),
      );
    } catch (err) {
      if (!(err instanceof ScanInvalidError)) throw err;
      // Which range failed is not known here; the record offset tells the line.
      const inv = err.invalid;
      throw new InputError({ file, line: lineAt(file, inv.offset), column: inv.column, value: inv.value }, inv.reason);
    }
    // A line break inside a quoted field can make a range start mid-record: then redo it in one pass.
    if (results.some((r) => r.quotedNewline)) ({ results, starts } = runSingle());
  }
  const counts = mergeScanResults(results, present);
  const examples: SkippedRow[] = [];
  let count = 0;
  results.forEach((r, k) => {
    count += r.invalidCount;
    for (const inv of r.invalid) {
      if (examples.length >= (opts.maxExamples ?? 10)) break;
      const line = invalidLine(file, head, starts[k], inv);
      examples.push({ line, reason: inv.reason, column: inv.column, value: inv.value });
    }
  });
  return { counts, head, mapping, skipped: { count, examples }, threads: results.length };
}

export interface StatsJobOptions extends StatsOptions {
  /** Metadata CSV/TSV or Parquet file. */
  input: string;
}

/** `bioscan5m stats`: all statistics tables of a metadata CSV/TSV (byte scanner) or Parquet file (typed records). */
export async function runStatsJob(opts: StatsJobOptions): Promise<StatsJobSummary> {
  const file = opts.input;
  throwIfAborted(opts.signal);
  if (isParquetFile(file)) {
    const stream = readMetadata(file, {
      skipInvalid: opts.skipInvalid,
      maxExamples: opts.maxExamples,
      onProgress: opts.onProgress,
    });
    const fields = new Set<string>();
    const counts = await countRecordLabels(stream);
    for (const f of [...SCAN_ROLES, 'dna_barcode'])
      if (!stream.summary.missingColumns.includes(f as never)) fields.add(f);
    counts.present = fields as LabelCounts['present'];
    return {
      file,
      format: 'parquet',
      missingColumns: stream.summary.missingColumns,
      skipped: {
        count: stream.summary.skipped,
        examples: stream.summary.examples,
      },
      threads: 1,
      ...computeTables(counts),
    };
  }
  const { counts, mapping, skipped, threads } = await countLabels(file, opts);
  return {
    file,
    format: mapping.format,
    missingColumns: mapping.missing,
    skipped,
    threads,
    ...computeTables(counts, opts.tables ?? 'all'),
  };
}
