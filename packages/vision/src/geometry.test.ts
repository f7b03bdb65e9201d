import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { areaFraction, clipBox, enlargedCrop, iou, resizedSize, scaleFactor } from './geometry.js';

describe('crop geometry (reference.md)', () => {
  it('adds 0.2*max(w,h) on each side for R = 1.4', () => {
    const r = enlargedCrop({ x: 100, y: 200, width: 50, height: 100 });
    // margin 20 on each side: (w + 40) x (h + 40)
    expect(r).toEqual({ left: 80, top: 180, width: 90, height: 140 });
  });
  it('keeps the box centred for any box and ratio', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 900, noNaN: true }),
        fc.double({ min: 0, max: 700, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        (x, y, w, h) => {
          const r = enlargedCrop({ x, y, width: w, height: h });
          const m = 0.2 * Math.max(w, h);
          expect(Math.abs(r.left + r.width / 2 - (x + w / 2))).toBeLessThanOrEqual(1);
          expect(Math.abs(r.width - (w + 2 * m))).toBeLessThanOrEqual(1);
          expect(Math.abs(r.height - (h + 2 * m))).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
  it('computes area_fraction and scale_factor from the crop taken, rounded to 4 places', () => {
    const crop = { left: 0, top: 0, width: 300, height: 200 };
    expect(areaFraction(crop, 1024, 768)).toBe(0.0763); // 60000 / 786432 = 0.07629...
    expect(scaleFactor(crop)).toBe(0.7813); // 200 / 256 = 0.78125
  });
  it('resizes the shorter side to 256 keeping the aspect', () => {
    expect(resizedSize(1024, 768)).toEqual({ width: 341, height: 256 });
    expect(resizedSize(100, 300)).toEqual({ width: 256, height: 768 });
  });
  it('iou is symmetric, 1 on itself and 0 when disjoint', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 20, y: 0, width: 5, height: 5 })).toBe(0);
    expect(iou(a, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150);
    expect(clipBox({ x: -5, y: 5, width: 20, height: 20 }, 10, 10)).toEqual({ x: 0, y: 5, width: 10, height: 5 });
  });
});
