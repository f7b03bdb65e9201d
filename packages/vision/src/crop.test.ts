import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropSpecimen, extractPadded } from './crop.js';
import { syntheticPlate } from './test-helpers.js';

describe('cropSpecimen', () => {
  const image = syntheticPlate(400, 300, [{ cx: 200, cy: 150, rx: 30, ry: 20, rgb: [90, 60, 40] }]);

  it('takes the enlarged box and resizes its shorter side to 256', async () => {
    const r = await cropSpecimen(image, { x: 170, y: 130, width: 60, height: 40 });
    expect(r.rect).toEqual({ left: 158, top: 118, width: 84, height: 64 });
    const full = await sharp(r.cropped).metadata();
    expect([full.width, full.height]).toEqual([84, 64]);
    const small = await sharp(r.cropped256).metadata();
    expect([small.width, small.height]).toEqual([336, 256]);
    expect(r.scaleFactor).toBe(0.25);
    expect(r.areaFraction).toBe(Math.round(((84 * 64) / (400 * 300)) * 1e4) / 1e4);
  });

  it('pads with the plate background where the enlarged box leaves the image', async () => {
    const dark = syntheticPlate(100, 80, [], { noise: 0 });
    dark.data.fill(0);
    const out = await extractPadded(dark, { left: -10, top: -5, width: 40, height: 30 });
    expect([out.width, out.height]).toEqual([40, 30]);
    // top-left pixel is padding (background colour); (20, 20) is inside the black photo
    expect(Array.from(out.data.subarray(0, 3))).toEqual([234, 242, 245]);
    const i = (20 * 40 + 20) * 3;
    expect(Array.from(out.data.subarray(i, i + 3))).toEqual([0, 0, 0]);
  });
});
