/**
 * Confidence calibration: a small logistic regression, fitted by Newton's method (IRLS), that maps the evidence
 * of one identification (top identity, vote share of the winner, margin to the best disagreeing neighbour) to the
 * probability that the answer is right. Fitted on leave-one-out identifications of the reference itself, so
 * confidences mean what they say on data like the reference. Hand-written: a 4-parameter fit needs no library.
 */

export interface Evidence {
  /** Identity of the best hit, 0..1. */
  identity: number;
  /** Weighted vote share of the winning label, 0..1. */
  share: number;
  /** Identity of the best hit minus that of the best hit with a different label (0..0.1). */
  margin: number;
}

export interface Calibrator {
  /** Model weights [bias, identity, share, margin] over scaled features (empty for the heuristic). */
  readonly weights: number[];
  readonly samples: number;
  /** The heuristic's identity scale (heuristicCalibrator), absent for a fitted model. */
  readonly heuristicScale?: number;
  predict(e: Evidence): number;
}

/** A calibrator as plain data (saved in an index file). */
export type CalibratorState = { weights: number[]; samples: number } | { heuristicScale: number };

export function calibratorState(c: Calibrator): CalibratorState {
  return c.heuristicScale !== undefined
    ? { heuristicScale: c.heuristicScale }
    : { weights: [...c.weights], samples: c.samples };
}

export function restoreCalibrator(s: CalibratorState): Calibrator {
  return 'heuristicScale' in s ? heuristicCalibrator(s.heuristicScale) : logisticCalibrator(s.weights, s.samples);
}

function features(e: Evidence): number[] {
  return [1, (e.identity - 0.9) * 20, e.share, Math.min(e.margin, 0.1) * 20];
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Fallback when too few samples: the vote share, shrunk as identity drops below the species level. */
export function heuristicCalibrator(identityScale: number): Calibrator {
  return {
    weights: [],
    samples: 0,
    heuristicScale: identityScale,
    predict: (e) => Math.max(0, Math.min(1, e.share * Math.min(1, Math.max(0, 1 - (identityScale - e.identity) * 5)))),
  };
}

/**
 * Constant probability: the rule's success rate on its samples with Laplace's add-one correction, for outcomes a
 * regression cannot be fitted on (too few, or all alike: e.g. a species named for a query flagged novel, when
 * every such leave-one-out case was a species absent from the reference).
 */
export function rateCalibrator(samples: readonly { correct: boolean }[]): Calibrator {
  const p = (samples.filter((s) => s.correct).length + 1) / (samples.length + 2);
  // A logistic model with its bias alone: saved and restored like any fitted one.
  return logisticCalibrator([Math.log(p / (1 - p)), 0, 0, 0], samples.length);
}

/** Solves A x = b (n small) by Gaussian elimination with partial pivoting; A is modified. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    if (Math.abs(A[p][c]) < 1e-12) return null;
    [A[c], A[p]] = [A[p], A[c]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = A[r][c] / A[c][c];
      for (let k = c; k < n; k++) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= A[r][k] * x[k];
    x[r] = s / A[r][r];
  }
  return x;
}

/**
 * Fits P(correct | evidence). Returns null when the samples cannot support a fit (fewer than 20, or all of one
 * outcome); an L2 penalty keeps separable data from diverging.
 */
export function fitCalibrator(
  samples: readonly { evidence: Evidence; correct: boolean }[],
  l2 = 0.1,
): Calibrator | null {
  if (samples.length < 20) return null;
  const pos = samples.filter((s) => s.correct).length;
  if (pos === 0 || pos === samples.length) return null;
  const X = samples.map((s) => features(s.evidence));
  const y = samples.map((s) => (s.correct ? 1 : 0));
  const d = X[0].length;
  let w = new Array<number>(d).fill(0);
  w[0] = Math.log(pos / (samples.length - pos));
  for (let iter = 0; iter < 25; iter++) {
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const g = new Array<number>(d).fill(0);
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      let z = 0;
      for (let a = 0; a < d; a++) z += w[a] * x[a];
      const p = sigmoid(z);
      const r = p * (1 - p);
      for (let a = 0; a < d; a++) {
        g[a] += (p - y[i]) * x[a];
        for (let b = 0; b < d; b++) H[a][b] += r * x[a] * x[b];
      }
    }
    for (let a = 1; a < d; a++) {
      g[a] += l2 * w[a];
      H[a][a] += l2;
    }
    H[0][0] += 1e-9;
    const step = solve(H, g);
    if (!step) break;
    let change = 0;
    w = w.map((v, a) => {
      change = Math.max(change, Math.abs(step[a]));
      return v - step[a];
    });
    if (change < 1e-6) break;
  }
  return logisticCalibrator(w, samples.length);
}

function logisticCalibrator(weights: number[], samples: number): Calibrator {
  return {
    weights,
    samples,
    predict(e) {
      const x = features(e);
      let z = 0;
      for (let a = 0; a < x.length; a++) z += weights[a] * x[a];
      return sigmoid(z);
    },
  };
}
