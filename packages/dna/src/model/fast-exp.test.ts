import { describe, expect, it } from 'vitest';
import { fastExp } from './fast-exp.js';

describe('fastExp', () => {
  it('matches Math.exp to 1e-8 relative over the softmax range', () => {
    let worst = 0;
    for (let x = -86; x < 87; x += 0.00731) worst = Math.max(worst, Math.abs(fastExp(x) / Math.exp(x) - 1));
    expect(worst).toBeLessThan(1e-8);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-1e4)).toBeLessThan(1e-37);
    expect(Number.isFinite(fastExp(1e4))).toBe(true);
  });
});
