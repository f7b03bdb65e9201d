/**
 * Barcode identity for grouping: samples whose barcodes are equal after removing trailing N (the reference's
 * rstrip("N")) are one barcode.
 */

export function stripBarcode(barcode: string): string {
  let end = barcode.length;
  while (end > 0 && barcode.charCodeAt(end - 1) === 78) end--;
  return end === barcode.length ? barcode : barcode.slice(0, end);
}

/**
 * A 53-bit hash of the N-stripped barcode, so that millions of ~660-character barcodes can be grouped without
 * holding the strings (two 32-bit multiplicative hashes; for the release's 2.5 M distinct barcodes the chance
 * that any two collide is about 4e-4). Empty barcodes hash to -1.
 */
export function barcodeHash(barcode: string): number {
  let end = barcode.length;
  while (end > 0 && barcode.charCodeAt(end - 1) === 78) end--;
  if (end === 0) return -1;
  let h1 = 0x811c9dc5 ^ end;
  let h2 = 0x9747b28c;
  for (let i = 0; i < end; i++) {
    const c = barcode.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

/** Assigns dense group ids to barcode keys as they arrive. */
export class BarcodeGroups<K> {
  private readonly ids = new Map<K, number>();
  get size(): number {
    return this.ids.size;
  }
  id(key: K): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }
  /** The key of every group, by group id, mapped to a number (for order-independent sorting). */
  keys(toNumber: (key: K) => number): Float64Array {
    const out = new Float64Array(this.ids.size);
    for (const [k, id] of this.ids) out[id] = toNumber(k);
    return out;
  }
}

/** A growable Int32 column (doubling), for streaming passes that do not know the row count in advance. */
export class GrowableInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** barcodeHash over the bytes buf[start, end) of an ASCII barcode (same value as barcodeHash of its string). */
export function barcodeHashBytes(buf: Uint8Array, start: number, end: number): number {
  while (end > start && buf[end - 1] === 78) end--;
  const len = end - start;
  if (len === 0) return -1;
  let h1 = 0x811c9dc5 ^ len;
  let h2 = 0x9747b28c;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}
