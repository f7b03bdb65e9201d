/**
 * Barcode cleaning for identification: sequences arrive with alignment gaps, lowercase, IUPAC ambiguity codes,
 * RNA `U` and stray characters. They become a compact code array (A=0, C=1, G=2, T=3, N=4) and a per-sequence
 * account of what was changed, so callers can report it instead of silently rewriting input. Which character is a
 * base, an ambiguity code, a gap or invalid is core's one barcode rule (BARCODE_BYTE_CLASS / BARCODE_BYTE_CODES);
 * this file only maps it onto the 5-letter alphabet (every ambiguity code is N) and trims N at both ends.
 */
import {
  BARCODE_AMBIGUOUS,
  BARCODE_BYTE_CLASS,
  BARCODE_BYTE_CODES,
  BARCODE_GAP,
  BARCODE_INVALID,
  barcodeHashBytes,
} from '@bioscan5m/core/internal';

export const BASE_A = 0;
export const BASE_C = 1;
export const BASE_G = 2;
export const BASE_T = 3;
export const BASE_N = 4;

/** What cleaning changed in one sequence (counts of characters). */
export interface CleaningCounts {
  /** Alignment gaps and padding removed: `-`, `.`, `~`, whitespace. */
  gaps: number;
  /** Lowercase bases upper-cased. */
  lowercase: number;
  /** IUPAC ambiguity codes (R Y S W K M B D H V) and `?` turned into N. */
  ambiguous: number;
  /** RNA `U` read as `T`. */
  uracil: number;
  /** Characters that are no nucleotide code at all (digits, `*`, ...), turned into N. */
  invalid: number;
  /** Leading and trailing N removed. */
  trimmedN: number;
}

export interface CleanedBarcode {
  /** Base codes (0..4), leading/trailing N trimmed. */
  codes: Uint8Array;
  /** Number of A/C/G/T bases in `codes`. */
  acgt: number;
  /** Core's barcodeHash of the raw barcode (the barcode's identity; -1 for none). */
  key: number;
  counts: CleaningCounts;
}

// Lookup from char code to base code; 255 = gap (dropped), 254 = invalid.
const GAP = 255;
const INVALID = 254;
const TABLE = new Uint8Array(128).fill(INVALID);
const KIND = new Uint8Array(128); // 0 plain, 1 ambiguity, 2 uracil
const ALPHABET: Record<number, number> = { 65: BASE_A, 67: BASE_C, 71: BASE_G, 84: BASE_T };
for (let c = 0; c < 128; c++) {
  const cls = BARCODE_BYTE_CLASS[c];
  if (cls === BARCODE_GAP) TABLE[c] = GAP;
  else if (cls === BARCODE_INVALID) TABLE[c] = INVALID;
  else TABLE[c] = ALPHABET[BARCODE_BYTE_CODES[c]] ?? BASE_N;
  // N itself is no ambiguity worth reporting; the other IUPAC codes and `?` are.
  if (cls === BARCODE_AMBIGUOUS && c !== 78 && c !== 110) KIND[c] = 1;
}
KIND['U'.charCodeAt(0)] = 2;
KIND['u'.charCodeAt(0)] = 2;

const FAST = new Uint8Array(128).fill(255);
FAST[65] = BASE_A;
FAST[67] = BASE_C;
FAST[71] = BASE_G;
FAST[84] = BASE_T;

export function emptyCleaningCounts(): CleaningCounts {
  return { gaps: 0, lowercase: 0, ambiguous: 0, uracil: 0, invalid: 0, trimmedN: 0 };
}

export function addCleaningCounts(into: CleaningCounts, c: CleaningCounts): void {
  into.gaps += c.gaps;
  into.lowercase += c.lowercase;
  into.ambiguous += c.ambiguous;
  into.uracil += c.uracil;
  into.invalid += c.invalid;
  into.trimmedN += c.trimmedN;
}

// Scratch buffers reused across calls: the string is encoded to UTF-8 natively (much faster than charCodeAt
// per character on strings sliced out of a parsed file), then mapped byte by byte.
const encoder = new TextEncoder();
let scratchIn = new Uint8Array(4096);
let scratchOut = new Uint8Array(4096);

/** Cleans one raw barcode string. Never throws: junk becomes N and is counted. */
export function cleanBarcode(raw: string): CleanedBarcode {
  const counts = emptyCleaningCounts();
  if (scratchIn.length < raw.length * 3) {
    scratchIn = new Uint8Array(raw.length * 3);
    scratchOut = new Uint8Array(raw.length * 3);
  }
  const len = encoder.encodeInto(raw, scratchIn).written;
  const bytes = scratchIn;
  const key = barcodeHashBytes(bytes, 0, len);
  const out = scratchOut;
  let n = 0;
  // Counts what core's countBarcode counts, fused into the encoding loop: one pass over the bytes in the
  // identification hot path (the same tables, so the two agree; clean.test.ts checks it).
  for (let i = 0; i < len; i++) {
    const c = bytes[i];
    // Fast path: upper-case A/C/G/T, nearly every character of a real barcode.
    const fast = c < 128 ? FAST[c] : 255;
    if (fast !== 255) {
      out[n++] = fast;
      continue;
    }
    if (c >= 128) {
      // Non-ASCII: one invalid character per UTF-8 lead byte; continuation bytes (10xxxxxx) are skipped.
      if (c >= 0xc0) {
        counts.invalid++;
        out[n++] = BASE_N;
      }
      continue;
    }
    let code = TABLE[c];
    if (code === GAP) {
      counts.gaps++;
      continue;
    }
    if (code === INVALID) {
      counts.invalid++;
      code = BASE_N;
    } else {
      if (c >= 97) counts.lowercase++;
      const kind = KIND[c];
      if (kind === 1) counts.ambiguous++;
      else if (kind === 2) counts.uracil++;
    }
    out[n++] = code;
  }
  let start = 0;
  let end = n;
  while (start < end && out[start] === BASE_N) start++;
  while (end > start && out[end - 1] === BASE_N) end--;
  counts.trimmedN = n - (end - start);
  const codes = out.slice(start, end);
  let acgt = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== BASE_N) acgt++;
  return { codes, acgt, key, counts };
}

const ASCII = new Uint8Array([65, 67, 71, 84, 78]); // A C G T N
const latin1 = new TextDecoder('latin1');

/** The cleaned sequence as a string (upper-case ACGTN). */
export function codesToString(codes: Uint8Array): string {
  const bytes = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) bytes[i] = ASCII[codes[i]];
  return latin1.decode(bytes);
}

/** Whether cleaning changed anything beyond trimming nothing. */
export function wasCleaned(c: CleaningCounts): boolean {
  return c.gaps + c.lowercase + c.ambiguous + c.uracil + c.invalid + c.trimmedN > 0;
}

/** Reverse complement of a code array (N stays N). */
export function reverseComplement(codes: Uint8Array): Uint8Array {
  const out = new Uint8Array(codes.length);
  for (let i = 0, j = codes.length - 1; j >= 0; i++, j--) {
    const c = codes[j];
    out[i] = c === BASE_N ? BASE_N : 3 - c;
  }
  return out;
}
