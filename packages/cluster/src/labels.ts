/** Label encoding: any labels (strings, numbers) -> dense integer codes, as np.unique(..., return_inverse=True). */

export interface EncodedLabels {
  /** Code of each sample, 0..classes.length-1. */
  codes: Int32Array;
  /** Distinct labels, sorted (strings by code unit order, numbers numerically). */
  classes: (string | number)[];
}

export type LabelArray = ArrayLike<string | number>;

export function encodeLabels(labels: LabelArray): EncodedLabels {
  const n = labels.length;
  const codes = new Int32Array(n);
  const index = new Map<string | number, number>();
  const firstSeen: (string | number)[] = [];
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    let c = index.get(v);
    if (c === undefined) {
      c = firstSeen.length;
      index.set(v, c);
      firstSeen.push(v);
    }
    codes[i] = c;
  }
  // Sort the classes so codes do not depend on row order (like np.unique).
  const order = firstSeen.map((_, i) => i);
  order.sort((a, b) => compareLabels(firstSeen[a], firstSeen[b]));
  const remap = new Int32Array(order.length);
  order.forEach((old, rank) => (remap[old] = rank));
  for (let i = 0; i < n; i++) codes[i] = remap[codes[i]];
  return { codes, classes: order.map((i) => firstSeen[i]) };
}

function compareLabels(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Dense codes of an integer label array (already codes, or any ints): returns codes and the class count. */
export function toCodes(labels: LabelArray | Int32Array): { codes: Int32Array; count: number } {
  if (labels instanceof Int32Array) {
    let ok = true;
    let max = -1;
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i];
      if (v < 0) {
        ok = false;
        break;
      }
      if (v > max) max = v;
    }
    if (ok && max < 4 * labels.length + 16) {
      // Compact used values to 0..count-1 (keeps order).
      const map = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < labels.length; i++) map[labels[i]] = 1;
      let count = 0;
      for (let v = 0; v <= max; v++) if (map[v] === 1) map[v] = count++;
      const codes = new Int32Array(labels.length);
      for (let i = 0; i < labels.length; i++) codes[i] = map[labels[i]];
      return { codes, count };
    }
  }
  const enc = encodeLabels(labels);
  return { codes: enc.codes, count: enc.classes.length };
}
