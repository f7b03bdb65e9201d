/**
 * Fast two-pass table access for the 4 GB release: read a few columns of every record, then rewrite the file with
 * a few columns replaced.
 *
 * Why hand-written beside io/table.ts: the generic reader decodes all 23 fields of every record into strings
 * (~12 µs per 830-byte row here, 2 passes x 5.15 M rows = minutes). These passes need 2-9 columns, so they work
 * on raw bytes: Buffer.indexOf (native, vectorised) finds line ends and delimiters, only the wanted fields are
 * decoded, the barcode is hashed on its bytes, and unchanged bytes are copied through to the output. A record
 * containing a quote takes an exact RFC 4180 slow path (quoted delimiters, "" escapes, newlines in fields).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Bioscan5mError, InputError } from '../errors.js';
import { AtomicFile } from '../io/atomic.js';
import { formatCell, openTable } from '../io/table.js';
import { barcodeHashBytes } from '../barcode/index.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;

export interface TableLayout {
  header: string[];
  delimiter: string;
  totalBytes: number;
}

/** Header, delimiter and size, read with the generic reader (so header errors read the same everywhere). */
export async function tableLayout(file: string): Promise<TableLayout & { column(name: string): number; requireColumns(names: readonly string[]): number[] }> {
  const r = await openTable(file);
  const layout = { header: r.header, delimiter: r.delimiter, totalBytes: r.totalBytes, column: r.column, requireColumns: r.requireColumns };
  // Close the generic reader's stream.
  for await (const _ of r) break;
  return layout;
}

/** Splits one record (already known to be complete) into fields, RFC 4180. */
export function parseRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  while (true) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let j = i + 1;
      while (true) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          value += text.slice(j);
          i = n;
          break;
        }
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Anything between the closing quote and the delimiter is kept, as lenient readers do.
      const d = text.indexOf(delimiter, i);
      if (d < 0) {
        fields.push(value + text.slice(i));
        return fields;
      }
      fields.push(value + text.slice(i, d));
      i = d + 1;
      continue;
    }
    const d = text.indexOf(delimiter, i);
    if (d < 0) {
      fields.push(text.slice(i));
      return fields;
    }
    fields.push(text.slice(i, d));
    i = d + 1;
  }
}

/** One record as the scanner sees it: byte offsets of its fields (fast path) or its parsed fields (slow path). */
export interface RawRecord {
  /** 0-based data row index. */
  row: number;
  /** 1-based physical line where the record starts (header = line 1). */
  line: number;
  /** Field text. */
  field(col: number): string;
  /** 53-bit N-stripped barcode hash of a field (see barcodeHash). */
  hash(col: number): number;
}

interface ScanState {
  fd: number;
  buf: Buffer;
  start: number;
  end: number;
  eof: boolean;
  bytesRead: number;
  /** Next quote at or after the last search start, or -1 when none before `quoteScanEnd` (cached: most files have none). */
  quotePos: number;
  quoteScanEnd: number;
}

function refill(s: ScanState): boolean {
  if (s.eof) return false;
  if (s.start > 0) {
    s.buf.copy(s.buf, 0, s.start, s.end);
    s.end -= s.start;
    s.start = 0;
    s.quoteScanEnd = -1;
  }
  if (s.end === s.buf.length) {
    const bigger = Buffer.allocUnsafe(s.buf.length * 2);
    s.buf.copy(bigger, 0, 0, s.end);
    s.buf = bigger;
  }
  const got = readSync(s.fd, s.buf, s.end, s.buf.length - s.end, null);
  if (got === 0) {
    s.eof = true;
    return false;
  }
  s.end += got;
  s.bytesRead += got;
  s.quoteScanEnd = -1;
  return true;
}

/** End (index of the LF, or buffer end at EOF) of the record starting at s.start, honouring quotes; -1 = need more. */
function recordEnd(s: ScanState): { end: number; quoted: boolean; lines: number } | null {
  const { buf } = s;
  const nl = buf.indexOf(LF, s.start);
  const lineEnd = nl < 0 || nl >= s.end ? -1 : nl;
  if (s.quoteScanEnd !== s.end || (s.quotePos >= 0 && s.quotePos < s.start)) {
    const found = buf.indexOf(QUOTE, s.start);
    s.quotePos = found >= 0 && found < s.end ? found : -1;
    s.quoteScanEnd = s.end;
  }
  const q = s.quotePos;
  const quoteIn = q >= 0 && q < (lineEnd < 0 ? s.end : lineEnd);
  if (!quoteIn) {
    if (lineEnd >= 0) return { end: lineEnd, quoted: false, lines: 1 };
    return s.eof ? { end: s.end, quoted: false, lines: 1 } : null;
  }
  let inQuotes = false;
  let lines = 1;
  for (let i = s.start; i < s.end; i++) {
    const c = buf[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF) {
      if (!inQuotes) return { end: i, quoted: true, lines };
      lines++;
    }
  }
  return s.eof ? { end: s.end, quoted: true, lines } : null;
}

