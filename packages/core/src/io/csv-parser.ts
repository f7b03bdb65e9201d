/**
 * The one CSV/TSV engine of the toolkit, part 1: the byte-level RFC 4180 record parser (csv-file.ts reads files
 * through it). Every table reader of core (openTable/readTable/readMetadata, stats, split, clean) reads through it, so a file
 * reads the same everywhere: LF, CRLF and bare CR end lines alike, a UTF-8 byte-order mark is skipped, quoted
 * fields may hold delimiters, `""` and line breaks, blank lines are no records, and line numbers (1-based, header
 * = line 1) count every line break, including those inside quoted fields.
 *
 * Hand-written rather than csv-parse/papaparse: these readers must report the physical line where each record
 * starts, scan 4 GB files in bounded memory at several hundred MB/s on raw bytes (no string per field unless
 * asked), skip what a command does not need, and tell apart a bad record the reader can step over (wrong field
 * count, text after a closing quote) from one it cannot (an unterminated quote).
 */
const LF = 10;
const CR = 13;
const QUOTE = 34;
const NONE = Number.MAX_SAFE_INTEGER;

/** parse(): the buffer ends before the record does; read more (or pass eof). */
export const NEED_MORE = -1;
/** parse(): the record is malformed (`reason`); `fatal` says whether reading can go on after it. */
export const BAD_RECORD = -2;

/**
 * Splits records into fields on a byte buffer. After parse() returns a position (or BAD_RECORD), `count` holds
 * the record's field count, field k < min(count, wanted) spans [starts[k], ends[k]) of `buf` or, when
 * inScratch[k], of `scratch` (quoted fields, unescaped); `next` is where the following record starts and `lines`
 * how many line breaks the record used. The parser caches where the next quote and CR are: the caller calls
 * invalidate() whenever the buffer's bytes move or another buffer is passed.
 */
export class CsvRecordParser {
  readonly delimiter: number;
  /** Expected field count (0 = any). */
  readonly width: number;
  /** Fields past this index are counted, not located. */
  readonly wanted: number;
  starts: Int32Array;
  ends: Int32Array;
  inScratch: Uint8Array;
  /** FNV-1a (32-bit) of field k's bytes, for the columns flagged in hashColumns (counting consumers). */
  hashes: Uint32Array;
  scratch: Buffer = Buffer.allocUnsafe(1 << 12);
  count = 0;
  lines = 0;
  next = 0;
  reason = '';
  fatal = false;
  /** The last record had a quoted field. */
  quoted = false;
  /** Some record so far had a line break inside a quoted field. */
  quotedLineBreak = false;
  private scratchUsed = 0;
  private nextQuote = -1;
  private nextCR = -1;
  /** Columns seen long (> 96 bytes): searched with the native indexOf instead of a byte loop. */
  private long: Uint8Array;
  /** Columns whose hash is wanted (1), with a fixed width only; hashing while splitting saves a pass. */
  private readonly hashColumns: Uint8Array | null;

  constructor(delimiter: string | number, width = 0, wanted = width, hashColumns?: readonly number[]) {
    this.delimiter = typeof delimiter === 'number' ? delimiter : delimiter.charCodeAt(0);
    this.width = width;
    this.wanted = width > 0 ? Math.min(wanted || width, width) : NONE;
    const n = width > 0 ? width + 1 : 16;
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.inScratch = new Uint8Array(n);
    this.long = new Uint8Array(n);
    this.hashes = new Uint32Array(n);
    this.hashColumns = null;
    if (hashColumns?.length) {
      if (width <= 0) throw new Error('CsvRecordParser: hashColumns needs a fixed width');
      this.hashColumns = new Uint8Array(n);
      for (const c of hashColumns) if (c >= 0 && c < width) this.hashColumns[c] = 1;
    }
  }

  /** Forgets cached positions (call after the buffer's contents moved or grew). */
  invalidate(): void {
    this.nextQuote = -1;
    this.nextCR = -1;
  }

