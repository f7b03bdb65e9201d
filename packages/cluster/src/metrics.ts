/**
 * External clustering metrics, computed exactly as scikit-learn 1.2 does (same formulas, same special cases), so
 * results agree to ~1e-12: AMI (arithmetic normalisation), ARI, NMI, homogeneity, completeness, V-measure.
 *
 * Hand-written: no npm package computes the adjusted mutual information. Speed comes from a sparse
 * contingency table built by sorting (no R x C matrix), an exact log-factorial table in place of gammaln, and
 * the expected-mutual-information sum grouped by distinct (row size, column size) pairs, which is identical
 * in value to scikit-learn's R x C double loop but runs in time ~ distinct sizes^2 instead of R x C.
 */
import { Bioscan5mError } from '@bioscan5m/core';
import { type LabelArray, toCodes } from './labels.js';

/** Non-zero cells of the contingency table of two labelings, plus the row and column sums. */
export interface Contingency {
  n: number;
  /** Row (true class) sums, length R. */
  rowSums: Float64Array;
  /** Column (cluster) sums, length C. */
  colSums: Float64Array;
  /** Non-zero cells: row index, column index, count. */
  cellRow: Int32Array;
  cellCol: Int32Array;
  cellCount: Float64Array;
}

export function contingency(labelsTrue: LabelArray | Int32Array, labelsPred: LabelArray | Int32Array): Contingency {
  if (labelsTrue.length !== labelsPred.length) {
    throw new Bioscan5mError(`labels differ in length: ${labelsTrue.length} true vs ${labelsPred.length} predicted`);
  }
  const n = labelsTrue.length;
  const t = toCodes(labelsTrue);
  const p = toCodes(labelsPred);
  const R = t.count;
  const C = p.count;
  const rowSums = new Float64Array(R);
  const colSums = new Float64Array(C);
  // Cell keys t*C + p stay below 2^53; sorting them groups equal cells without an R x C table.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rowSums[t.codes[i]]++;
    colSums[p.codes[i]]++;
    keys[i] = t.codes[i] * C + p.codes[i];
  }
  keys.sort();
  let cells = 0;
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) cells++;
  const cellRow = new Int32Array(cells);
  const cellCol = new Int32Array(cells);
  const cellCount = new Float64Array(cells);
  let c = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      c++;
      cellRow[c] = Math.floor(keys[i] / C);
      cellCol[c] = keys[i] - cellRow[c] * C;
    }
    cellCount[c]++;
  }
  return { n, rowSums, colSums, cellRow, cellCol, cellCount };
}

/** Entropy (natural log) of a labeling given its class counts; sklearn's `entropy`. */
export function entropyOfCounts(counts: Float64Array, n: number): number {
  if (n === 0) return 1.0;
  let k = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) k++;
  if (k === 1) return 0.0;
  const logSum = Math.log(n);
  let s = 0;
  for (let i = 0; i < counts.length; i++) {
    const v = counts[i];
    if (v > 0) s += (v / n) * (Math.log(v) - logSum);
  }
  return -s;
}

/** Mutual information (nats) from a contingency table; sklearn's `mutual_info_score`. */
export function mutualInfo(ct: Contingency): number {
  if (ct.rowSums.length === 1 || ct.colSums.length === 1) return 0.0;
  const total = ct.n;
  const logTotal = Math.log(total);
  const logSums = logTotal + logTotal; // log(pi.sum()) + log(pj.sum()): both equal the sample count
  const EPS = 2.220446049250313e-16;
  let mi = 0;
  for (let c = 0; c < ct.cellCount.length; c++) {
    const v = ct.cellCount[c];
    const nm = v / total;
    const outer = ct.rowSums[ct.cellRow[c]] * ct.colSums[ct.cellCol[c]];
    const logOuter = -Math.log(outer) + logSums;
    let term = nm * (Math.log(v) - logTotal) + nm * logOuter;
    if (Math.abs(term) < EPS) term = 0;
    mi += term;
  }
  return mi < 0 ? 0 : mi;
}

/** log(k!) for k = 0..max, summed with compensation so every entry is accurate to about one ulp. */
export function logFactorialTable(max: number): Float64Array {
  const t = new Float64Array(max + 1);
  let sum = 0;
  let comp = 0;
  for (let k = 2; k <= max; k++) {
    // Neumaier summation of log(2) + ... + log(k).
    const x = Math.log(k);
    const s = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? sum - s + x : x - s + sum;
    sum = s;
    t[k] = sum + comp;
  }
  return t;
}

/** Distinct values of integer-valued sizes with their multiplicities. */
function sizeHistogram(sizes: Float64Array): { values: Float64Array; counts: Float64Array } {
  const sorted = Float64Array.from(sizes).sort();
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]++;
    else {
      values.push(sorted[i]);
      counts.push(1);
    }
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts) };
}

/**
 * Expected mutual information under the hypergeometric model of random labelings with fixed class sizes;
 * sklearn's `expected_mutual_information`, with the same terms and nij bounds. The value of a cell depends
 * only on its row sum a and column sum b, so each distinct (a, b) pair is evaluated once and weighted.
 */
