/**
 * `computeStats(file)`: the statistics tables of a metadata CSV/TSV, streamed with the byte-level scanner,
 * split over worker threads by byte range on big files.
 */
import { availableParallelism } from 'node:os';
import * as fs from 'node:fs';
import { closeSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Bioscan5mError, InputError } from '../errors.js';
import { PANDAS_NA_VALUES, TAXONOMIC_RANKS } from '../schema.js';
import { readFileHeader, type FileHeader } from '../metadata/header.js';
import { mapColumns, type ColumnMapping } from '../metadata/columns.js';
import { scannerModule, SCAN_ROLES, type InvalidRow, type ScanRequest, type ScanResult, type ScanRole } from './scanner.js';
import { mergeScanResults, type LabelCounts } from './counts.js';
import { countRecordLabels } from './records.js';
import { isParquetFile, readMetadata } from '../metadata/read.js';
import { computeTables, type MetadataStats } from './tables.js';

export interface StatsOptions {
  /** Worker threads for big files; default: available cores (at most 8). 1 = scan in this thread. */
  threads?: number;
  /** Count and report malformed rows instead of stopping at the first one. */
  skipInvalid?: boolean;
  /** How many skipped rows to describe (default 10). */
  maxExamples?: number;
  /** Called with (bytes done, total bytes). */
  onProgress?: (done: number, total: number) => void;
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

export interface SkippedRow {
  line: number;
  reason: string;
  column?: string;
  value?: string;
}

export interface StatsReport extends MetadataStats {
  file: string;
  format: ColumnMapping['format'] | 'parquet';
  /** Metadata fields the file lacks (reported once, not per row). */
  missingColumns: string[];
  skipped: { count: number; examples: SkippedRow[] };
  threads: number;
}

const scanner = scannerModule();

function roleColumns(mapping: ColumnMapping): { roles: number[]; barcode: number; present: Set<ScanRole | 'dna_barcode'> } {
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
        const i = buf.indexOf(10);
        if (i >= 0 && i < n) found = pos + i + 1;
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

/** Line number of the byte at `offset` (1-based, counting every line break before it). Used for error messages. */
function lineAt(file: string, offset: number): number {
  const fd = openSync(file, 'r');
  let line = 1;
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    while (pos < offset) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, offset - pos), pos);
      if (n === 0) break;
      for (let i = buf.indexOf(10, 0); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) line++;
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return line;
}

function runWorker(req: ScanRequest, onBytes: (done: number) => void): Promise<ScanResult> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const m = (${scannerModule.toString()})();
    try {
      const res = m.scanRange(workerData, (done) => parentPort.postMessage({ progress: done }), require('node:fs'));
      parentPort.postMessage({ result: res }, [res.barcodeH1.buffer, res.barcodeH2.buffer, res.barcodeCounts.buffer]);
    } catch (err) {
      parentPort.postMessage({ error: { message: err.message, scanInvalid: err.scanInvalid } });
    }
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: req });
    let settled = false;
    w.on('message', (msg: { progress?: number; result?: ScanResult; error?: { message: string; scanInvalid?: InvalidRow } }) => {
      if (msg.progress !== undefined) onBytes(msg.progress);
      else if (msg.result) {
        settled = true;
        resolve(msg.result);
      } else if (msg.error) {
        settled = true;
        reject(Object.assign(new Error(msg.error.message), { scanInvalid: msg.error.scanInvalid }));
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

function invalidToError(file: string, head: FileHeader, rangeStart: number, inv: InvalidRow): InputError {
  const line = (rangeStart === head.dataStart ? 2 : lineAt(file, rangeStart)) + inv.localLine;
  return new InputError({ file, line, column: inv.column, value: inv.value }, inv.reason);
}

/** Scans the file and returns merged label counts plus what was skipped. */
export async function countLabels(
  file: string,
  opts: StatsOptions = {},
): Promise<{ counts: LabelCounts; head: FileHeader; mapping: ColumnMapping; skipped: StatsReport['skipped']; threads: number }> {
  const head = readFileHeader(file);
  const mapping = mapColumns(head.header);
  const { roles: allRoles, barcode, present } = roleColumns(mapping);
  const roles = opts.tables === 'table2' ? allRoles.map((c, r) => (TABLE2_ROLES.has(SCAN_ROLES[r]) ? c : -1)) : allRoles;
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
        results: [scanner.scanRange(req, (d) => opts.onProgress?.(head.dataStart + d, total), fs)],
        starts: [head.dataStart],
      };
    } catch (err) {
      const inv = (err as { scanInvalid?: InvalidRow }).scanInvalid;
      if (inv) throw invalidToError(file, head, head.dataStart, inv);
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
      results = await Promise.all(
        starts.map((s, k) =>
          runWorker({ ...base, start: s, end: bounds[k + 1] }, (d) => {
            done[k] = d;
            report();
          }),
        ),
      );
    } catch (err) {
      const inv = (err as { scanInvalid?: InvalidRow }).scanInvalid;
      if (!inv) throw err;
      // Which range failed is not known here; the record offset tells the line.
      const line = lineAt(file, inv.offset);
      throw new InputError({ file, line, column: inv.column, value: inv.value }, inv.reason);
    }
    // A line break inside a quoted field can make a range start mid-record: then redo it in one pass.
    if (results.some((r) => r.quotedNewline)) ({ results, starts } = runSingle());
  }
  const counts = mergeScanResults(results, present, scanner);
  const examples: SkippedRow[] = [];
  let count = 0;
  results.forEach((r, k) => {
    count += r.invalidCount;
    for (const inv of r.invalid) {
      if (examples.length >= (opts.maxExamples ?? 10)) break;
      const line = starts[k] === head.dataStart ? 2 + inv.localLine : lineAt(file, inv.offset);
      examples.push({ line, reason: inv.reason, column: inv.column, value: inv.value });
    }
  });
  return { counts, head, mapping, skipped: { count, examples }, threads: results.length };
}

/** All statistics tables of a metadata CSV/TSV (byte scanner) or Parquet file (typed records). */
export async function computeStats(file: string, opts: StatsOptions = {}): Promise<StatsReport> {
  if (isParquetFile(file)) {
    const stream = readMetadata(file, { skipInvalid: opts.skipInvalid, maxExamples: opts.maxExamples, onProgress: opts.onProgress });
    const fields = new Set<string>();
    const counts = await countRecordLabels(stream);
    for (const f of [...SCAN_ROLES, 'dna_barcode']) if (!stream.summary.missingColumns.includes(f as never)) fields.add(f);
    counts.present = fields as LabelCounts['present'];
    return {
      file,
      format: 'parquet',
      missingColumns: stream.summary.missingColumns,
      skipped: {
        count: stream.summary.skipped,
        examples: stream.summary.examples.map((e) => ({ line: e.line, reason: e.message })),
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
