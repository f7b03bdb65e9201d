import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTable } from '@bioscan5m/core';
import { decodeImage } from './image.js';
import { assessQuality, edgeSharpness } from './quality.js';
import { scoreQualityFlags } from './quality-eval.js';
import { hasSharedImages, sharedImages, syntheticPlate } from './test-helpers.js';

describe('quality flags', () => {
  it('sharpness drops when the same specimen is blurred', async () => {
    const sharp = syntheticPlate(200, 160, [{ cx: 100, cy: 80, rx: 30, ry: 12, rgb: [80, 50, 30] }], { noise: 0 });
    // Blur by averaging 7x7 neighbourhoods.
    const blurred = { ...sharp, data: new Uint8Array(sharp.data.length) };
    for (let y = 0; y < 160; y++)
      for (let x = 0; x < 200; x++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          let n = 0;
          for (let dy = -3; dy <= 3; dy++)
            for (let dx = -3; dx <= 3; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx >= 0 && yy >= 0 && xx < 200 && yy < 160) {
                s += sharp.data[(yy * 200 + xx) * 3 + c];
                n++;
              }
            }
          blurred.data[(y * 200 + x) * 3 + c] = s / n;
        }
    const box = { x: 60, y: 60, width: 80, height: 40 };
    expect(edgeSharpness(blurred, box)).toBeLessThan(edgeSharpness(sharp, box) / 2);
  });

  it('flags an empty plate as having no specimen', () => {
    expect(assessQuality(syntheticPlate(400, 300, [], { ring: true })).noSpecimen).toBe(true);
  });

  it.skipIf(!hasSharedImages)('beats chance on every flag against the shared quality labels', async () => {
    const man = await readTable(path.join(sharedImages, 'manifest.csv'));
    const col = man.header.indexOf('quality_label');
    // Every fourth labelled photo (~70) keeps the test short; bench/quality-eval.ts scores all of them.
    const rows = man.rows.filter((r) => r[col]).filter((_, i) => i % 4 === 0);
    const items = [];
    for (const r of rows)
      items.push({ label: r[col], report: assessQuality(await decodeImage(path.join(sharedImages, r[0]))) });
    const scores = scoreQualityFlags(items);
    for (const s of scores)
      console.log(
        `${s.flag}: precision ${s.precision.toFixed(2)} recall ${s.recall.toFixed(2)} (prevalence ${s.prevalence.toFixed(2)})`,
      );
    const by = Object.fromEntries(scores.map((s) => [s.flag, s]));
    expect(by.noSpecimen.precision).toBeGreaterThan(0.7);
    expect(by.noSpecimen.recall).toBeGreaterThan(0.6);
    expect(by.blurred.precision).toBeGreaterThan(0.65);
    expect(by.blurred.recall).toBeGreaterThan(0.7);
    // Fragmented is the hard one (a lone wing looks like a specimen): only require better than flagging at random.
    expect(by.fragmented.precision).toBeGreaterThan(by.fragmented.prevalence);
    expect(by.fragmented.recall).toBeGreaterThan(0.15);
  });
});
