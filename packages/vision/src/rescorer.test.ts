import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { FEATURE_NAMES, scoreCandidate, trainRescorer, type Candidate, type TrainingImage } from './rescorer.js';
import { readWeights } from './detectors.js';
import { SHIPPED_RESCORER } from './rescorer-weights.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vision-rescorer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Images whose candidates' IoU with the truth is carried (noisily) by the 'fill' feature only. */
function synthetic(n: number, seed: number): TrainingImage[] {
  const rng = createRng(seed);
  const fill = FEATURE_NAMES.indexOf('fill');
  return Array.from({ length: n }, () => {
    const candidates: Candidate[] = Array.from({ length: 8 }, () => {
      const q = 0.1 + 0.9 * rng.random();
      const features = FEATURE_NAMES.map((_, i) => (i === 0 ? 1 : rng.random()));
      features[fill] = q + 0.05 * (rng.random() - 0.5);
      return {
        box: { x: 0, y: 0, width: 100, height: 100 * q },
        component: 0,
        reach: 1,
        features,
        bounds: { minX: 0, minY: 0, maxX: 1, maxY: 1 },
      };
    });
    return { candidates, truth: [{ x: 0, y: 0, width: 100, height: 100 }] };
  });
}

describe('re-scorer', () => {
  for (const hidden of [0, 4]) {
    it(`learns to rank candidates by IoU (hidden ${hidden})`, () => {
      const w = trainRescorer(synthetic(60, 1), { hidden, epochs: hidden ? 200 : 300 });
      let right = 0;
      const test = synthetic(50, 2);
      for (const im of test) {
        const best = [...im.candidates].sort((a, b) => scoreCandidate(b, w) - scoreCandidate(a, w))[0];
        const truthBest = [...im.candidates].sort((a, b) => b.box.height - a.box.height)[0];
        if (best === truthBest) right++;
      }
      expect(right / test.length).toBeGreaterThan(0.7);
    });
  }

  it('ships weights that fit the current features', () => {
    expect(SHIPPED_RESCORER).not.toBeNull();
    expect(SHIPPED_RESCORER!.features).toEqual([...FEATURE_NAMES]);
    expect(SHIPPED_RESCORER!.w).toHaveLength(FEATURE_NAMES.length);
  });

  it('readWeights rejects weights from another feature set, naming the file', () => {
    const f = path.join(tmp, 'old.json');
    writeFileSync(f, JSON.stringify({ features: ['bias'], mean: [0], std: [1], w: [0] }));
    expect(() => readWeights(f)).toThrow(/old\.json: not detector weights for this version/);
    const g = path.join(tmp, 'ok.json');
    writeFileSync(g, JSON.stringify(SHIPPED_RESCORER));
    expect(readWeights(g).w).toEqual(SHIPPED_RESCORER!.w);
  });
});
