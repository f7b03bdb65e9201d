/**
 * Streaming CSV/TSV reading and atomic writing (RFC 4180 quoting, CRLF, BOM, quoted newlines).
 *
 * Hand-written rather than csv-parse/papaparse because every reader here must report the physical line where a
 * record starts (errors name file and line) and keep memory bounded on 4 GB files, at several times the speed of
 * those libraries: the scanner works on whole decoded chunks with charCodeAt and slices fields out once.
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Bioscan5mError, InputError } from '../errors.js';
import { AtomicFile } from './atomic.js';

export interface TableOptions {
  /** Field delimiter; default: tab for .tsv/.tab files or a tab-only header, else comma. */
  delimiter?: string;
}

export interface TableRow {
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export interface TableReader extends AsyncIterable<TableRow> {
  readonly file: string;
  readonly header: string[];
  readonly delimiter: string;
  /** Bytes consumed so far and the file size, for progress bars. */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Index of a column, or -1 when the file has no such column. */
  column(name: string): number;
  /** Indices of the named columns; throws one InputError listing every missing column. */
  requireColumns(names: readonly string[]): number[];
  /** Throws an InputError when a row's field count differs from the header's. */
  assertWidth(row: TableRow): void;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Incremental parser: feed decoded text, get complete records. */
class RecordScanner {
  private buf = '';
  private pos = 0;
  private line = 1;
  private readonly delim: number;
  constructor(
    delimiter: string,
    private readonly file: string,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  push(text: string): void {
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
    this.pos = 0;
  }

  /** Next complete record, or null when more input is needed (or, at EOF, when input is exhausted). */
  next(eof: boolean): TableRow | null {
    const s = this.buf;
    const n = s.length;
    let i = this.pos;
    if (i >= n) return null;
    const startLine = this.line;
    let lines = 0;
    const fields: string[] = [];
    let fieldStart = i;
    while (true) {
      if (i >= n) {
        if (!eof) return null;
        fields.push(s.slice(fieldStart, i));
        this.pos = i;
        this.line = startLine + lines;
        return { line: startLine, fields };
      }
      let c = s.charCodeAt(i);
      if (c === QUOTE && i === fieldStart) {
        // Quoted field: scan to the closing quote, unescaping "" pairs.
        let j = i + 1;
        let value = '';
        let chunkStart = j;
        while (true) {
          const q = s.indexOf('"', j);
          if (q < 0) {
            if (!eof) return null;
            throw new InputError({ file: this.file, line: startLine }, 'unterminated quoted field');
          }
          if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(chunkStart, q + 1);
            j = q + 2;
            chunkStart = j;
            continue;
          }
          if (q + 1 >= n && !eof) return null;
          value += s.slice(chunkStart, q);
          for (let k = i; k < q; k++) if (s.charCodeAt(k) === LF) lines++;
          i = q + 1;
          break;
        }
        // After the closing quote: delimiter, end of line or end of input.
        c = i < n ? s.charCodeAt(i) : -1;
        if (c === this.delim) {
          fields.push(value);
          i++;
          fieldStart = i;
          continue;
        }
        if (c === -1) {
          fields.push(value);
          this.pos = i;
          this.line = startLine + lines;
          return { line: startLine, fields };
        }
        if (c === LF || c === CR) {
          return this.endRecord(s, i, fields, value, startLine, lines, eof);
        }
        throw new InputError({ file: this.file, line: startLine + lines }, 'unexpected character after closing quote');
      }
      if (c === this.delim) {
        fields.push(s.slice(fieldStart, i));
        i++;
        fieldStart = i;
        continue;
      }
      if (c === LF || c === CR) {
        return this.endRecord(s, i, fields, s.slice(fieldStart, i), startLine, lines, eof);
      }
      i++;
    }
  }

  private endRecord(
    s: string,
    i: number,
    fields: string[],
    last: string,
    startLine: number,
    lines: number,
    eof: boolean,
  ): TableRow | null {
    if (s.charCodeAt(i) === CR) {
      if (i + 1 >= s.length && !eof) return null; // a CRLF may straddle chunks
      if (s.charCodeAt(i + 1) === LF) i++;
    }
    fields.push(last);
    this.pos = i + 1;
    this.line = startLine + lines + 1;
    return { line: startLine, fields };
  }
}

function sniffDelimiter(file: string, headerLine: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return '\t';
  if (headerLine.includes('\t') && !headerLine.includes(',')) return '\t';
  return ',';
}

function isBlank(row: TableRow): boolean {
  return row.fields.length === 1 && row.fields[0] === '';
}

/** Size of an input table file, or a clear error when it is missing, unreadable or a folder. */
export function inputFileSize(file: string): number {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new Bioscan5mError(`${file}: is a directory, expected a CSV/TSV file`, 'BIOSCAN5M_IO');
    return st.size;
  } catch (err) {
    if (err instanceof Bioscan5mError) throw err;
    throw new Bioscan5mError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'BIOSCAN5M_IO');
  }
}

