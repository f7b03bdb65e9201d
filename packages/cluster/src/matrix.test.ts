import { describe, expect, it } from 'vitest';
import { concatColumns, selectRows, zscoreColumns } from './matrix.js';

describe('zscoreColumns / concatColumns', () => {
  it('standardises every column to mean 0 and population sd 1; constant columns are only centred', () => {
    const x = { data: Float64Array.from([1, 5, 10, 3, 5, 20, 5, 5, 60]), rows: 3, dim: 3 };
    const z = zscoreColumns(x);
    for (let j = 0; j < 3; j++) {
      const col = [0, 1, 2].map((i) => z.data[i * 3 + j]);
      const mean = col.reduce((a, b) => a + b) / 3;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
      expect(mean).toBeCloseTo(0, 12);
      expect(sd).toBeCloseTo(j === 1 ? 0 : 1, 12);
    }
    // numpy: (x - x.mean(0)) / x.std(0) for column 0 = [1, 3, 5]
    expect(z.data[0]).toBeCloseTo(-1.224744871391589, 12);
  });

  it('concatenates modalities side by side and rejects mismatched rows', () => {
    const a = { data: Float64Array.from([1, 2, 3, 4]), rows: 2, dim: 2 };
    const b = { data: Float32Array.from([9, 8]), rows: 2, dim: 1 };
    const c = concatColumns([a, b]);
    expect(c.dim).toBe(3);
    expect(Array.from(c.data)).toEqual([1, 2, 9, 3, 4, 8]);
    expect(() => concatColumns([a, { data: new Float64Array(3), rows: 3, dim: 1 }])).toThrow(/3 rows/);
    expect(Array.from(selectRows(c, [1]).data)).toEqual([3, 4, 8]);
  });
});
