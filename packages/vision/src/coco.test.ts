import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateBoxes, polygonArea, readCocoTruth } from './coco.js';
import { hasSharedImages, sharedImages } from './test-helpers.js';

const box = (x: number, y: number, width: number, height: number, score = 1) => ({ x, y, width, height, score });

describe('COCO box evaluation', () => {
  it('polygon area by the shoelace formula', () => {
    expect(polygonArea([0, 0, 4, 0, 4, 3, 0, 3])).toBe(12);
    expect(polygonArea([0, 0, 4, 0, 0, 3])).toBe(6);
  });
  it('perfect detections give AP = AR = 1', () => {
    const m = evaluateBoxes([
      { truth: [box(0, 0, 10, 10)], detections: [box(0, 0, 10, 10, 0.9)] },
      { truth: [box(5, 5, 20, 20)], detections: [box(5, 5, 20, 20, 0.8)] },
    ]);
    expect(m.ap75).toBe(1);
    expect(m.ar).toBe(1);
  });
  it('a confident box on an image without a specimen is a false positive', () => {
    const images = [
      { truth: [], detections: [box(0, 0, 10, 10, 0.99)] },
      { truth: [box(0, 0, 10, 10)], detections: [box(0, 0, 10, 10, 0.5)] },
    ];
    const m = evaluateBoxes(images);
    // ranked: FP then TP -> precision 0.5 at recall 1, interpolated over all 101 recall points
    expect(m.ap75).toBeCloseTo(0.5);
    expect(m.ar).toBe(1);
    // ranking the FP below the TP restores AP 1
    images[0].detections[0].score = 0.1;
    expect(evaluateBoxes(images).ap75).toBe(1);
  });
  it('AR averages recall over IoU 0.50:0.95', () => {
    // IoU = 0.8: a hit at thresholds 0.50..0.80 (7 of 10)
    const m = evaluateBoxes([{ truth: [box(0, 0, 10, 10)], detections: [box(0, 0, 10, 8)] }]);
    expect(m.ar).toBeCloseTo(0.7);
    expect(m.ap75).toBe(1);
  });
  it.skipIf(!hasSharedImages)('reads the shared COCO file: 290 images, 224 with a box', async () => {
    const t = await readCocoTruth(path.join(sharedImages, 'coco_annotations.json'));
    expect(t.size).toBe(290);
    expect([...t.values()].filter((x) => x.boxes.length).length).toBe(224);
    expect([...t.values()].every((x) => x.boxes.length || x.polygonArea === 0)).toBe(true);
  });
});
