/**
 * The one barcode rule of the toolkit. Every command that compares, groups, hashes or filters DNA barcodes
 * (split, clean, cluster's one-sample-per-barcode, dna identify/pretrain/embed/finetune) goes through it, so
 * identical barcodes are identical everywhere.
 *
 * Normalising, character by character:
 *  - A C G T (either case) are bases, upper-cased; U (either case, RNA) is read as T;
 *  - the IUPAC ambiguity codes R Y S W K M B D H V N (either case) are kept, upper-cased; `?` becomes N;
 *  - alignment gaps and padding `-` `.` `~` and whitespace are removed;
 *  - anything else (digits, `*`, other letters, non-ASCII characters) is invalid and becomes N. A non-ASCII
 *    character counts once, whether read from a string or from its UTF-8 bytes.
 * The key is the normalised sequence with trailing N removed: the reference's `rstrip("N")` (reference.md,
 * "compare on barcode with N stripped" for splits and one sample per barcode). Leading N are kept, as there.
 * Two barcodes are the same barcode when their keys are equal; an empty key is no barcode.
 */

/** What a byte/character becomes: an upper-case code, or DROP (gap, whitespace, UTF-8 continuation byte). */
const DROP = 0;
const N = 78;
/** Character class of a byte, for counting: see BARCODE_BYTE_CLASS. */
export const BARCODE_BASE = 1;
export const BARCODE_AMBIGUOUS = 2;
export const BARCODE_GAP = 3;
export const BARCODE_INVALID = 4;
const BASE = BARCODE_BASE;
const AMBIGUOUS = BARCODE_AMBIGUOUS;
const GAP = BARCODE_GAP;
const INVALID = BARCODE_INVALID;

const OUT = new Uint8Array(256).fill(N);
const CLASS = new Uint8Array(256).fill(INVALID);
for (const ch of 'ACGT') {
  for (const c of [ch, ch.toLowerCase()]) {
    OUT[c.charCodeAt(0)] = ch.charCodeAt(0);
    CLASS[c.charCodeAt(0)] = BASE;
  }
}
for (const c of 'Uu') {
  OUT[c.charCodeAt(0)] = 84; // T
  CLASS[c.charCodeAt(0)] = BASE;
}
for (const ch of 'RYSWKMBDHVN') {
  for (const c of [ch, ch.toLowerCase()]) {
    OUT[c.charCodeAt(0)] = ch.charCodeAt(0);
    CLASS[c.charCodeAt(0)] = AMBIGUOUS;
  }
}
CLASS[63] = AMBIGUOUS; // '?' -> N
for (const c of '-.~ \t\r\n\v\f') {
  OUT[c.charCodeAt(0)] = DROP;
  CLASS[c.charCodeAt(0)] = GAP;
}
// UTF-8 continuation bytes are part of the character their lead byte (>= 0xc0) stands for.
for (let b = 0x80; b < 0xc0; b++) {
  OUT[b] = DROP;
  CLASS[b] = GAP;
}

/** The normalised code of one UTF-16 code unit (0 = dropped). A low surrogate belongs to the pair's first unit. */
function unitCode(u: number): number {
  if (u < 128) return OUT[u];
  return u >= 0xdc00 && u <= 0xdfff ? DROP : N;
}

/** The barcode normalised by the rule above (upper-case IUPAC letters only). */
export function normalizeBarcode(raw: string): string {
  let out = '';
  let clean = true;
  for (let i = 0; i < raw.length; i++) {
    const u = raw.charCodeAt(i);
    if (u >= 128 || OUT[u] !== u) {
      clean = false;
      break;
    }
  }
  if (clean) return raw;
  const codes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = unitCode(raw.charCodeAt(i));
    if (c !== DROP) codes.push(c);
  }
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

/** The barcode's identity: the normalised sequence without trailing N ('' for no barcode). */
export function barcodeKey(raw: string): string {
  const s = normalizeBarcode(raw);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === N) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** End (exclusive) of the key within raw[0, end): past the last character that normalises to a non-N code. */
function keyEndOfString(raw: string): number {
  let end = raw.length;
  while (end > 0) {
    const c = unitCode(raw.charCodeAt(end - 1));
    if (c !== DROP && c !== N) break;
    end--;
  }
  return end;
}

function keyEndOfBytes(buf: Uint8Array, start: number, end: number): number {
  while (end > start) {
    const c = OUT[buf[end - 1]];
    if (c !== DROP && c !== N) break;
    end--;
  }
  return end;
}