  /** Parses the record at buf[p] (p < limit); see the class comment for the results. */
  parse(buf: Uint8Array, p: number, limit: number, eof: boolean): number {
    this.fatal = false;
    this.quoted = false;
    if (this.nextQuote < p) {
      const q = buf.indexOf(QUOTE, p);
      this.nextQuote = q < 0 || q >= limit ? NONE : q;
    }
    if (this.nextCR < p) {
      const r = buf.indexOf(CR, p);
      this.nextCR = r < 0 || r >= limit ? NONE : r;
    }
    let lineEnd = buf.indexOf(LF, p);
    if (lineEnd < 0 || lineEnd >= limit) lineEnd = NONE;
    let after: number;
    const cr = this.nextCR;
    if (cr < lineEnd) {
      if (cr + 1 >= limit && !eof) return NEED_MORE;
      lineEnd = cr;
      after = cr + 1 < limit && buf[cr + 1] === LF ? cr + 2 : cr + 1;
    } else if (lineEnd !== NONE) {
      after = lineEnd + 1;
    } else {
      if (!eof) return NEED_MORE;
      lineEnd = after = limit;
    }
    if (this.nextQuote < lineEnd) return this.parseQuoted(buf, p, limit, eof);

    // Fast path: a record without quotes, wholly in the buffer.
    const d = this.delimiter;
    const wanted = this.wanted;
    let long = this.long;
    const hashCols = this.hashColumns;
    let starts = this.starts;
    let ends = this.ends;
    let inScratch = this.inScratch;
    const hashes = this.hashes;
    let col = 0;
    let s = p;
    while (true) {
      if (col >= wanted) {
        // Count the remaining fields only (for the width check).
        let n = 1;
        for (let k = s; k < lineEnd; k++) if (buf[k] === d) n++;
        col += n;
        break;
      }
      if (col >= starts.length) {
        this.grow(); // only without a fixed width
        starts = this.starts;
        ends = this.ends;
        inScratch = this.inScratch;
        long = this.long;
      }
      let e = s;
      if (long[col] === 1) {
        e = buf.indexOf(d, s);
        if (e < 0 || e > lineEnd) e = lineEnd;
        if (hashCols !== null && hashCols[col] === 1) hashes[col] = fnv1a(buf, s, e);
      } else if (hashCols !== null && hashCols[col] === 1) {
        let h = 0x811c9dc5;
        let c = 0;
        while (e < lineEnd && (c = buf[e]) !== d) {
          h = Math.imul(h ^ c, 16777619);
          e++;
        }
        hashes[col] = h >>> 0;
      } else {
        while (e < lineEnd && buf[e] !== d) e++;
        if (e - s > 96) long[col] = 1;
      }
      starts[col] = s;
      ends[col] = e;
      inScratch[col] = 0;
      col++;
      if (e >= lineEnd) break;
      s = e + 1;
    }
    this.count = col;
    this.lines = after > lineEnd ? 1 : 0;
    this.next = after;
    return this.checkWidth(p);
  }

  private checkWidth(p: number): number {
    if (this.width > 0 && this.count !== this.width) {
      this.reason = `expected ${this.width} fields as in the header, found ${this.count}`;
      return BAD_RECORD;
    }
    return p;
  }

  private grow(): void {
    if (this.hashColumns !== null) throw new Error('CsvRecordParser: fixed-width arrays cannot grow');
    const n = this.starts.length * 2;
    const grow8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.starts = grow32(this.starts);
    this.ends = grow32(this.ends);
    this.inScratch = grow8(this.inScratch);
    this.long = grow8(this.long);
    const h = new Uint32Array(n);
    h.set(this.hashes);
    this.hashes = h;
  }

  private pushScratch(c: number): void {
    if (this.scratchUsed === this.scratch.length) {
      const next = Buffer.allocUnsafe(this.scratch.length * 2);
      this.scratch.copy(next, 0, 0, this.scratchUsed);
      this.scratch = next;
    }
    this.scratch[this.scratchUsed++] = c;
  }

