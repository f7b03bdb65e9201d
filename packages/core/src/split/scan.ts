/**
 * Fast two-pass table access for the 4 GB release: read a few columns of every record, then rewrite the file with
 * a few columns replaced. Both passes read through the one CSV engine (io/csv.ts) on raw bytes: only the wanted
 * fields are decoded, the barcode is hashed on its bytes, and unchanged records are copied through byte for byte.
 */
import { AtomicFile } from '../io/atomic.js';
import { CsvFileScanner, readTableHeader, tableColumns, type TableColumns } from '../io/csv-file.js';
import { formatCell } from '../io/table.js';
import { barcodeHashBytes } from '../barcode/index.js';
import { InputError } from '../errors.js';
import { isMissing, numberProblem } from '../schema.js';
import { throwIfAborted } from '../contracts/progress.js';
import { numericColumns } from '../metadata/columns.js';

export interface TableLayout extends TableColumns {
  file: string;
  header: string[];
  delimiter: string;
  totalBytes: number;
  /** Byte offset and line of the first record. */
  dataStart: number;
  dataLine: number;
}

/** Header, delimiter, size and column lookup of a table (the engine's header rules). */
export function tableLayout(file: string): TableLayout {
  const head = readTableHeader(file);
  return { ...tableColumns(file, head.header), ...head };
}

/** One record as the scanner sees it. */
export interface RawRecord {
  /** 0-based data row index. */
  row: number;
  /** 1-based physical line where the record starts (header = line 1). */
  line: number;
  /** Field text. */
  field(col: number): string;
  /** Core's barcodeHash of a field, on its bytes. */
  hash(col: number): number;
}

/** Byte spans of an unquoted record in the read buffer (fields [starts[k], ends[k]), the record [start, end)). */
export interface RawSpans {
  buf: Buffer;
  start: number;
  end: number;
  starts: Int32Array;
  ends: Int32Array;
}

export interface ScanOptions {
  /** Initial read buffer in bytes (default 8 MiB; grows for longer records). */
  bufferSize?: number;
  onProgress?: (bytesDone: number, totalBytes: number) => void;
  /** Stops the scan (BIOSCAN5M_INTERRUPTED) when aborted. */
  signal?: AbortSignal;
  /**
   * Called with each record, in order: with its byte spans when no field was quoted (so it can be copied
   * through), else with its decoded fields.
   */
  onRecord: (rec: RawRecord, raw: RawSpans | null, fields: string[] | null) => void;
}

/**
 * Bytes read between returns to the event loop, so that SIGINT/SIGTERM (temp-file removal) are handled within a
 * fraction of a second on a multi-GB file (about 0.05 ms per return: ~50 ms over the 4 GB release).
 */
const YIELD_BYTES = 4 << 20;

/**
 * Streams the data records of `file` (after the header). Every record must have the header's field count and
 * valid numbers in the numeric metadata columns (the schema's rule); a record that does not, or any other
 * malformed record, is an InputError naming file, line (and column and value).
 */
export async function scanRecords(file: string, layout: TableLayout, opts: ScanOptions): Promise<number> {
  const width = layout.header.length;
  const sc = new CsvFileScanner(file, {
    delimiter: layout.delimiter,
    width,
    start: layout.dataStart,
    line: layout.dataLine,
    bufferSize: opts.bufferSize,
  });
  const p = sc.parser;
  let row = 0;
  const rec: RawRecord = {
    row: 0,
    line: 0,
    field: (col) => sc.field(col),
    hash: (col) => barcodeHashBytes(p.source(col, sc.buf), p.starts[col], p.ends[col]),
  };
  const spans: RawSpans = { buf: sc.buf, start: 0, end: 0, starts: p.starts, ends: p.ends };
  const total = Math.max(1, layout.totalBytes);
  const numeric = numericColumns(layout.header);
  let nextReport = 64 << 20;
  let nextYield = YIELD_BYTES;
  try {
    while (sc.next()) {
      if (!sc.ok) throw sc.error();
      for (const { col, spec } of numeric) {
        const v = sc.field(col);
        if (isMissing(v)) continue;
        const problem = numberProblem(spec, v);
        if (problem) throw new InputError({ file, line: sc.line, column: layout.header[col], value: v }, problem);
      }
      rec.row = row++;
      rec.line = sc.line;
      if (p.quoted) opts.onRecord(rec, null, sc.fields());
      else {
        spans.buf = sc.buf;
        spans.start = p.starts[0];
        spans.end = p.ends[width - 1];
        opts.onRecord(rec, spans, null);
      }
      if (sc.bytesDone >= nextReport) {
        nextReport += 64 << 20;
        opts.onProgress?.(sc.bytesDone, total);
      }
      if (sc.bytesDone >= nextYield) {
        nextYield += YIELD_BYTES;
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(opts.signal);
      }
    }
  } finally {
    sc.close();
  }
  opts.onProgress?.(total, total);
  return row;
}

/**
 * Rewrites `file` into `out` with some fields replaced: `edit` returns, per record, new values for some output
 * columns (undefined = keep), or null to keep the record as is. Columns past the input's width are appended
 * (outHeader longer than the input header). Unchanged bytes are copied through; records are written with LF.
 */
export async function rewriteRecords(
  file: string,
  layout: TableLayout,
  out: string,
  outHeader: readonly string[],
  edit: (rec: RawRecord) => (string | undefined)[] | null,
  onProgress?: (bytesDone: number, totalBytes: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  const d = layout.delimiter;
  const width = layout.header.length;
  const extra = outHeader.length - width;
  const w = new AtomicFile(out);
  try {
    w.text(outHeader.map((h) => formatCell(h, d)).join(d) + '\n');
    const rows = await scanRecords(file, layout, {
      onProgress,
      signal,
      onRecord(rec, raw, fields) {
        const upd = edit(rec);
        if (!raw) {
          const f = [...fields!];
          for (let k = 0; k < extra; k++) f.push('');
          if (upd) upd.forEach((v, c) => v !== undefined && (f[c] = v));
          w.text(f.map((v) => formatCell(v, d)).join(d) + '\n');
          return;
        }
        let pos = raw.start;
        if (upd) {
          for (let c = 0; c < width; c++) {
            const v = upd[c];
            if (v === undefined) continue;
            w.bytes(raw.buf, pos, raw.starts[c]);
            w.text(formatCell(v, d));
            pos = raw.ends[c];
          }
        }
        w.bytes(raw.buf, pos, raw.end);
        for (let c = width; c < outHeader.length; c++) w.text(d + formatCell(upd?.[c] ?? '', d));
        w.text('\n');
      },
    });
    w.close();
    return rows;
  } catch (err) {
    w.abort();
    throw err;
  }
}