/*
 * A 53-bit hash of the key, so that millions of ~660-character barcodes can be grouped without holding the
 * strings (two 32-bit multiplicative chains; for the release's 2.5 M distinct barcodes the chance that any two
 * collide is about 4e-4). The string and byte variants hash the same normalised codes, so they agree; for an
 * already-normalised barcode the value is the one earlier releases computed (split assignments are stable).
 * No barcode (empty key) hashes to -1.
 */
function finish(h1: number, h2: number): number {
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

/** 53-bit hash of barcodeKey(raw); -1 when the key is empty. */
export function barcodeHash(raw: string): number {
  const end = keyEndOfString(raw);
  let len = 0;
  for (let i = 0; i < end; i++) if (unitCode(raw.charCodeAt(i)) !== DROP) len++;
  if (len === 0) return -1;
  let h1 = 0x811c9dc5 ^ len;
  let h2 = 0x9747b28c;
  for (let i = 0; i < end; i++) {
    const c = unitCode(raw.charCodeAt(i));
    if (c === DROP) continue;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return finish(h1, h2);
}

/** barcodeHash of the UTF-8 bytes buf[start, end) (the hot-loop variant for byte-level scanners). */
export function barcodeHashBytes(buf: Uint8Array, start: number, end: number): number {
  const stop = keyEndOfBytes(buf, start, end);
  let len = 0;
  for (let i = start; i < stop; i++) if (OUT[buf[i]] !== DROP) len++;
  if (len === 0) return -1;
  let h1 = 0x811c9dc5 ^ len;
  let h2 = 0x9747b28c;
  for (let i = start; i < stop; i++) {
    const c = OUT[buf[i]];
    if (c === DROP) continue;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return finish(h1, h2);
}

/** What the rule finds in one raw barcode (character counts), so a command can report what it changed. */
export interface BarcodeCounts {
  /** Length of the normalised sequence. */
  length: number;
  /** A, C, G, T (U included). */
  acgt: number;
  /** IUPAC ambiguity codes, N and `?`. */
  ambiguous: number;
  /** Gaps and whitespace removed. */
  gaps: number;
  /** Lower-case letters upper-cased. */
  lowercase: number;
  /** U read as T. */
  uracil: number;
  /** Characters that are no nucleotide code, turned into N. */
  invalid: number;
}

export function emptyBarcodeCounts(): BarcodeCounts {
  return { length: 0, acgt: 0, ambiguous: 0, gaps: 0, lowercase: 0, uracil: 0, invalid: 0 };
}

/** Adds `c` into `into` (totals over a file). */
export function addBarcodeCounts(into: BarcodeCounts, c: BarcodeCounts): void {
  into.length += c.length;
  into.acgt += c.acgt;
  into.ambiguous += c.ambiguous;
  into.gaps += c.gaps;
  into.lowercase += c.lowercase;
  into.uracil += c.uracil;
  into.invalid += c.invalid;
}

/**
 * Counts by the rule's character classes. dna's cleanBarcode counts the same classes while it encodes bytes (one
 * fused hot loop, so it does not call this); a dna test checks that the two agree.
 */
export function countBarcode(raw: string): BarcodeCounts {
  const k = emptyBarcodeCounts();
  for (let i = 0; i < raw.length; i++) {
    const u = raw.charCodeAt(i);
    if (u >= 128) {
      if (u < 0xdc00 || u > 0xdfff) k.invalid++;
      continue;
    }
    const cls = CLASS[u];
    if (cls === GAP) {
      k.gaps++;
      continue;
    }
    if (cls === BASE) {
      k.acgt++;
      if (u === 85 || u === 117) k.uracil++;
    } else if (cls === AMBIGUOUS) k.ambiguous++;
    else k.invalid++;
    if (u >= 97 && u <= 122) k.lowercase++;
  }
  k.length = k.acgt + k.ambiguous + k.invalid;
  return k;
}

/** Number of A/C/G/T (and U) bases: a row with none has no usable sequence for any DNA command. */
export function acgtCount(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const u = raw.charCodeAt(i);
    if (u < 128 && CLASS[u] === BASE) n++;
  }
  return n;
}

/**
 * The normalised code of each byte value (0 = dropped): for byte-level encoders built on the same rule (e.g. a
 * model's 5-letter alphabet maps these codes on).
 */
export const BARCODE_BYTE_CODES: Readonly<Uint8Array> = OUT;

/**
 * The class of each byte value: BARCODE_BASE (A C G T U), BARCODE_AMBIGUOUS (IUPAC codes, N, `?`),
 * BARCODE_GAP (dropped: gaps, whitespace, UTF-8 continuation bytes) or BARCODE_INVALID (turned into N).
 */
export const BARCODE_BYTE_CLASS: Readonly<Uint8Array> = CLASS;
