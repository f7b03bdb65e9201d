import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracy, balancedAccuracy, classificationMetrics, macroF1 } from './metrics.js';

const golden = JSON.parse(readFileSync(new URL('./golden-metrics.json', import.meta.url), 'utf8')) as {
  cases: { y_true: string[]; y_pred: string[]; accuracy: number; balanced_accuracy: number; macro_f1: number }[];
};

describe('classification metrics', () => {
  it('match scikit-learn on real genus labels', () => {
    for (const c of golden.cases) {
      expect(accuracy(c.y_true, c.y_pred)).toBeCloseTo(c.accuracy, 12);
      expect(balancedAccuracy(c.y_true, c.y_pred)).toBeCloseTo(c.balanced_accuracy, 12);
      expect(macroF1(c.y_true, c.y_pred)).toBeCloseTo(c.macro_f1, 12);
    }
  });

  it('rejects mismatched lengths', () => {
    expect(() => classificationMetrics(['a'], [])).toThrow(/1 labels/);
  });
});
