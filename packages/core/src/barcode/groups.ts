/** Assigns dense group ids to barcode keys (or their hashes) as they arrive. */
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