/** Opens a CSV/TSV file for streaming; reads the header eagerly. */
export async function openTable(file: string, opts: TableOptions = {}): Promise<TableReader> {
  const size = inputFileSize(file);
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const decoder = new StringDecoder('utf8');
  let bytesRead = 0;
  let eof = false;
  let first = true;
  let scanner: RecordScanner | null = null;
  let pending = '';

  const pull = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done) {
      eof = true;
      const tail = decoder.end();
      if (tail) scanner?.push(tail);
      return false;
    }
    bytesRead += r.value.length;
    let text = decoder.write(r.value);
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (scanner) scanner.push(text);
    else pending += text;
    return true;
  };

  // Header: read until the first line break is present so the delimiter can be sniffed.
  while (!eof && !/[\r\n]/.test(pending)) await pull();
  const firstLine = pending.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = opts.delimiter ?? sniffDelimiter(file, firstLine);
  scanner = new RecordScanner(delimiter, file);
  scanner.push(pending);
  pending = '';

  const nextRow = async (): Promise<TableRow | null> => {
    while (true) {
      const row = scanner!.next(eof);
      if (row) return row;
      if (eof) return null;
      await pull();
    }
  };

  const headerRow = await nextRow();
  if (!headerRow || (isBlank(headerRow) && eof)) {
    stream.destroy();
    throw new InputError({ file, line: 1 }, 'empty file: expected a header row');
  }
  const header = headerRow.fields.map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });

  const reader: TableReader = {
    file,
    header,
    delimiter,
    get bytesRead() {
      return bytesRead;
    },
    totalBytes: size,
    column: (name) => index.get(name) ?? -1,
    requireColumns(names) {
      const missing = names.filter((n) => !index.has(n));
      if (missing.length) {
        throw new InputError(
          { file, line: 1 },
          `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (header has: ${header.join(', ')})`,
        );
      }
      return names.map((n) => index.get(n)!);
    },
    assertWidth(row) {
      if (row.fields.length !== header.length) {
        throw new InputError(
          { file, line: row.line },
          `expected ${header.length} fields as in the header, found ${row.fields.length}`,
        );
      }
    },
    async *[Symbol.asyncIterator]() {
      try {
        while (true) {
          const row = await nextRow();
          if (!row) return;
          if (isBlank(row)) continue; // empty lines (e.g. a trailing newline) carry no record
          yield row;
        }
      } finally {
        stream.destroy();
      }
    },
  };
  return reader;
}

export interface Table {
  header: string[];
  rows: string[][];
  /** Physical line of each row. */
  lines: number[];
}

/** Reads a whole (small) table into memory; rows must match the header's width. */
export async function readTable(file: string, opts: TableOptions = {}): Promise<Table> {
  const reader = await openTable(file, opts);
  const rows: string[][] = [];
  const lines: number[] = [];
  for await (const row of reader) {
    reader.assertWidth(row);
    rows.push(row.fields);
    lines.push(row.line);
  }
  return { header: reader.header, rows, lines };
}

export type Cell = string | number | boolean | null | undefined;

export function formatCell(value: Cell, delimiter = ','): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  if (s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r')) {
    return `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

export interface TableWriter {
  readonly file: string;
  readonly rowsWritten: number;
  write(fields: readonly Cell[]): void;
  /** Flushes and moves the finished file into place. */
  close(): void;
  /** Drops the partial output. */
  abort(): void;
}

/** Writes a CSV/TSV atomically: rows go to a temporary file that replaces `file` on close(). */
export function createTableWriter(file: string, header: readonly string[], opts: TableOptions = {}): TableWriter {
  const delimiter = opts.delimiter ?? (/\.(tsv|tab)$/i.test(file) ? '\t' : ',');
  const out = new AtomicFile(file);
  let rows = 0;
  const writeLine = (fields: readonly Cell[]) => {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      if (i) line += delimiter;
      line += formatCell(fields[i], delimiter);
    }
    out.text(line + '\n');
  };
  writeLine(header);
  return {
    file,
    get rowsWritten() {
      return rows;
    },
    write(fields) {
      if (fields.length !== header.length) {
        out.abort();
        throw new Bioscan5mError(`${file}: row ${rows + 1} has ${fields.length} fields, header has ${header.length}`);
      }
      writeLine(fields);
      rows++;
    },
    close: () => out.close(),
    abort: () => out.abort(),
  };
}
