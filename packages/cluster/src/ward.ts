/**
 * Ward agglomerative clustering (Euclidean) with memory linear in n.
 *
 * scipy's `linkage(X, 'ward')` (which scikit-learn's AgglomerativeClustering calls) runs the nearest-neighbour
 * chain algorithm on a condensed n x n distance matrix updated by Lance-Williams: 8 n^2 / 2 bytes, 8.9 GB at
 * n = 47,260. Ward distances are also a closed form of cluster centroids and sizes,
 *   d(A, B)^2 = 2 |A| |B| / (|A| + |B|) * ||cA - cB||^2   (scipy's height convention),
 * so this runs the same nearest-neighbour chain with the same tie rules over centroids (n x d doubles) and
 * produces the same merges and heights (to rounding). No npm package implements this (ml-hclust keeps an
 * n x n matrix and is O(n^3)); hence hand-written.
 *
 * Speed: each nearest-neighbour scan walks a compact array of live centroids and abandons a candidate as soon
 * as its partial squared distance exceeds the best so far (exact: partial sums only grow). The scan runs in a
 * 600-byte WebAssembly SIMD kernel (wasm/ward-kernel.ts, built by scripts/build-wasm.mjs), ~2.5x the same loop in
 * JavaScript, which remains as the fallback and gives bit-identical trees; large scans are split across worker
 * threads sharing the kernel's memory (ward-wasm.ts), again with an identical result.
 */
import { Bioscan5mError, type ProgressCallback } from '@bioscan5m/core';

import type { Matrix } from './matrix.js';
import { createScanKernel } from './ward-wasm.js';

/** A scipy-format linkage: row i merges children[2i] and children[2i+1] into node n + i at height distances[i]. */
export interface Linkage {
  /** Number of leaves. */
  n: number;
  /** (n - 1) x 2 node ids, smaller first (leaves 0..n-1, merge i creates node n + i). */
  children: Int32Array;
  /** Merge heights, non-decreasing (scipy's Ward distance). */
  distances: Float64Array;
  /** Leaves under each new node. */
  sizes: Int32Array;
}

export interface WardOptions {
  onProgress?: ProgressCallback;
  /** Use the WebAssembly SIMD scan when available (default true); the result is identical either way. */
  wasm?: boolean;
  /** Threads for the scan (default: all cores from 8,192 rows on); the result is identical for any count. */
  threads?: number;
}

/** Builds the full Ward tree of the rows of `x` (n x d, row-major). */
export function wardLinkage(x: Matrix, opts: WardOptions = {}): Linkage {
  const n = x.rows;
  const d = x.dim;
  if (n < 1) throw new Bioscan5mError('Ward clustering needs at least one row');
  if (x.data.length !== n * d)
    throw new Bioscan5mError(`matrix data has ${x.data.length} values, expected ${n} x ${d}`);
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new Bioscan5mError(`row ${Math.floor(i / d) + 1}, column ${(i % d) + 1}: value ${x.data[i]} is not finite`);
    }
  }
  const m0 = n;
  // Slot arrays: live clusters packed into slots 0..m-1 so scans touch contiguous memory. With the WebAssembly
  // kernel they live in its linear memory and JavaScript works on views of it.
  const kernel = opts.wasm === false ? null : createScanKernel(n, d, opts.threads);
  const cent = kernel ? kernel.cent : new Float64Array(n * d);
  cent.set(x.data);
  const size = kernel ? kernel.size : new Float64Array(m0);
  const invSize = kernel ? kernel.invSize : new Float64Array(m0);
  const idOf = kernel ? kernel.ids : new Int32Array(m0); // slot -> scipy cluster index
  const slotOf = new Int32Array(m0); // scipy cluster index -> slot (-1 when merged away)
  for (let i = 0; i < m0; i++) {
    idOf[i] = i;
    slotOf[i] = i;
    size[i] = 1;
    invSize[i] = 1;
  }
  const nearest = kernel
    ? kernel.nearest
    : (mm: number, dd: number, s: number, b: number, y: number, p: number) =>
        nearestSlotJs(cent, size, invSize, idOf, mm, dd, s, b, y, p);
  let m = m0;
  let lowest = 0; // smallest live scipy index: where scipy starts a new chain
  const chain = new Int32Array(n);
  let len = 0;
  const zx = new Int32Array(Math.max(0, n - 1));
  const zy = new Int32Array(Math.max(0, n - 1));
  const zd = new Float64Array(Math.max(0, n - 1));
  const zs = new Int32Array(Math.max(0, n - 1));
  const report = opts.onProgress;
  const every = Math.max(1, Math.floor(n / 200));

  /** Ward distance^2 between two slots. */
  const ward2 = (s: number, t: number): number => {
    const os = s * d;
    const ot = t * d;
    let acc = 0;
    for (let k = 0; k < d; k++) {
      const diff = cent[os + k] - cent[ot + k];
      acc += diff * diff;
    }
    const ns = size[s];
    const nt = size[t];
    return ((2 * ns * nt) / (ns + nt)) * acc;
  };

  for (let k = 0; k < n - 1; k++) {
    if (len === 0) {
      while (slotOf[lowest] < 0) lowest++;
      chain[0] = lowest;
      len = 1;
    }
    let x0 = 0;
    let y0 = 0;
    let best = Infinity;
    for (;;) {
      x0 = chain[len - 1];
      const sx = slotOf[x0];
      const prev = len > 1 ? chain[len - 2] : -1;
      if (prev >= 0) {
        y0 = prev;
        best = ward2(sx, slotOf[prev]);
      } else {
        best = Infinity;
        y0 = -1;
      }
      const found = nearest(m, d, sx, best, y0, prev);
      best = kernel ? kernel.lastBest() : scanBest;
      y0 = found;
      if (prev >= 0 && y0 === prev) break;
      chain[len++] = y0;
    }
    len -= 2;
    let a = x0;
    let b = y0;
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const sa = slotOf[a];
    const sb = slotOf[b];
    const na = size[sa];
    const nb = size[sb];
    zx[k] = a;
    zy[k] = b;
    zd[k] = Math.sqrt(best);
    zs[k] = na + nb;
    // The merged cluster keeps the larger index (scipy's convention) and the centroid of the union.
    const oa = sa * d;
    const ob = sb * d;
    const inv = 1 / (na + nb);
    for (let q = 0; q < d; q++) cent[ob + q] = (na * cent[oa + q] + nb * cent[ob + q]) * inv;
    size[sb] = na + nb;
    invSize[sb] = 1 / (na + nb);
    // Drop slot sa: move the last slot into it.
    const last = m - 1;
    if (sa !== last) {
      cent.copyWithin(oa, last * d, last * d + d);
      size[sa] = size[last];
      invSize[sa] = invSize[last];
      idOf[sa] = idOf[last];
      slotOf[idOf[sa]] = sa;
    }
    slotOf[a] = -1;
    m--;
    if (report && (k % every === 0 || k === n - 2)) report(k + 1, n - 1);
  }
  kernel?.close();
  return relabel(n, zx, zy, zd, zs);
}

