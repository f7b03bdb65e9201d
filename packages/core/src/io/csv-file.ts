/**
 * The one CSV/TSV engine, part 2: files. The delimiter rule, the header reader and the file scanner that feeds
 * csv-parser.ts a buffer at a time (see csv-parser.ts for what every reader of core shares through them).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { Bioscan5mError, InputError, UsageError } from '../errors.js';
import { inputFileSize } from './input-file.js';
import { CsvRecordParser, NEED_MORE, BAD_RECORD } from './csv-parser.js';

const LF = 10;
const CR = 13;
const NONE = Number.MAX_SAFE_INTEGER;

/**
 * The delimiter rule: an explicit one wins; else tab for .tsv/.tab files or a header line holding tabs and no
 * comma; else comma.
 */
export function tableDelimiter(file: string, headerLine: string, explicit?: string): string {
  if (explicit !== undefined) {
    if (explicit.length !== 1 || explicit === '"' || explicit === '\n' || explicit === '\r') {
      throw new UsageError(`expected one character other than a quote or a line break, got '${explicit}'`, 'delimiter');
    }
    return explicit;
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return '\t';
  if (headerLine.includes('\t') && !headerLine.includes(',')) return '\t';
  return ',';
}

export interface CsvScanOptions {
  /** The delimiter, as a character or its byte. */
  delimiter: string | number;
  /** Expected field count; 0 = any (no width check). */
  width?: number;
  /** Locate only the first `wanted` fields (default all). */
  wanted?: number;
  /** Columns whose FNV-1a hash the parser computes while splitting (parser.hashes); needs a width. */
  hashColumns?: readonly number[];
  /** Byte offset to start at (default 0: the start of the file, after a byte-order mark). */
  start?: number;
  /** Records that start at or after this offset are left to the next range (default: end of file). */
  end?: number;
  /** Line number of the first record read (default 1); ranges that start mid-file count from 1 and map later. */
  line?: number;
  /** Initial buffer (default 8 MiB; grows for longer records). */
  bufferSize?: number;
  /** A record longer than this is an error (default 256 MiB): an unterminated quote would else read the whole file. */
  maxRecordBytes?: number;
}

/**
 * Reads the records of a file (or of a byte range of it) through a CsvRecordParser, synchronously, a buffer at
 * a time. next() moves to the next record and says whether there is one; then `line`, `offset`, `ok` and the
 * parser's fields describe it. A record that is not ok has `parser.reason`; a fatal one ends the scan.
 */
export class CsvFileScanner {
  readonly file: string;
  readonly parser: CsvRecordParser;
  buf: Buffer;
  /** Line where the current record starts. */
  line = 0;
  /** File offset where the current record starts. */
  offset = 0;
  /** The current record is well-formed. */
  ok = true;
  private fd: number;
  private pos = 0;
  private len = 0;
  private bufOffset: number;
  private filePos: number;
  private eof = false;
  private nextLine: number;
  private done = false;
  private readonly end: number;
  private readonly maxRecordBytes: number;

  constructor(file: string, opts: CsvScanOptions) {
    this.file = file;
    this.parser = new CsvRecordParser(opts.delimiter, opts.width ?? 0, opts.wanted, opts.hashColumns);
    this.buf = Buffer.allocUnsafe(Math.max(4, opts.bufferSize ?? 8 << 20));
    this.end = opts.end ?? NONE;
    this.maxRecordBytes = opts.maxRecordBytes ?? 256 << 20;
    this.nextLine = opts.line ?? 1;
    this.bufOffset = this.filePos = opts.start ?? 0;
    try {
      this.fd = openSync(file, 'r');
    } catch (err) {
      throw new Bioscan5mError(
        `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        'BIOSCAN5M_IO',
      );
    }
    if (this.bufOffset === 0) {
      this.fill();
      if (this.len >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = 3;
    }
  }

  /** Bytes of the file consumed so far. */
  get bytesDone(): number {
    return this.bufOffset + this.pos;
  }

  /** Offset where the next record (or blank line) starts. */
  get nextOffset(): number {
    return this.bufOffset + this.pos;
  }

  private fill(): void {
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.len);
      this.bufOffset += this.pos;
      this.len -= this.pos;
      this.pos = 0;
    } else if (this.len === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    const got = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, this.filePos);
    if (got === 0) this.eof = true;
    this.len += got;
    this.filePos += got;
    this.parser.invalidate();
  }

  next(): boolean {
    if (this.done) return false;
    while (true) {
      if (this.bufOffset + this.pos >= this.end) return this.finish();
      if (this.pos >= this.len) {
        if (this.eof) return this.finish();
        this.fill();
        continue;
      }
      const b = this.buf;
      const c = b[this.pos];
      if (c === LF || c === CR) {
        // A blank line: no record (pandas skips them too).
        if (c === CR && this.pos + 1 >= this.len && !this.eof) {
          this.fill();
          continue;
        }
        this.pos += c === CR && this.pos + 1 < this.len && b[this.pos + 1] === LF ? 2 : 1;
        this.nextLine++;
        continue;
      }
      const r = this.parser.parse(b, this.pos, this.len, this.eof);
      if (r === NEED_MORE) {
        if (this.len - this.pos > this.maxRecordBytes) {
          this.line = this.nextLine;
          this.offset = this.bufOffset + this.pos;
          this.ok = false;
          this.parser.fatal = true;
          this.parser.reason = `record longer than ${this.maxRecordBytes >> 20} MiB: an unterminated quoted field?`;
          this.done = true;
          return true;
        }
        this.fill();
        continue;
      }
      this.line = this.nextLine;
      this.offset = this.bufOffset + this.pos;
      this.ok = r !== BAD_RECORD;
      if (!this.ok && this.parser.fatal) {
        this.done = true;
        return true;
      }
      this.nextLine += this.parser.lines;
      this.pos = this.parser.next;
      return true;
    }
  }

  private finish(): boolean {
    this.close();
    return false;
  }

  /** Field k of the current record as a string. */
  field(k: number): string {
    return this.parser.field(k, this.buf);
  }

  /** The current record's located fields as strings. */
  fields(): string[] {
    return this.parser.fields(this.buf);
  }

  /** The current (malformed) record as an InputError naming file and line. */
  error(): InputError {
    return new InputError({ file: this.file, line: this.line }, this.parser.reason);
  }

  close(): void {
    if (this.done && this.fd < 0) return;
    this.done = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export interface TableHeader {
  file: string;
  /** Column names, trimmed. */
  header: string[];
  delimiter: string;
  /** Byte offset of the first record after the header. */
  dataStart: number;
  /** Line number of the line after the header (2 unless the header spans lines or follows blank lines). */
  dataLine: number;
  totalBytes: number;
}

/**
 * Reads the header record of a CSV/TSV file: names, the delimiter (tableDelimiter's rule) and where the records
 * start. An empty file, or a header that names a column twice, is an InputError.
 */
export function readTableHeader(file: string, opts: { delimiter?: string } = {}): TableHeader {
  const totalBytes = inputFileSize(file);
  const firstLine = readFirstLine(file);
  const delimiter = tableDelimiter(file, firstLine, opts.delimiter);
  const sc = new CsvFileScanner(file, { delimiter, bufferSize: 1 << 16 });
  try {
    if (!sc.next()) throw new InputError({ file, line: 1 }, 'empty file: expected a header row');
    if (!sc.ok) throw sc.error();
    const header = sc.fields().map((h) => h.trim());
    checkHeader(file, sc.line, header);
    return { file, header, delimiter, dataStart: sc.nextOffset, dataLine: sc.line + sc.parser.lines, totalBytes };
  } finally {
    sc.close();
  }
}

/** A header that names a column twice is an error naming both positions (else one copy would silently win). */
function checkHeader(file: string, line: number, header: readonly string[]): void {
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (h === '') return; // unnamed columns (e.g. a trailing delimiter) are never looked up by name
    const first = seen.get(h);
    if (first !== undefined) {
      throw new InputError(
        { file, line, column: h },
        `the header names this column twice (columns ${first + 1} and ${i + 1})`,
      );
    }
    seen.set(h, i);
  });
}

/** The text of the first line (for the delimiter rule), BOM removed. */
function readFirstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const n = readSync(fd, buf, 0, buf.length, 0);
    // A NUL byte never occurs in UTF-8 text: the file is binary (or UTF-16), not a table to read as one column.
    const nul = buf.subarray(0, n).indexOf(0);
    if (nul >= 0)
      throw new InputError(
        { file, line: 1 },
        `not a CSV/TSV text file: binary bytes (a NUL byte at offset ${nul}); tables must be UTF-8 text`,
      );
    let end = 0;
    while (end < n && buf[end] !== LF && buf[end] !== CR) end++;
    let text = buf.toString('utf8', 0, end);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  } finally {
    closeSync(fd);
  }
}

/** Column lookup over a header: index by name, and the required columns named in one InputError. */
export interface TableColumns {
  readonly header: readonly string[];
  /** Index of a column, or -1 when the file has no such column. */
  column(name: string): number;
  /** Indices of the named columns; one InputError naming the file and every missing column. */
  requireColumns(names: readonly string[]): number[];
}

export function tableColumns(file: string, header: readonly string[]): TableColumns {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  return {
    header,
    column: (name) => index.get(name) ?? -1,
    requireColumns(names) {
      const missing = names.filter((n) => !index.has(n));
      if (missing.length) throw missingColumnsError(file, missing, header);
      return names.map((n) => index.get(n)!);
    },
  };
}

/** The error for columns a command needs and a file lacks: names the file and every missing column. */
export function missingColumnsError(
  file: string,
  missing: readonly string[],
  header: readonly string[],
  /** Where the header is: line 1 of a text table; none for Parquet. */
  line: number | undefined = 1,
): InputError {
  return new InputError(
    { file, line },
    `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (header has: ${header.join(', ')})`,
  );
}
