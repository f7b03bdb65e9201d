/**
 * A bounded top-k selection over (score, index) pairs with one deterministic order: a higher score ranks first,
 * and equal scores rank by the lower index. Kept as a binary min-heap whose root is the current worst entry, so
 * most candidates are rejected by one comparison.
 */
export class TopK {
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly ids: Int32Array;
  private n = 0;

  constructor(k: number) {
    this.k = k;
    this.scores = new Float64Array(k);
    this.ids = new Int32Array(k);
  }

  reset(): void {
    this.n = 0;
  }

  get size(): number {
    return this.n;
  }

  /** The score a new candidate must beat (strictly, for a larger index) once the heap is full; -Infinity before. */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0];
  }

  /** Offers a candidate. Returns true when it was kept. */
  push(score: number, id: number): boolean {
    const { scores, ids, k } = this;
    if (k === 0) return false;
    if (this.n < k) {
      // Sift up.
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(score, id, scores[p], ids[p])) break;
        scores[i] = scores[p];
        ids[i] = ids[p];
        i = p;
      }
      scores[i] = score;
      ids[i] = id;
      return true;
    }
    if (!worse(scores[0], ids[0], score, id)) return false;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      const r = l + 1;
      const c = r < k && worse(scores[r], ids[r], scores[l], ids[l]) ? r : l;
      if (!worse(scores[c], ids[c], score, id)) break;
      scores[i] = scores[c];
      ids[i] = ids[c];
      i = c;
    }
    scores[i] = score;
    ids[i] = id;
    return true;
  }

  /**
   * Writes the kept entries best first into `outIds`/`outScores` at `offset`; slots past the kept count get
   * index -1 and score -Infinity (faiss's convention for fewer keys than k).
   */
  drain(outIds: Int32Array, outScores: Float32Array, offset: number): void {
    const order = Array.from({ length: this.n }, (_, i) => i);
    order.sort((a, b) => (worse(this.scores[a], this.ids[a], this.scores[b], this.ids[b]) ? 1 : -1));
    for (let j = 0; j < this.k; j++) {
      if (j < order.length) {
        outIds[offset + j] = this.ids[order[j]];
        outScores[offset + j] = this.scores[order[j]];
      } else {
        outIds[offset + j] = -1;
        outScores[offset + j] = -Infinity;
      }
    }
    this.n = 0;
  }
}

/** True when (sa, ia) ranks below (sb, ib): a lower score, or an equal score and a higher index. */
export function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}