export function expectedMutualInfo(ct: Contingency, logFact?: Float64Array): number {
  const R = ct.rowSums.length;
  const C = ct.colSums.length;
  if (R === 1 || C === 1) return 0.0;
  const N = ct.n;
  const lf = logFact && logFact.length > N ? logFact : logFactorialTable(N);
  const A = sizeHistogram(ct.rowSums);
  const B = sizeHistogram(ct.colSums);
  const logN = Math.log(N);
  const glnN = lf[N];
  let emi = 0;
  for (let i = 0; i < A.values.length; i++) {
    const a = A.values[i];
    const logA = Math.log(a);
    const glnA = lf[a] + lf[N - a];
    for (let j = 0; j < B.values.length; j++) {
      const b = B.values[j];
      const logB = Math.log(b);
      const base = glnA + lf[b] + lf[N - b] - glnN;
      const start = Math.max(1, a - N + b);
      const end = Math.min(a, b);
      let s = 0;
      for (let nij = start; nij <= end; nij++) {
        const term1 = nij / N;
        const term2 = logN + Math.log(nij) - logA - logB;
        const gln = base - lf[nij] - lf[a - nij] - lf[b - nij] - lf[N - a - b + nij];
        s += term1 * term2 * Math.exp(gln);
      }
      emi += s * A.counts[i] * B.counts[j];
    }
  }
  return emi;
}

export interface ClusteringScores {
  /** Number of distinct true labels. */
  classes: number;
  /** Number of distinct predicted clusters. */
  clusters: number;
  ami: number;
  ari: number;
  nmi: number;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

const F64_EPS = 2.220446049250313e-16;

function amiFrom(ct: Contingency, mi: number, hTrue: number, hPred: number, logFact?: Float64Array): number {
  const R = ct.rowSums.length;
  const C = ct.colSums.length;
  if ((R === 1 && C === 1) || (R === 0 && C === 0)) return 1.0;
  const emi = expectedMutualInfo(ct, logFact);
  const normalizer = (hTrue + hPred) / 2;
  let denominator = normalizer - emi;
  if (denominator < 0) denominator = Math.min(denominator, -F64_EPS);
  else denominator = Math.max(denominator, F64_EPS);
  return (mi - emi) / denominator;
}

function nmiFrom(ct: Contingency, mi: number, hTrue: number, hPred: number): number {
  const R = ct.rowSums.length;
  const C = ct.colSums.length;
  if ((R === 1 && C === 1) || (R === 0 && C === 0)) return 1.0;
  if (mi === 0) return 0.0;
  return mi / ((hTrue + hPred) / 2);
}

function ariFrom(ct: Contingency): number {
  // sklearn's pair confusion matrix; the final products exceed 2^53, so use BigInt like Python's ints.
  const n = BigInt(ct.n);
  let ss = 0n;
  for (let c = 0; c < ct.cellCount.length; c++) ss += BigInt(ct.cellCount[c]) ** 2n;
  let sumColSq = 0n;
  for (let j = 0; j < ct.colSums.length; j++) sumColSq += BigInt(ct.colSums[j]) ** 2n;
  let sumRowSq = 0n;
  for (let i = 0; i < ct.rowSums.length; i++) sumRowSq += BigInt(ct.rowSums[i]) ** 2n;
  const tp = ss - n;
  const fp = sumColSq - ss;
  const fn = sumRowSq - ss;
  const tn = n * n - fp - fn - ss;
  if (fn === 0n && fp === 0n) return 1.0;
  const num = tp * tn - fn * fp;
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return (2.0 * Number(num)) / Number(den);
}

/** Every metric at once (one contingency table, one entropy per labeling). */
export function clusteringScores(
  labelsTrue: LabelArray | Int32Array,
  labelsPred: LabelArray | Int32Array,
  opts: { logFactorials?: Float64Array } = {},
): ClusteringScores {
  const ct = contingency(labelsTrue, labelsPred);
  const hTrue = entropyOfCounts(ct.rowSums, ct.n);
  const hPred = entropyOfCounts(ct.colSums, ct.n);
  const mi = mutualInfo(ct);
  const homogeneity = ct.n === 0 ? 1.0 : hTrue ? mi / hTrue : 1.0;
  const completeness = ct.n === 0 ? 1.0 : hPred ? mi / hPred : 1.0;
  const vMeasure =
    homogeneity + completeness === 0 ? 0.0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return {
    classes: ct.rowSums.length,
    clusters: ct.colSums.length,
    ami: amiFrom(ct, mi, hTrue, hPred, opts.logFactorials),
    ari: ariFrom(ct),
    nmi: nmiFrom(ct, mi, hTrue, hPred),
    homogeneity,
    completeness,
    vMeasure,
  };
}

export function adjustedMutualInfo(labelsTrue: LabelArray | Int32Array, labelsPred: LabelArray | Int32Array): number {
  const ct = contingency(labelsTrue, labelsPred);
  return amiFrom(ct, mutualInfo(ct), entropyOfCounts(ct.rowSums, ct.n), entropyOfCounts(ct.colSums, ct.n));
}

export function adjustedRandIndex(labelsTrue: LabelArray | Int32Array, labelsPred: LabelArray | Int32Array): number {
  return ariFrom(contingency(labelsTrue, labelsPred));
}

export function normalizedMutualInfo(labelsTrue: LabelArray | Int32Array, labelsPred: LabelArray | Int32Array): number {
  const ct = contingency(labelsTrue, labelsPred);
  return nmiFrom(ct, mutualInfo(ct), entropyOfCounts(ct.rowSums, ct.n), entropyOfCounts(ct.colSums, ct.n));
}
