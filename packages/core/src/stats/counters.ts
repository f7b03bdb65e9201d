/**
 * The counting structures of the stats scanner: exact byte-string counters, 64-bit key counters and pair
 * counters on typed arrays (no Map: at millions of keys a Map costs several times the memory and time).
 */
import type { CounterDump } from './scanner.js';

/** Matcher for missing-value cells: empty, or one of `naValues` byte for byte. */
export function naMatcher(naValues: readonly string[]): (buf: Uint8Array, s: number, e: number) => boolean {
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

/** 32-bit FNV-1a of buf[s, e): the key of a category value. */
export function hashBytes(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 16777619);
  return h >>> 0;
}

// Hash of a raw dna_barcode VALUE, for counting distinct values as pandas' nunique does (Table 2 counts raw
// strings; the barcode identity rule of barcode/rule.ts is for grouping samples, not for this). 64 bits as two
// 32-bit halves. Four independent 64-bit lanes each absorb every fourth 4-byte
// word (read with DataView from the field start, so the same bytes hash the same wherever they sit): the lanes'
// multiply chains run in parallel on the CPU (2.4x faster than one chain), and a one-word difference between
// two barcodes still changes a full 64-bit lane state. murmur3 finalisers mix the lanes at the end.

/** Result of the last hashBarcodeValue call (two 32-bit halves; module state so the hot loop allocates nothing). */
export const barcodeValueHash = { h1: 0, h2: 0 };

export function hashBarcodeValue(dv: DataView, buf: Uint8Array, s: number, e: number): void {
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
  let b =
    (b1 + Math.imul(b2, 0x165667b1) + Math.imul(b3, 0xc2b2ae35) + Math.imul(b4, 0x27d4eb2f)) ^ Math.imul(e - s, 31);
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
  barcodeValueHash.h1 = a >>> 0;
  barcodeValueHash.h2 = b >>> 0;
}

/**
 * Exact counter of byte strings: open addressing on a 32-bit hash, values kept once in an arena. Each slot
 * holds [hash, id] side by side and each entry [offset, length], so a probe touches few cache lines.
 */
export class ByteCounter {
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
export class Hash64Counter {
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
export class PairCounter {
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

/** Smallest and largest count (0, 0 when there is none). */
export function countRange(counts: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c < min) min = c;
    if (c > max) max = c;
  }
  return { min: counts.length ? min : 0, max };
}
