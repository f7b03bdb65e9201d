import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuiltinDetector } from './builtin-detector.js';
import { readCocoTruth } from './coco.js';
import { iou } from './geometry.js';
import { decodeImage } from './image.js';
import { hasSharedImages, sharedImages, syntheticPlate } from './test-helpers.js';

describe('BuiltinDetector', () => {
  const detector = new BuiltinDetector();

  it('finds a dark specimen on a plate, with its mask, and ignores the well rim', async () => {
    const img = syntheticPlate(
      640,
      480,
      [
        { cx: 300, cy: 220, rx: 40, ry: 18, rgb: [110, 80, 50] },
        { cx: 345, cy: 220, rx: 12, ry: 10, rgb: [60, 40, 30] },
      ],
      { ring: true },
    );
    const det = await detector.detect(img);
    expect(det.boxes.length).toBeGreaterThan(0);
    const truth = { x: 260, y: 202, width: 98, height: 37 };
    expect(iou(det.boxes[0], truth)).toBeGreaterThan(0.75);
    // mask area ~ the two ellipses (pi*40*18 + part of pi*12*10 outside the first)
    const area = Math.PI * 40 * 18 + Math.PI * 12 * 10 * 0.6;
    expect(det.mask!.pixelCount).toBeGreaterThan(area * 0.7);
    expect(det.mask!.pixelCount).toBeLessThan(area * 1.3);
  });

  it('reports no specimen on an empty plate', async () => {
    const det = await detector.detect(syntheticPlate(640, 480, [], { ring: true, noise: 6 }));
    expect(det.boxes).toEqual([]);
  });

  it.skipIf(!hasSharedImages)('on real BIOSCAN photos: image_measurement_value tracks COCO polygon areas', async () => {
    const truth = await readCocoTruth(path.join(sharedImages, 'coco_annotations.json'));
    // Every 6th annotated image keeps the test short (~38 images).
    const picked = [...truth.values()].filter((t) => t.polygonArea > 0).filter((_, i) => i % 6 === 0);
    const xs: number[] = [];
    const ys: number[] = [];
    let hits = 0;
    for (const t of picked) {
      const det = await detector.detect(await decodeImage(path.join(sharedImages, t.fileName)));
      if (!det.boxes.length) continue;
      if (iou(det.boxes[0], t.boxes[0]) >= 0.5) {
        hits++;
        xs.push(Math.log(det.mask!.pixelCount));
        ys.push(Math.log(t.polygonArea));
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(xs);
    const my = mean(ys);
    const cov = mean(xs.map((x, i) => (x - mx) * (ys[i] - my)));
    const r = cov / Math.sqrt(mean(xs.map((x) => (x - mx) ** 2)) * mean(ys.map((y) => (y - my) ** 2)));
    const medianRatio = xs.map((x, i) => Math.exp(x - ys[i])).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `measurement: ${hits}/${picked.length} located (IoU>=0.5); log-area correlation r=${r.toFixed(3)}; median mask/polygon area ${medianRatio.toFixed(2)}`,
    );
    expect(hits / picked.length).toBeGreaterThan(0.55);
    expect(r).toBeGreaterThan(0.85);
    expect(medianRatio).toBeGreaterThan(0.5);
    expect(medianRatio).toBeLessThan(1.5);
  });
});
