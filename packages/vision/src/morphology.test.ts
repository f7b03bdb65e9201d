import { describe, expect, it } from 'vitest';
import { boxBlur, connectedComponents, dilate, distanceTransform, erode, hysteresis } from './morphology.js';

function naiveBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  // Separable edge-normalised mean, computed directly.
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++, n++) s += src[y * w + k];
      tmp[y * w + x] = s / n;
    }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++, n++) s += tmp[k * w + x];
      out[y * w + x] = s / n;
    }
  return out;
}

describe('morphology', () => {
  it('box blur matches a direct computation', () => {
    const w = 17;
    const h = 11;
    const src = Float32Array.from({ length: w * h }, (_, i) => (i * 7919) % 101);
    const a = boxBlur(src, w, h, 3);
    const b = naiveBlur(src, w, h, 3);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 3);
  });
  it('labels 8-connected components with their stats', () => {
    // two blobs: a diagonal pair (8-connected) and a separate 2x2 square
    const w = 6;
    const h = 4;
    const m = new Uint8Array(w * h);
    m[0] = 1;
    m[w + 1] = 1;
    for (const [x, y] of [
      [4, 2],
      [5, 2],
      [4, 3],
      [5, 3],
    ])
      m[y * w + x] = 1;
    const { components } = connectedComponents(m, w, h);
    expect(components.map((c) => c.area)).toEqual([2, 4]);
    expect(components[1]).toMatchObject({ minX: 4, maxX: 5, minY: 2, maxY: 3, cx: 4.5, cy: 2.5 });
  });
  it('dilation and erosion by a square, and the distance transform', () => {
    const w = 9;
    const h = 9;
    const m = new Uint8Array(w * h);
    m[4 * w + 4] = 1;
    const d = dilate(m, w, h, 2);
    expect(d.reduce((s, v) => s + v, 0)).toBe(25);
    expect(erode(d, w, h, 2).reduce((s, v) => s + v, 0)).toBe(1);
    const dt = distanceTransform(d, w, h);
    expect(dt[4 * w + 4]).toBeCloseTo(3);
    expect(dt[2 * w + 4]).toBeCloseTo(1);
    expect(dt[0]).toBe(0);
  });
  it('hysteresis keeps weak pixels only when connected to a strong one', () => {
    const v = Float32Array.from([0, 5, 5, 50, 5, 0, 5, 5]);
    expect(Array.from(hysteresis(v, 8, 1, 4, 40))).toEqual([0, 1, 1, 1, 1, 0, 0, 0]);
  });
});