  /** Byte-by-byte RFC 4180 path for records with a quote somewhere. */
  private parseQuoted(buf: Uint8Array, p: number, limit: number, eof: boolean): number {
    const d = this.delimiter;
    const wanted = this.wanted;
    this.scratchUsed = 0;
    this.quoted = true;
    let lines = 0;
    let col = 0;
    let pos = p;
    let c = 0;
    while (true) {
      if (col >= this.starts.length && col < wanted) this.grow();
      if (pos < limit && buf[pos] === QUOTE) {
        const s = this.scratchUsed;
        pos++;
        while (true) {
          if (pos >= limit) {
            if (!eof) return NEED_MORE;
            this.reason = 'unterminated quoted field (a quote opened in this record is never closed)';
            this.fatal = true;
            this.count = col;
            return BAD_RECORD;
          }
          c = buf[pos];
          if (c === QUOTE) {
            if (pos + 1 >= limit && !eof) return NEED_MORE;
            if (pos + 1 < limit && buf[pos + 1] === QUOTE) {
              this.pushScratch(QUOTE);
              pos += 2;
              continue;
            }
            pos++;
            break;
          }
          if (c === LF || c === CR) {
            if (c === CR && pos + 1 >= limit && !eof) return NEED_MORE;
            if (c === LF || !(pos + 1 < limit && buf[pos + 1] === LF)) lines++;
            this.quotedLineBreak = true;
          }
          this.pushScratch(c);
          pos++;
        }
        if (col < wanted) {
          this.starts[col] = s;
          this.ends[col] = this.scratchUsed;
          this.inScratch[col] = 1;
        }
        if (pos < limit) {
          c = buf[pos];
          if (c !== d && c !== LF && c !== CR) {
            this.reason = `field ${col + 1}: unexpected character after a closing quote`;
            // Step over the rest of the line.
            while (pos < limit && buf[pos] !== LF && buf[pos] !== CR) pos++;
            if (pos >= limit && !eof) return NEED_MORE;
            if (pos < limit) {
              if (buf[pos] === CR && pos + 1 >= limit && !eof) return NEED_MORE;
              pos += buf[pos] === CR && pos + 1 < limit && buf[pos + 1] === LF ? 2 : 1;
              lines++;
            }
            this.count = col + 1;
            this.lines = lines;
            this.next = pos;
            return BAD_RECORD;
          }
        } else if (!eof) return NEED_MORE;
      } else {
        // Unquoted field: a quote inside it is data (as pandas reads it).
        const s = pos;
        while (pos < limit) {
          c = buf[pos];
          if (c === d || c === LF || c === CR) break;
          pos++;
        }
        if (pos >= limit && !eof) return NEED_MORE;
        if (col < wanted) {
          this.starts[col] = s;
          this.ends[col] = pos;
          this.inScratch[col] = 0;
        }
      }
      col++;
      if (pos >= limit) break;
      c = buf[pos];
      if (c === d) {
        pos++;
        continue;
      }
      if (c === CR) {
        if (pos + 1 >= limit && !eof) return NEED_MORE;
        pos += pos + 1 < limit && buf[pos + 1] === LF ? 2 : 1;
      } else pos++;
      lines++;
      break;
    }
    this.count = col;
    this.lines = lines;
    this.next = pos;
    const hashCols = this.hashColumns;
    if (hashCols !== null) {
      for (let k = 0; k < Math.min(col, wanted); k++) {
        if (hashCols[k] === 1)
          this.hashes[k] = fnv1a(this.inScratch[k] === 1 ? this.scratch : buf, this.starts[k], this.ends[k]);
      }
    }
    return this.checkWidth(p);
  }

  /** The bytes of field k: the buffer it sits in (buf or scratch). */
  source(k: number, buf: Uint8Array): Uint8Array {
    return this.inScratch[k] === 1 ? this.scratch : buf;
  }

  /** Field k decoded as UTF-8 ('' past the located fields). */
  field(k: number, buf: Buffer): string {
    if (k >= this.count || k >= this.wanted) return '';
    return (this.inScratch[k] === 1 ? this.scratch : buf).toString('utf8', this.starts[k], this.ends[k]);
  }

  /** The located fields decoded as strings. */
  fields(buf: Buffer): string[] {
    const n = Math.min(this.count, this.wanted);
    const out = new Array<string>(n);
    for (let k = 0; k < n; k++) out[k] = this.field(k, buf);
    return out;
  }
}

/** 32-bit FNV-1a of buf[s, e). */
export function fnv1a(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 16777619);
  return h >>> 0;
}