export interface ScanOptions {
  /** Initial read buffer in bytes (default 8 MiB; grows for longer records). */
  bufferSize?: number;
  onProgress?: (bytesDone: number, totalBytes: number) => void;
  /** Called with each record, in order. */
  onRecord: (rec: RawRecord, raw: { buf: Buffer; start: number; end: number; starts: Int32Array; ends: Int32Array } | null, fields: string[] | null) => void;
}

/**
 * Streams the data records of `file` (after the header). Every record must have the header's field count; a
 * record that does not gets an InputError naming file and line. Blank lines are skipped.
 */
export function scanRecords(file: string, layout: TableLayout, opts: ScanOptions): number {
  const width = layout.header.length;
  const delim = layout.delimiter.charCodeAt(0);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new Bioscan5mError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'BIOSCAN5M_IO');
  }
  const s: ScanState = { fd, buf: Buffer.allocUnsafe(Math.max(16, opts.bufferSize ?? 8 << 20)), start: 0, end: 0, eof: false, bytesRead: 0, quotePos: -1, quoteScanEnd: -1 };
  const starts = new Int32Array(width + 1);
  const ends = new Int32Array(width + 1);
  let line = 1;
  let row = 0;
  let headerDone = false;
  let fields: string[] | null = null;
  let recLine = 0;
  const rec: RawRecord = {
    row: 0,
    line: 0,
    field: (col) => (fields ? fields[col] : s.buf.toString('utf8', starts[col], ends[col])),
    hash: (col) => {
      if (fields) {
        const b = Buffer.from(fields[col], 'utf8');
        return barcodeHashBytes(b, 0, b.length);
      }
      return barcodeHashBytes(s.buf, starts[col], ends[col]);
    },
  };
  const total = Math.max(1, statSync(file).size);
  let nextReport = 64 << 20;
  try {
    refill(s);
    if (s.end >= 3 && s.buf[0] === 0xef && s.buf[1] === 0xbb && s.buf[2] === 0xbf) s.start = 3;
    while (true) {
      if (s.start >= s.end && !refill(s)) break;
      let r = recordEnd(s);
      while (!r) r = refill(s) ? recordEnd(s) : (recordEnd(s) ?? { end: s.end, quoted: false, lines: 1 });
      let stop = r.end;
      if (stop > s.start && s.buf[stop - 1] === CR) stop--;
      recLine = line;
      line += r.lines;
      const blank = stop === s.start;
      if (!headerDone) {
        headerDone = true;
      } else if (!blank) {
        if (r.quoted) {
          fields = parseRecord(s.buf.toString('utf8', s.start, stop), layout.delimiter);
          if (fields.length !== width) {
            throw new InputError({ file, line: recLine }, `expected ${width} fields as in the header, found ${fields.length}`);
          }
          rec.row = row++;
          rec.line = recLine;
          opts.onRecord(rec, null, fields);
          fields = null;
        } else {
          let col = 0;
          let p = s.start;
          while (true) {
            let d = s.buf.indexOf(delim, p);
            if (d < 0 || d > stop) d = stop;
            if (col < width) {
              starts[col] = p;
              ends[col] = d;
            }
            col++;
            if (d === stop) break;
            p = d + 1;
          }
          if (col !== width) throw new InputError({ file, line: recLine }, `expected ${width} fields as in the header, found ${col}`);
          rec.row = row++;
          rec.line = recLine;
          opts.onRecord(rec, { buf: s.buf, start: s.start, end: stop, starts, ends }, null);
        }
      }
      s.start = Math.min(r.end + 1, s.end);
      if (s.bytesRead - (s.end - s.start) >= nextReport) {
        nextReport += 64 << 20;
        opts.onProgress?.(s.bytesRead - (s.end - s.start), total);
      }
    }
  } finally {
    closeSync(fd);
  }
  opts.onProgress?.(total, total);
  return row;
}

/** Buffered, atomic output fed with byte ranges and strings: the one atomic writer (io/atomic.ts). */
export { AtomicFile as AtomicOutput };

/**
 * Rewrites `file` into `out` with some fields replaced: `edit` returns, per record, new values for some output
 * columns (undefined = keep), or null to keep the record as is. Columns past the input's width are appended
 * (outHeader longer than the input header). Unchanged bytes are copied through; records are written with LF.
 */
export function rewriteRecords(
  file: string,
  layout: TableLayout,
  out: string,
  outHeader: readonly string[],
  edit: (rec: RawRecord) => (string | undefined)[] | null,
  onProgress?: (bytesDone: number, totalBytes: number) => void,
): number {
  const d = layout.delimiter;
  const width = layout.header.length;
  const extra = outHeader.length - width;
  const w = new AtomicFile(out);
  try {
    w.text(outHeader.map((h) => formatCell(h, d)).join(d) + '\n');
    const rows = scanRecords(file, layout, {
      onProgress,
      onRecord(rec, raw, fields) {
        const upd = edit(rec);
        if (fields || !raw) {
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
