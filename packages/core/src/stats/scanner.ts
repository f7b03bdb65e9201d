/**
 * Byte-level scanner that counts label values of a BIOSCAN metadata CSV/TSV for the statistics tables.
 *
 * Why hand-written instead of the generic table reader: on the 4 GB release file, decoding every row into
 * strings costs minutes and gigabytes. This scanner reads raw Buffer chunks, finds delimiters byte by byte
 * (RFC 4180 quotes handled), hashes only the needed fields while it passes over them, and decodes a value to a
 * string only the first time it is seen. Category values are compared byte for byte (exact); dna_barcode values
 * are kept only as 64-bit hashes because storing ~2.5 M distinct 660-nt strings would need ~2 GB (the chance
 * that two of 2.5 M distinct barcodes share a 64-bit hash is about 2e-7).
 *
 * Everything lives inside `scannerModule` on purpose: the function is self-contained (no imports, no outer
 * variables), so worker threads can run it from its own source text (`scannerModule.toString()`), which works
 * the same from the ESM and CJS builds and from TypeScript sources under vitest.
 */

/** Columns the scanner counts, in this order; `barcode` is counted separately by hash. */
export const SCAN_ROLES = [
  'phylum',
  'class',
  'order',
  'family',
  'subfamily',
  'genus',
  'species',
  'taxon',
  'dna_bin',
  'country',
  'province_state',
  'coord-lat',
  'coord-lon',
  'split',
] as const;
export type ScanRole = (typeof SCAN_ROLES)[number];

export interface ScanRequest {
  file: string;
  /** Byte range of records to count: records that start in [start, end). */
  start: number;
  end: number;
  /** Delimiter byte (44 comma, 9 tab). */
  delimiter: number;
  /** Number of columns in the header. */
  nColumns: number;
  /** File column index for each SCAN_ROLES entry, -1 when the file lacks it. */
  roleColumns: number[];
  /** File column index of dna_barcode, -1 when absent. */
  barcodeColumn: number;
  /** Cells that count as missing besides the empty one (schema's PANDAS_NA_VALUES; passed in, see the file comment). */
  naValues: readonly string[];
  /** Count malformed rows instead of stopping at the first. */
  skipInvalid: boolean;
  /** How many invalid rows to describe in full. */
  maxExamples: number;
  /** Read size in bytes. */
  chunkSize?: number;
}

export interface CounterDump {
  values: string[];
  counts: number[];
}

export interface InvalidRow {
  /** Byte offset where the record starts. */
  offset: number;
  /** Line of the record counted from the range start (0 = first record line of the range). */
  localLine: number;
  column?: string;
  value?: string;
  reason: string;
}

export interface ScanResult {
  rows: number;
  /** Per SCAN_ROLES entry. */
  categories: CounterDump[];
  barcodeLabelled: number;
  /** Distinct barcode hashes (h1, h2) and their counts, compacted. */
  barcodeH1: Uint32Array;
  barcodeH2: Uint32Array;
  barcodeCounts: Uint32Array;
  /** (split id, species id, count) triples over the ids of `categories`. */
  splitSpecies: number[];
  splitGenus: number[];
  /** (lat id, lon id, count) triples. */
  latLon: number[];
  /** Whether some quoted field held a line break (then byte ranges split at line ends are unsafe). */
  quotedNewline: boolean;
  invalidCount: number;
  invalid: InvalidRow[];
  /** Physical lines consumed (line breaks seen). */
  lines: number;
}

export interface Hash64CounterLike {
  size: number;
  add(a: number, b: number, n: number): void;
  compact(): { h1: Uint32Array; h2: Uint32Array; counts: Uint32Array };
}

/** The parts of node:fs the scanner uses. */
export type FsLike = Pick<typeof import('node:fs'), 'openSync' | 'readSync' | 'closeSync'>;

export interface ScannerModule {
  /** `fs` is passed in (node:fs) so that this module needs no imports; see the file comment. */
  scanRange(req: ScanRequest, onProgress: ((bytesDone: number) => void) | undefined, fs: FsLike): ScanResult;
  Hash64Counter: new (capacity?: number) => Hash64CounterLike;
}

