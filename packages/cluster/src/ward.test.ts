import { describe, expect, it } from 'vitest';
import { readTable } from '@bioscan5m/core';
import { clustersForThreshold, cutTree, wardClustering, wardLinkage } from './ward.js';
import { kmerFrequencies } from './kmer.js';
import { clusteringScores } from './metrics.js';
import { BARCODES_CSV, hasSharedData, readFixture } from './testing/fixtures.js';

interface Cut {
  nClusters: number;
  distanceThreshold?: number;
  labels: number[];
}
interface WardCase {
  name: string;
  n: number;
  d: number;
  X?: number[][];
  linkage: [number, number, number, number][];
  cuts: Cut[];
  rows?: number;
  species?: number;
  source?: string;
  metrics?: Record<string, number>;
}
const golden = readFixture<{ cases: WardCase[] }>('ward.json');

function matrixOf(X: number[][]) {
  return { data: Float64Array.from(X.flat()), rows: X.length, dim: X[0].length };
}

/** True when two labelings describe the same partition (labels may be permuted). */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

/** `tied`: the data has exactly equal merge heights, whose order is rounding noise in scipy and here. */
function checkCase(c: WardCase, X: { data: Float64Array; rows: number; dim: number }, tied = false) {
  const tree = wardLinkage(X);
  // Same merges (node ids) and heights as scipy.cluster.hierarchy.linkage(X, 'ward').
  for (let i = 0; i < c.linkage.length; i++) {
    const [a, b, h, s] = c.linkage[i];
    if (!tied) {
      expect([tree.children[2 * i], tree.children[2 * i + 1]], `merge ${i}`).toEqual([a, b]);
      expect(tree.sizes[i]).toBe(s);
    }
    expect(Math.abs(tree.distances[i] - h), `height ${i}`).toBeLessThanOrEqual(1e-9 * Math.max(1, h));
  }
  for (const cut of c.cuts) {
    const k = cut.distanceThreshold !== undefined ? clustersForThreshold(tree, cut.distanceThreshold) : cut.nClusters;
    expect(k).toBe(cut.nClusters);
    const labels = cutTree(tree, k);
    expect(samePartition(labels, cut.labels), `partition at ${k} clusters`).toBe(true);
    // Labels are even numbered the way sklearn numbers them.
    if (!tied) expect(Array.from(labels)).toEqual(cut.labels);
  }
}

describe('Ward clustering matches scipy linkage and sklearn AgglomerativeClustering', () => {
  for (const c of golden.cases.filter((c) => c.X)) {
    it(c.name, () => checkCase(c, matrixOf(c.X!)));
  }

  const real = golden.cases.find((c) => c.source);
  it.skipIf(!hasSharedData || !real)(
    'real barcodes: 4-mer frequency vectors of distinct Insecta COI sequences',
    async () => {
      const t = await readTable(BARCODES_CSV);
      const col = (name: string) => t.header.indexOf(name);
      const seen = new Set<string>();
      const vecs: Float64Array[] = [];
      const species: string[] = [];
      for (const r of t.rows) {
        if (r[col('class')] !== 'Insecta' || !r[col('species')]) continue;
        const v = kmerFrequencies(r[col('dna_barcode')]);
        const key = Array.from(v).join(',');
        if (v.every((x) => x === 0) || seen.has(key)) continue;
        seen.add(key);
        vecs.push(v);
        species.push(r[col('species')]);
        if (vecs.length === real!.rows) break;
      }
      const X = { data: new Float64Array(vecs.length * 256), rows: vecs.length, dim: 256 };
      vecs.forEach((v, i) => X.data.set(v, i * 256));
      // 4-mer vectors that differ by one k-mer give exactly tied heights: compare heights and partitions.
      checkCase(real!, X, true);
      const res = wardClustering(X, { nClusters: real!.species! });
      const s = clusteringScores(species, res.labels);
      expect(Math.abs(s.ami - real!.metrics!.ami)).toBeLessThan(1e-9);
    },
  );
});

describe('Ward properties', () => {
  it('heights are non-decreasing, sizes add up, and every cut has the requested number of clusters', () => {
    const n = 300;
    const X = { data: new Float64Array(n * 4), rows: n, dim: 4 };
    let s = 12345;
    for (let i = 0; i < X.data.length; i++) X.data[i] = ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 10;
    const tree = wardLinkage(X);
    for (let i = 1; i < n - 1; i++) expect(tree.distances[i]).toBeGreaterThanOrEqual(tree.distances[i - 1]);
    expect(tree.sizes[n - 2]).toBe(n);
    for (const k of [1, 2, 17, n]) expect(new Set(cutTree(tree, k)).size).toBe(k);
  });

  it('rejects non-finite values and bad cluster counts with clear errors', () => {
    expect(() => wardLinkage({ data: Float64Array.from([0, NaN]), rows: 2, dim: 1 })).toThrow(/row 2, column 1/);
    const tree = wardLinkage({ data: Float64Array.from([0, 1, 5]), rows: 3, dim: 1 });
    expect(() => cutTree(tree, 4)).toThrow(/between 1 and the number of rows/);
  });

  it('the WebAssembly SIMD scan and the JavaScript scan build bit-identical trees', () => {
    const n = 700;
    const d = 13; // not a multiple of 8: exercises the remainder loops
    const X = { data: new Float64Array(n * d), rows: n, dim: d };
    for (let i = 0; i < X.data.length; i++) X.data[i] = Math.sin(i * 0.7123) * 5 + Math.cos(i * 0.0131) * 3;
    const a = wardLinkage(X, { wasm: true });
    const b = wardLinkage(X, { wasm: false });
    expect(Array.from(a.children)).toEqual(Array.from(b.children));
    expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
  });

  it('splitting the scan across worker threads builds the same tree', () => {
    const n = 6000; // scans of >= 4,096 live clusters are split
    const d = 3;
    const X = { data: new Float64Array(n * d), rows: n, dim: d };
    for (let i = 0; i < X.data.length; i++) X.data[i] = Math.sin(i * 1.618) * 7 + Math.sin(i * 0.0007) * 4;
    const one = wardLinkage(X, { threads: 1 });
    const three = wardLinkage(X, { threads: 3 });
    expect(Array.from(three.children)).toEqual(Array.from(one.children));
    expect(Array.from(three.distances)).toEqual(Array.from(one.distances));
  });

  it('handles one and two rows', () => {
    const one = wardLinkage({ data: Float64Array.from([3, 4]), rows: 1, dim: 2 });
    expect(one.distances.length).toBe(0);
    expect(Array.from(cutTree(one, 1))).toEqual([0]);
    const two = wardLinkage({ data: Float64Array.from([0, 0, 3, 4]), rows: 2, dim: 2 });
    expect(Array.from(two.children)).toEqual([0, 1]);
    expect(two.distances[0]).toBe(5);
    expect(Array.from(cutTree(two, 2))).toEqual([1, 0]); // sklearn labels for [[0, 0], [3, 4]] with 2 clusters
  });

  it('progress reaches the total', () => {
    const calls: number[] = [];
    wardLinkage(
      { data: Float64Array.from({ length: 50 }, (_, i) => Math.sin(i * 7.1)), rows: 50, dim: 1 },
      { onProgress: (d) => calls.push(d) },
    );
    expect(calls.at(-1)).toBe(49);
  });
});
