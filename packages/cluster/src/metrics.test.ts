import { describe, expect, it } from 'vitest';
import { readTable } from '@bioscan5m/core';
import {
  adjustedMutualInfo,
  adjustedRandIndex,
  clusteringScores,
  contingency,
  expectedMutualInfo,
  logFactorialTable,
  normalizedMutualInfo,
} from './metrics.js';
import { BARCODES_CSV, hasSharedData, readFixture } from './testing/fixtures.js';

interface Expected {
  ami: number;
  ari: number;
  nmi: number;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
  classes: number;
  clusters: number;
}
interface MetricsFixture {
  cases: { name: string; true: (string | number)[]; pred: (string | number)[]; expected: Expected }[];
  realCases: { name: string; true: string; pred: string; rows: number; expected: Expected }[];
}
const golden = readFixture<MetricsFixture>('metrics.json');

function expectScores(got: ReturnType<typeof clusteringScores>, want: Expected) {
  for (const k of ['ami', 'ari', 'nmi', 'homogeneity', 'completeness', 'vMeasure'] as const) {
    expect(Math.abs(got[k] - want[k]), `${k}: got ${got[k]}, sklearn ${want[k]}`).toBeLessThan(1e-9);
  }
  expect(got.classes).toBe(want.classes);
  expect(got.clusters).toBe(want.clusters);
}

describe('clustering metrics match scikit-learn 1.2.1', () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      expectScores(clusteringScores(c.true, c.pred), c.expected);
      expect(Math.abs(adjustedMutualInfo(c.true, c.pred) - c.expected.ami)).toBeLessThan(1e-9);
      expect(Math.abs(adjustedRandIndex(c.true, c.pred) - c.expected.ari)).toBeLessThan(1e-9);
      expect(Math.abs(normalizedMutualInfo(c.true, c.pred) - c.expected.nmi)).toBeLessThan(1e-9);
    });
  }

  it.skipIf(!hasSharedData)('real BOLD barcodes: species/genus/BIN/family agreement', async () => {
    const t = await readTable(BARCODES_CSV);
    const col = (name: string) => t.header.indexOf(name);
    for (const c of golden.realCases) {
      const rows = t.rows.filter((r) => r[col('class')] === 'Insecta' && r[col(c.true)] && r[col(c.pred)]);
      expect(rows.length).toBe(c.rows);
      expectScores(
        clusteringScores(
          rows.map((r) => r[col(c.true)]),
          rows.map((r) => r[col(c.pred)]),
        ),
        c.expected,
      );
    }
  });
});

describe('metric building blocks', () => {
  it('log-factorial table is exact for small k and accurate for large k', () => {
    const t = logFactorialTable(100000);
    let f = 1;
    for (let k = 1; k <= 20; k++) {
      f *= k;
      expect(t[k]).toBeCloseTo(Math.log(f), 13);
    }
    // Stirling series for log(100000!)
    const x = 100001;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
    expect(Math.abs(t[100000] - stirling) / stirling).toBeLessThan(4e-16);
  });

  it('contingency cells sum to n and match a brute-force count', () => {
    const a = [0, 1, 1, 2, 2, 2, 0, 1];
    const b = [3, 3, 4, 4, 4, 5, 3, 3];
    const ct = contingency(a, b);
    const total = ct.cellCount.reduce((s, v) => s + v, 0);
    expect(total).toBe(8);
    const brute = new Map<string, number>();
    a.forEach((v, i) => brute.set(`${v},${b[i] - 3}`, (brute.get(`${v},${b[i] - 3}`) ?? 0) + 1));
    expect(ct.cellCount.length).toBe(brute.size);
    for (let c = 0; c < ct.cellCount.length; c++)
      expect(ct.cellCount[c]).toBe(brute.get(`${ct.cellRow[c]},${ct.cellCol[c]}`));
  });

  it('expected mutual information equals a direct R x C sum', () => {
    const t = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];
    const p = [0, 1, 1, 1, 2, 2, 0, 0, 3, 3];
    const ct = contingency(t, p);
    const lf = logFactorialTable(ct.n);
    const N = ct.n;
    let direct = 0;
    for (const a of ct.rowSums)
      for (const b of ct.colSums)
        for (let nij = Math.max(1, a + b - N); nij <= Math.min(a, b); nij++) {
          const gln =
            lf[a] + lf[b] + lf[N - a] + lf[N - b] - lf[N] - lf[nij] - lf[a - nij] - lf[b - nij] - lf[N - a - b + nij];
          direct += (nij / N) * Math.log((N * nij) / (a * b)) * Math.exp(gln);
        }
    expect(expectedMutualInfo(ct)).toBeCloseTo(direct, 13);
  });

  it('rejects labelings of different length', () => {
    expect(() => clusteringScores([1, 2], [1])).toThrow(/differ in length/);
  });
});