export function scannerModule(): ScannerModule {
  const QUOTE = 34;
  const LF = 10;
  const CR = 13;
  const NEED_MORE = -2;
  const INVALID = -3;
  const R_GENUS = 5;
  const R_SPECIES = 6;
  const R_LAT = 11;
  const R_LON = 12;
  const R_SPLIT = 13;

  /** Matcher for missing-value cells: empty, or one of `naValues` byte for byte. */
  function naMatcher(naValues: readonly string[]): (buf: Uint8Array, s: number, e: number) => boolean {
    const naByLength: number[][][] = [];
    const naFirst = new Uint8Array(256);
    let maxLen = 0;
    for (const v of naValues) {
      if (v === '') continue;
      const bytes = Array.from(v, (ch) => ch.charCodeAt(0));
      (naByLength[bytes.length] ??= []).push(bytes);
      naFirst[bytes[0]] = 1;
      maxLen = Math.max(maxLen, bytes.length);
    }
    return (buf, s, e) => {
      const len = e - s;
      if (len === 0) return true;
      if (len > maxLen || naFirst[buf[s]] === 0) return false;
      const cands = naByLength[len];
      if (!cands) return false;
      outer: for (const c of cands) {
        for (let i = 0; i < len; i++) if (buf[s + i] !== c[i]) continue outer;
        return true;
      }
      return false;
    };
  }

  function hashBytes(buf: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 16777619);
    return h >>> 0;
  }

  // Barcode hash, 64 bits as two 32-bit halves. Four independent 64-bit lanes each absorb every fourth 4-byte
  // word (read with DataView from the field start, so the same bytes hash the same wherever they sit): the lanes'
  // multiply chains run in parallel on the CPU (2.4x faster than one chain), and a one-word difference between
  // two barcodes still changes a full 64-bit lane state. murmur3 finalisers mix the lanes at the end.
  let bh1 = 0;
  let bh2 = 0;
  function hashBarcode(dv: DataView, buf: Uint8Array, s: number, e: number): void {
    let a1 = 0x9747b28c;
    let b1 = 0x2f1a3c5d;
    let a2 = 0x6a09e667;
    let b2 = 0xbb67ae85;
    let a3 = 0x3c6ef372;
    let b3 = 0xa54ff53a;
    let a4 = 0x510e527f;
    let b4 = 0x9b05688c;
    let i = s;
    const stop = e - 15;
    for (; i < stop; i += 16) {
      const k1 = dv.getUint32(i, true);
      const k2 = dv.getUint32(i + 4, true);
      const k3 = dv.getUint32(i + 8, true);
      const k4 = dv.getUint32(i + 12, true);
      a1 = Math.imul(a1 ^ k1, 0x9e3779b1);
      a1 ^= a1 >>> 16;
      b1 = Math.imul(((b1 << 5) | (b1 >>> 27)) + k1, 0x85ebca77);
      a2 = Math.imul(a2 ^ k2, 0x9e3779b1);
      a2 ^= a2 >>> 16;
      b2 = Math.imul(((b2 << 5) | (b2 >>> 27)) + k2, 0x85ebca77);
      a3 = Math.imul(a3 ^ k3, 0x9e3779b1);
      a3 ^= a3 >>> 16;
      b3 = Math.imul(((b3 << 5) | (b3 >>> 27)) + k3, 0x85ebca77);
      a4 = Math.imul(a4 ^ k4, 0x9e3779b1);
      a4 ^= a4 >>> 16;
      b4 = Math.imul(((b4 << 5) | (b4 >>> 27)) + k4, 0x85ebca77);
    }
    for (; i < e; i++) {
      const c = buf[i];
      a1 = Math.imul(a1 ^ c, 0x5bd1e995);
      b1 = Math.imul(b1 ^ c, 0xc2b2ae35);
      b1 ^= b1 >>> 15;
    }
    let a = (a1 + Math.imul(a2, 0x27d4eb2f) + Math.imul(a3, 0x165667b1) + Math.imul(a4, 0x85ebca6b)) ^ (e - s);
    let b = (b1 + Math.imul(b2, 0x165667b1) + Math.imul(b3, 0xc2b2ae35) + Math.imul(b4, 0x27d4eb2f)) ^ Math.imul(e - s, 31);
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    b ^= b >>> 16;
    b = Math.imul(b, 0x7feb352d);
    b ^= b >>> 15;
    b = Math.imul(b, 0x846ca68b);
    b ^= b >>> 16;
    bh1 = a >>> 0;
    bh2 = b >>> 0;
  }

  /**
   * Exact counter of byte strings: open addressing on a 32-bit hash, values kept once in an arena. Each slot
   * holds [hash, id] side by side and each entry [offset, length], so a probe touches few cache lines.
   */
  class ByteCounter {
    slots: Int32Array;
    mask: number;
    entries: Int32Array;
    counts: Float64Array;
    size = 0;
    arena: Uint8Array;
    arenaUsed = 0;
    constructor() {
      this.slots = new Int32Array(2048);
      for (let i = 1; i < 2048; i += 2) this.slots[i] = -1;
      this.mask = 1023;
      this.entries = new Int32Array(1024);
      this.counts = new Float64Array(512);
      this.arena = new Uint8Array(1 << 16);
    }
    /** Id of the value, or -1. */
    find(buf: Uint8Array, s: number, e: number, h: number): number {
      const len = e - s;
      const slots = this.slots;
      const mask = this.mask;
      const hs = h | 0; // slots hold signed 32-bit values
      let i = hs & mask;
      while (true) {
        const id = slots[2 * i + 1];
        if (id < 0) return -1;
        if (slots[2 * i] === hs && this.entries[2 * id + 1] === len) {
          const off = this.entries[2 * id];
          const arena = this.arena;
          let k = 0;
          while (k < len && arena[off + k] === buf[s + k]) k++;
          if (k === len) return id;
        }
        i = (i + 1) & mask;
      }
    }
    insert(buf: Uint8Array, s: number, e: number, h: number): number {
      const len = e - s;
      if (this.size === this.counts.length) {
        const ent = new Int32Array(this.entries.length * 2);
        ent.set(this.entries);
        this.entries = ent;
        const c = new Float64Array(this.counts.length * 2);
        c.set(this.counts);
        this.counts = c;
      }
      if (this.arenaUsed + len > this.arena.length) {
        const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
        next.set(this.arena.subarray(0, this.arenaUsed));
        this.arena = next;
      }
      const id = this.size++;
      this.arena.set(buf.subarray(s, e), this.arenaUsed);
      this.entries[2 * id] = this.arenaUsed;
      this.entries[2 * id + 1] = len;
      this.arenaUsed += len;
      if (this.size * 2 > this.mask + 1) {
        const old = this.slots;
        this.slots = new Int32Array(old.length * 2);
        for (let k = 1; k < this.slots.length; k += 2) this.slots[k] = -1;
        this.mask = this.slots.length / 2 - 1;
        for (let k = 0; k < old.length; k += 2) if (old[k + 1] >= 0) this.place(old[k], old[k + 1]);
      } else this.place(h | 0, id);
      return id;
    }
    private place(h: number, id: number): void {
      let i = h & this.mask;
      while (this.slots[2 * i + 1] >= 0) i = (i + 1) & this.mask;
      this.slots[2 * i] = h;
      this.slots[2 * i + 1] = id;
    }
    dump(decoder: { decode(bytes: Uint8Array): string }): CounterDump {
      const values: string[] = new Array(this.size);
      const counts: number[] = new Array(this.size);
      for (let id = 0; id < this.size; id++) {
        const off = this.entries[2 * id];
        values[id] = decoder.decode(this.arena.subarray(off, off + this.entries[2 * id + 1]));
        counts[id] = this.counts[id];
      }
      return { values, counts };
    }
  }

  /**
   * Counter of 64-bit keys given as two 32-bit halves (open addressing, linear probing). Each slot is
   * [h1, h2, count] side by side in one array: at 2.5 M keys the table is far bigger than the CPU caches, and one
   * cache line per probe instead of three is most of its cost.
   */
  class Hash64Counter {
    table: Uint32Array;
    mask: number;
    size = 0;
    constructor(capacity = 1 << 16) {
      this.table = new Uint32Array(capacity * 4);
      this.mask = capacity - 1;
    }
    add(a: number, b: number, n: number): void {
      const t = this.table;
      const mask = this.mask;
      let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
      while (true) {
        const j = i << 2;
        const c = t[j + 2];
        if (c === 0) {
          t[j] = a;
          t[j + 1] = b;
          t[j + 2] = n;
          if (++this.size * 2 > mask + 1) this.grow();
          return;
        }
        if (t[j] === a && t[j + 1] === b) {
          t[j + 2] = c + n;
          return;
        }
        i = (i + 1) & mask;
      }
    }
    private grow(): void {
      const old = this.table;
      this.table = new Uint32Array(old.length * 2);
      this.mask = this.table.length / 4 - 1;
      this.size = 0;
      for (let j = 0; j < old.length; j += 4) if (old[j + 2] !== 0) this.add(old[j], old[j + 1], old[j + 2]);
    }
    compact(): { h1: Uint32Array; h2: Uint32Array; counts: Uint32Array } {
      const h1 = new Uint32Array(this.size);
      const h2 = new Uint32Array(this.size);
      const counts = new Uint32Array(this.size);
      const t = this.table;
      let k = 0;
      for (let j = 0; j < t.length; j += 4) {
        if (t[j + 2] !== 0) {
          h1[k] = t[j];
          h2[k] = t[j + 1];
          counts[k] = t[j + 2];
          k++;
        }
      }
      return { h1, h2, counts };
    }
  }

  /** Counter of (a, b) pairs of small non-negative ints (no Map: keys above 2^31 would be heap numbers). */
  class PairCounter {
    a = new Int32Array(1024).fill(-1);
    b = new Int32Array(1024);
    counts = new Float64Array(1024);
    mask = 1023;
    size = 0;
    add(x: number, y: number): void {
      let i = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca6b)) & this.mask;
      while (this.a[i] >= 0) {
        if (this.a[i] === x && this.b[i] === y) {
          this.counts[i]++;
          return;
        }
        i = (i + 1) & this.mask;
      }
      this.a[i] = x;
      this.b[i] = y;
      this.counts[i] = 1;
      if (++this.size * 2 > this.a.length) this.grow();
    }
    private grow(): void {
      const { a, b, counts } = this;
      this.a = new Int32Array(a.length * 2).fill(-1);
      this.b = new Int32Array(a.length * 2);
      this.counts = new Float64Array(a.length * 2);
      this.mask = this.a.length - 1;
      for (let j = 0; j < a.length; j++) {
        if (a[j] < 0) continue;
        let i = (Math.imul(a[j], 0x9e3779b1) ^ Math.imul(b[j], 0x85ebca6b)) & this.mask;
        while (this.a[i] >= 0) i = (i + 1) & this.mask;
        this.a[i] = a[j];
        this.b[i] = b[j];
        this.counts[i] = counts[j];
      }
    }
    dump(): number[] {
      const out: number[] = [];
      for (let i = 0; i < this.a.length; i++) if (this.a[i] >= 0) out.push(this.a[i], this.b[i], this.counts[i]);
      return out;
    }
  }

  function scanRange(req: ScanRequest, onProgress: ((bytesDone: number) => void) | undefined, fs: FsLike): ScanResult {
    const N_ROLES = req.roleColumns.length;
    const BARCODE = N_ROLES; // role slot used for dna_barcode fields
    const isNA = naMatcher(req.naValues);
    const delim = req.delimiter;
    const nCols = req.nColumns;
    // role of each file column: -1 not needed, 0..N_ROLES-1 category, BARCODE
    const colRole = new Int32Array(nCols).fill(-1);
    req.roleColumns.forEach((c, r) => {
      if (c >= 0) colRole[c] = r;
    });
    if (req.barcodeColumn >= 0) colRole[req.barcodeColumn] = BARCODE;
    let lastWanted = -1;
    for (let c = 0; c < nCols; c++) if (colRole[c] >= 0) lastWanted = c;

    const counters: ByteCounter[] = [];
    for (let r = 0; r < N_ROLES; r++) counters.push(new ByteCounter());
    const barcodes = new Hash64Counter();
    // Pairs are stored as (split, other) so the dump's triples read (split id, species/genus id, count).
    const splitSpecies = new PairCounter();
    const splitGenus = new PairCounter();
    const latLon = new PairCounter();
    const decoder = new TextDecoder();

    // Per-row field locations for the roles (src 0 = chunk buffer, 1 = unquote scratch).
    const fS = new Int32Array(N_ROLES + 1);
    const fE = new Int32Array(N_ROLES + 1);
    const fH = new Uint32Array(N_ROLES + 1);
    const fH2 = new Uint32Array(N_ROLES + 1);
    const fSrc = new Uint8Array(N_ROLES + 1);
    const fSeen = new Uint8Array(N_ROLES + 1);
    const ids = new Int32Array(N_ROLES);
    const B = (globalThis as any).Buffer as typeof Buffer;
    let scratch: Buffer = B.alloc(1 << 16);
    let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
    let scratchUsed = 0;

    const chunkSize = req.chunkSize ?? 1 << 23;
    let buf: Buffer = B.allocUnsafe(chunkSize);
    let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    // Position of the next '"' at or after the scan position (bufLen + 1 when none): rows before it take the
    // fast path that splits fields without quote handling.
    let nextQuote = -1;
    let bufLen = 0; // valid bytes in buf
    let bufFileOffset = req.start; // file offset of buf[0]
    let filePos = req.start;
    let eof = false;
    const fd = fs.openSync(req.file, 'r');

    let rows = 0;
    let lines = 0;
    let quotedNewline = false;
    let invalidCount = 0;
    const invalid: InvalidRow[] = [];
    let barcodeLabelled = 0;
    // Set by parseRow when a record is malformed.
    let badReason = '';
    let rowLines = 0;

    function fill(): void {
      // Reads after the bytes already held (the caller moved any partial record to the front).
      const n = fs.readSync(fd, buf, bufLen, buf.length - bufLen, filePos);
      if (n === 0) eof = true;
      nextQuote = -1;
      bufLen += n;
      filePos += n;
    }

    function pushScratch(b: number): void {
      if (scratchUsed === scratch.length) {
        const next = B.alloc(scratch.length * 2);
        scratch.copy(next);
        scratch = next;
        scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
      }
      scratch[scratchUsed++] = b;
    }

    /**
     * Parses one record starting at p. Returns the offset after it, NEED_MORE when the buffer ends first
     * (and the file has more), or INVALID (badReason set, return value of the skip position in `skipTo`).
     */
    let skipTo = 0;

    /** parseRow for a record without quotes that ends inside the buffer; falls back to parseRow otherwise. */
    function parseRowFast(p: number): number {
      if (nextQuote < p) {
        const q = buf.indexOf(QUOTE, p);
        nextQuote = q < 0 || q >= bufLen ? bufLen + 1 : q;
      }
      let lineEnd = buf.indexOf(LF, p);
      if (lineEnd < 0 || lineEnd >= bufLen) {
        if (!eof) return NEED_MORE;
        lineEnd = bufLen;
      }
      if (nextQuote < lineEnd) return parseRow(p);
      // Locals instead of closure variables keep the byte loops tight.
      const b = buf;
      const d = delim;
      const roles = colRole;
      const end = lineEnd > p && b[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      scratchUsed = 0;
      fSeen.fill(0);
      let col = 0;
      let s = p;
      while (true) {
        const role = col < nCols ? roles[col] : -1;
        let e = s;
        if (role < 0) {
          while (e < end && b[e] !== d) e++;
        } else if (role === BARCODE) {
          e = b.indexOf(d, s);
          if (e < 0 || e > end) e = end;
          hashBarcode(view, b, s, e);
          fH[role] = bh1;
          fH2[role] = bh2;
        } else {
          let h = 0x811c9dc5;
          let c = 0;
          while (e < end && (c = b[e]) !== d) {
            h = Math.imul(h ^ c, 16777619);
            e++;
          }
          fH[role] = h >>> 0;
        }
        if (role >= 0) {
          fS[role] = s;
          fE[role] = e;
          fSrc[role] = 0;
          fSeen[role] = 1;
        }
        col++;
        if (e >= end) break;
        s = e + 1;
        if (col > lastWanted) {
          // Nothing more to read on this line: only count the remaining fields (to check the row's width).
          let n = 1;
          for (let k = s; k < end; k++) if (b[k] === d) n++;
          col += n;
          break;
        }
      }
      rowLines = lineEnd < bufLen ? 1 : 0;
      skipTo = lineEnd < bufLen ? lineEnd + 1 : lineEnd;
      if (col !== nCols) {
        badReason = `expected ${nCols} fields as in the header, found ${col}`;
        return INVALID;
      }
      return skipTo;
    }

    function parseRow(p: number): number {
      const limit = bufLen;
      let col = 0;
      scratchUsed = 0;
      rowLines = 0;
      fSeen.fill(0);
      let c = 0;
      while (true) {
        const role = col < nCols ? colRole[col] : -1;
        let s = p;
        let e: number;
        let src = 0;
        let h = 0x811c9dc5;
        let h2 = 0x9747b28c;
        if (p < limit && buf[p] === QUOTE) {
          // Quoted field: unescape into scratch.
          src = 1;
          s = scratchUsed;
          p++;
          while (true) {
            if (p >= limit) {
              if (!eof) return NEED_MORE;
              badReason = 'unterminated quoted field';
              skipTo = limit;
              return INVALID;
            }
            c = buf[p];
            if (c === QUOTE) {
              if (p + 1 >= limit && !eof) return NEED_MORE;
              if (p + 1 < limit && buf[p + 1] === QUOTE) {
                pushScratch(QUOTE);
                p += 2;
                continue;
              }
              p++;
              break;
            }
            if (c === LF) {
              rowLines++;
              quotedNewline = true;
            }
            pushScratch(c);
            p++;
          }
          e = scratchUsed;
          if (p < limit) {
            c = buf[p];
            if (c !== delim && c !== LF && c !== CR) {
              badReason = 'unexpected character after a closing quote';
              // resynchronise at the next line break
              while (p < limit && buf[p] !== LF) p++;
              if (p >= limit && !eof) return NEED_MORE;
              skipTo = p < limit ? p + 1 : p;
              rowLines++;
              return INVALID;
            }
            if (c === CR) {
              if (p + 1 >= limit && !eof) return NEED_MORE;
              if (p + 1 < limit && buf[p + 1] === LF) p++;
              c = LF;
            }
          } else if (!eof) return NEED_MORE;
          if (role === BARCODE) {
            hashBarcode(scratchView, scratch, s, e);
            h = bh1;
            h2 = bh2;
          } else if (role >= 0) h = hashBytes(scratch, s, e);
        } else {
          if (role < 0) {
            while (p < limit) {
              c = buf[p];
              if (c === delim || c === LF) break;
              p++;
            }
          } else if (role === BARCODE) {
            while (p < limit) {
              c = buf[p];
              if (c === delim || c === LF) break;
              p++;
            }
          } else {
            while (p < limit) {
              c = buf[p];
              if (c === delim || c === LF) break;
              h = Math.imul(h ^ c, 16777619);
              p++;
            }
          }
          if (p >= limit && !eof) return NEED_MORE;
          e = p;
          if ((p >= limit || c === LF) && e > s && buf[e - 1] === CR) {
            e--;
            if (role >= 0) h = hashBytes(buf, s, e);
          }
          if (role === BARCODE) {
            hashBarcode(view, buf, s, e);
            h = bh1;
            h2 = bh2;
          }
        }
        if (role >= 0) {
          fS[role] = s;
          fE[role] = e;
          fH[role] = h >>> 0;
          fH2[role] = h2 >>> 0;
          fSrc[role] = src;
          fSeen[role] = 1;
        }
        col++;
        if (p >= limit) {
          // end of file without a final line break
          skipTo = p;
          break;
        }
        if (c === delim) {
          p++;
          continue;
        }
        // line break
        p++;
        rowLines++;
        skipTo = p;
        break;
      }
      if (col !== nCols) {
        badReason = `expected ${nCols} fields as in the header, found ${col}`;
        return INVALID;
      }
      return skipTo;
    }

    function isBlankLine(p: number): boolean {
      // A line holding nothing (pandas skips blank lines).
      if (p < bufLen && buf[p] === LF) return true;
      if (p + 1 < bufLen && buf[p] === CR && buf[p + 1] === LF) return true;
      return false;
    }

    function fieldBuf(role: number): Uint8Array {
      return fSrc[role] === 1 ? scratch : buf;
    }

    function recordInvalid(offset: number, localLine: number, reason: string, column?: string, value?: string): void {
      invalidCount++;
      if (invalid.length < req.maxExamples) invalid.push({ offset, localLine, reason, column, value });
    }

    /** Looks up (inserting if valid) a coordinate value; returns id, -1 when missing, -2 when invalid. */
    function coordId(role: number): number {
      if (!fSeen[role]) return -1;
      const b = fieldBuf(role);
      const s = fS[role];
      const e = fE[role];
      if (isNA(b, s, e)) return -1;
      const counter = counters[role];
      let id = counter.find(b, s, e, fH[role]);
      if (id >= 0) return id;
      const text = decoder.decode(b.subarray(s, e));
      const v = Number(text);
      if (text.trim() === '' || Number.isNaN(v)) return -2;
      id = counter.insert(b, s, e, fH[role]);
      return id;
    }

    function countRow(): void {
      for (let r = 0; r < N_ROLES; r++) {
        ids[r] = -1;
        if (!fSeen[r] || r === R_LAT || r === R_LON) continue;
        const b = fieldBuf(r);
        const s = fS[r];
        const e = fE[r];
        if (isNA(b, s, e)) continue;
        const counter = counters[r];
        let id = counter.find(b, s, e, fH[r]);
        if (id < 0) id = counter.insert(b, s, e, fH[r]);
        counter.counts[id]++;
        ids[r] = id;
      }
      if (fSeen[BARCODE]) {
        const b = fieldBuf(BARCODE);
        if (!isNA(b, fS[BARCODE], fE[BARCODE])) {
          barcodes.add(fH[BARCODE], fH2[BARCODE], 1);
          barcodeLabelled++;
        }
      }
      const sp = ids[R_SPLIT];
      if (sp >= 0) {
        if (ids[R_SPECIES] >= 0) {
          splitSpecies.add(sp, ids[R_SPECIES]);
        }
        if (ids[R_GENUS] >= 0) {
          splitGenus.add(sp, ids[R_GENUS]);
        }
      }
    }

    let consumedLines = 0;
    try {
      fill();
      let p = 0;
      let lastProgress = 0;
      while (true) {
        // Records belong to this range only if they start before `end`.
        if (bufFileOffset + p >= req.end) break;
        if (p >= bufLen) {
          if (eof) break;
          bufFileOffset += p;
          bufLen = 0;
          p = 0;
          fill();
          continue;
        }
        if (isBlankLine(p)) {
          p += buf[p] === CR ? 2 : 1;
          consumedLines++;
          continue;
        }
        const rowStart = p;
        const next = parseRowFast(p);
        if (next === NEED_MORE) {
          // Move the partial record to the front (growing the buffer if one record fills it) and read on.
          const keep = bufLen - rowStart;
          if (rowStart === 0) {
            const bigger = B.allocUnsafe(buf.length * 2);
            buf.copy(bigger, 0, 0, bufLen);
            buf = bigger;
            view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
          } else {
            buf.copyWithin(0, rowStart, bufLen);
          }
          bufFileOffset += rowStart;
          bufLen = keep;
          p = 0;
          fill();
          if (bufFileOffset + bufLen - lastProgress > 1 << 26) {
            lastProgress = bufFileOffset + bufLen;
            onProgress?.(Math.min(bufFileOffset, req.end) - req.start);
          }
          continue;
        }
        const recordLine = consumedLines;
        if (next === INVALID) {
          const offset = bufFileOffset + rowStart;
          if (!req.skipInvalid) {
            throw Object.assign(new Error(badReason), { scanInvalid: { offset, localLine: recordLine, reason: badReason } });
          }
          recordInvalid(offset, recordLine, badReason);
          // skip the rest of the physical line when parseRow stopped mid-line
          p = skipTo;
          consumedLines += rowLines;
          continue;
        }
        // Coordinates are validated before anything is counted, so an invalid row leaves no trace.
        const lat = coordId(R_LAT);
        const lon = coordId(R_LON);
        if (lat === -2 || lon === -2) {
          const role = lat === -2 ? R_LAT : R_LON;
          const column = role === R_LAT ? 'coord-lat' : 'coord-lon';
          const value = decoder.decode(fieldBuf(role).subarray(fS[role], fE[role]));
          const offset = bufFileOffset + rowStart;
          if (!req.skipInvalid) {
            throw Object.assign(new Error('expected a number'), {
              scanInvalid: { offset, localLine: recordLine, reason: 'expected a number', column, value },
            });
          }
          recordInvalid(offset, recordLine, 'expected a number', column, value);
          p = next;
          consumedLines += rowLines;
          continue;
        }
        if (lat >= 0) counters[R_LAT].counts[lat]++;
        if (lon >= 0) counters[R_LON].counts[lon]++;
        if (lat >= 0 && lon >= 0) {
          latLon.add(lat, lon);
        }
        countRow();
        rows++;
        p = next;
        consumedLines += rowLines;
      }
    } finally {
      fs.closeSync(fd);
    }
    lines = consumedLines;
    onProgress?.(req.end - req.start);
    const bc = barcodes.compact();
    return {
      rows,
      categories: counters.map((c) => c.dump(decoder)),
      barcodeLabelled,
      barcodeH1: bc.h1,
      barcodeH2: bc.h2,
      barcodeCounts: bc.counts,
      splitSpecies: splitSpecies.dump(),
      splitGenus: splitGenus.dump(),
      latLon: latLon.dump(),
      quotedNewline,
      invalidCount,
      invalid,
      lines,
    };
  }

  return { scanRange, Hash64Counter };
}