let scanBest = 0;

/**
 * The hot loop: nearest live cluster of slot `sx` by Ward distance, scipy's tie rules (strict improvement;
 * on equal distance the previous chain element, else the lowest index). Returns the winner's scipy index and
 * leaves its squared Ward distance in `scanBest`. A top-level function with typed-array arguments, so V8
 * optimises it as one unit.
 */
function nearestSlotJs(
  cent: Float64Array,
  size: Float64Array,
  invSize: Float64Array,
  idOf: Int32Array,
  m: number,
  d: number,
  sx: number,
  best: number,
  y0: number,
  prev: number,
): number {
  const nx = size[sx];
  const halfInvNx = 0.5 / nx;
  const ox = sx * d;
  const d8 = d - (d % 8);
  for (let s = 0; s < m; s++) {
    if (s === sx) continue;
    // Ward d^2 = w * ||cx - cs||^2 with 1/w = (1/nx + 1/ns) / 2: partial sums above best / w cannot win.
    // (Slightly generous so rounding never abandons a candidate that ties.)
    const limit = best * (halfInvNx + 0.5 * invSize[s]) * (1 + 1e-12);
    const os = s * d;
    let acc = 0;
    let k2 = 0;
    let abandoned = false;
    for (; k2 < d8; k2 += 8) {
      const a0 = cent[ox + k2] - cent[os + k2];
      const a1 = cent[ox + k2 + 1] - cent[os + k2 + 1];
      const a2 = cent[ox + k2 + 2] - cent[os + k2 + 2];
      const a3 = cent[ox + k2 + 3] - cent[os + k2 + 3];
      const a4 = cent[ox + k2 + 4] - cent[os + k2 + 4];
      const a5 = cent[ox + k2 + 5] - cent[os + k2 + 5];
      const a6 = cent[ox + k2 + 6] - cent[os + k2 + 6];
      const a7 = cent[ox + k2 + 7] - cent[os + k2 + 7];
      // Same left-to-right order as a plain loop, so the full sum is bit-identical to ward2().
      acc = acc + a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + a4 * a4 + a5 * a5 + a6 * a6 + a7 * a7;
      if (acc > limit) {
        abandoned = true;
        break;
      }
    }
    if (abandoned) continue;
    for (; k2 < d; k2++) {
      const a = cent[ox + k2] - cent[os + k2];
      acc += a * a;
    }
    const ns = size[s];
    const dist = ((2 * nx * ns) / (nx + ns)) * acc;
    const id = idOf[s];
    // scipy: strict improvement in index order, keeping the previous chain element on ties.
    if (dist < best || (dist === best && y0 !== prev && id < y0)) {
      best = dist;
      y0 = id;
    }
  }
  scanBest = best;
  return y0;
}

