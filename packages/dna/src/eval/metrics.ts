/**
 * Classification metrics as scikit-learn defines them (accuracy_score, balanced_accuracy_score,
 * f1_score(average='macro', zero_division=0)), on string labels.
 */

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
}

function check(yTrue: readonly string[], yPred: readonly string[]) {
  if (yTrue.length !== yPred.length)
    throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
}

export function accuracy(yTrue: readonly string[], yPred: readonly string[]): number {
  check(yTrue, yPred);
  if (yTrue.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

/** Mean recall over the classes present in yTrue. */
export function balancedAccuracy(yTrue: readonly string[], yPred: readonly string[]): number {
  check(yTrue, yPred);
  const support = new Map<string, number>();
  const hits = new Map<string, number>();
  for (let i = 0; i < yTrue.length; i++) {
    support.set(yTrue[i], (support.get(yTrue[i]) ?? 0) + 1);
    if (yTrue[i] === yPred[i]) hits.set(yTrue[i], (hits.get(yTrue[i]) ?? 0) + 1);
  }
  if (support.size === 0) return NaN;
  let sum = 0;
  for (const [c, n] of support) sum += (hits.get(c) ?? 0) / n;
  return sum / support.size;
}

/** Unweighted mean F1 over every label seen in yTrue or yPred (F1 = 0 where undefined). */
export function macroF1(yTrue: readonly string[], yPred: readonly string[]): number {
  check(yTrue, yPred);
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const labels = new Set<string>();
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    labels.add(t);
    labels.add(p);
    if (t === p) tp.set(t, (tp.get(t) ?? 0) + 1);
    else {
      fp.set(p, (fp.get(p) ?? 0) + 1);
      fn.set(t, (fn.get(t) ?? 0) + 1);
    }
  }
  if (labels.size === 0) return NaN;
  let sum = 0;
  for (const c of labels) {
    const a = tp.get(c) ?? 0;
    const denom = 2 * a + (fp.get(c) ?? 0) + (fn.get(c) ?? 0);
    sum += denom === 0 ? 0 : (2 * a) / denom;
  }
  return sum / labels.size;
}

export function classificationMetrics(yTrue: readonly string[], yPred: readonly string[]): ClassificationMetrics {
  return {
    n: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: balancedAccuracy(yTrue, yPred),
    macroF1: macroF1(yTrue, yPred),
  };
}