/** scipy's post-processing: stable sort by height, then name nodes n, n+1, ... with a union-find. */
function relabel(n: number, zx: Int32Array, zy: Int32Array, zd: Float64Array, zs: Int32Array): Linkage {
  const m = n - 1;
  const order = Array.from({ length: m }, (_, i) => i);
  order.sort((p, q) => zd[p] - zd[q] || p - q);
  const parent = new Int32Array(2 * n - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (v: number): number => {
    let r = v;
    while (parent[r] !== r) r = parent[r];
    while (parent[v] !== r) {
      const nxt = parent[v];
      parent[v] = r;
      v = nxt;
    }
    return r;
  };
  const children = new Int32Array(2 * m);
  const distances = new Float64Array(m);
  const sizes = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const o = order[i];
    const rx = find(zx[o]);
    const ry = find(zy[o]);
    children[2 * i] = Math.min(rx, ry);
    children[2 * i + 1] = Math.max(rx, ry);
    distances[i] = zd[o];
    sizes[i] = zs[o];
    parent[rx] = n + i;
    parent[ry] = n + i;
  }
  return { n, children, distances, sizes };
}

/** Number of clusters sklearn gets for a distance threshold: merges at height >= threshold are undone. */
export function clustersForThreshold(linkage: Linkage, threshold: number): number {
  let c = 1;
  for (let i = 0; i < linkage.distances.length; i++) if (linkage.distances[i] >= threshold) c++;
  return c;
}

/**
 * Flat clusters from the tree, labelled exactly as scikit-learn's `_hc_cut` labels them (it undoes the
 * n_clusters - 1 highest merges, keeping the open nodes in a heapq; labels follow the heap's array order).
 */
export function cutTree(linkage: Linkage, nClusters: number): Int32Array {
  const n = linkage.n;
  if (!Number.isInteger(nClusters) || nClusters < 1 || nClusters > n) {
    throw new Bioscan5mError(`number of clusters must be between 1 and the number of rows (${n}), got ${nClusters}`);
  }
  const ch = linkage.children;
  const heap: number[] = [n === 1 ? -0 : -(Math.max(ch[2 * (n - 2)], ch[2 * (n - 2) + 1]) + 1)];
  for (let c = 0; c < nClusters - 1; c++) {
    const node = -heap[0];
    const r = node - n;
    heapPush(heap, -ch[2 * r]);
    heapPushPop(heap, -ch[2 * r + 1]);
  }
  const lab = new Int32Array(2 * n - 1).fill(-1);
  heap.forEach((v, i) => (lab[-v] = i));
  for (let node = 2 * n - 2; node >= n; node--) {
    const l = lab[node];
    if (l < 0) continue;
    const r = node - n;
    lab[ch[2 * r]] = l;
    lab[ch[2 * r + 1]] = l;
  }
  return lab.slice(0, n);
}

// Python's heapq (push, pushpop and the two sift helpers), ported step for step so labels match sklearn's.
function siftDown(heap: number[], start: number, pos: number): void {
  const item = heap[pos];
  while (pos > start) {
    const pp = (pos - 1) >> 1;
    const parent = heap[pp];
    if (item < parent) {
      heap[pos] = parent;
      pos = pp;
      continue;
    }
    break;
  }
  heap[pos] = item;
}

function siftUp(heap: number[], pos: number): void {
  const end = heap.length;
  const start = pos;
  const item = heap[pos];
  let child = 2 * pos + 1;
  while (child < end) {
    const right = child + 1;
    if (right < end && !(heap[child] < heap[right])) child = right;
    heap[pos] = heap[child];
    pos = child;
    child = 2 * pos + 1;
  }
  heap[pos] = item;
  siftDown(heap, start, pos);
}

function heapPush(heap: number[], item: number): void {
  heap.push(item);
  siftDown(heap, 0, heap.length - 1);
}

function heapPushPop(heap: number[], item: number): number {
  if (heap.length && heap[0] < item) {
    const top = heap[0];
    heap[0] = item;
    siftUp(heap, 0);
    return top;
  }
  return item;
}

export interface WardClusteringOptions extends WardOptions {
  /** Number of flat clusters (default when no threshold is given: required). */
  nClusters?: number;
  /** Undo every merge at height >= this (sklearn's distance_threshold); overrides nClusters. */
  distanceThreshold?: number;
}

export interface WardResult {
  labels: Int32Array;
  nClusters: number;
  linkage: Linkage;
}

/** AgglomerativeClustering(linkage='ward') in one call: tree, then the cut. */
export function wardClustering(x: Matrix, opts: WardClusteringOptions): WardResult {
  if (opts.nClusters === undefined && opts.distanceThreshold === undefined) {
    throw new Bioscan5mError('give nClusters or distanceThreshold');
  }
  const linkage = wardLinkage(x, opts);
  const k =
    opts.distanceThreshold !== undefined
      ? clustersForThreshold(linkage, opts.distanceThreshold)
      : (opts.nClusters as number);
  return { labels: cutTree(linkage, k), nClusters: k, linkage };
}
