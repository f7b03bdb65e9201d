import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '@bioscan5m/core';
import { decodeDetrOutputs, OnnxDetector } from './onnx-detector.js';
import { createImageEncoder } from './encoders.js';
import { runCropJob } from './crop-job.js';
import { runImageEmbedJob } from './embed-job.js';
import { iou } from './geometry.js';
import { embeddedImages, syntheticPlate } from './test-helpers.js';
import type { RgbImage } from './types.js';

const models = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../models');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vision-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('DETR-style ONNX detector (tiny model from scripts/make_test_models.py)', () => {
  it('decodes logits + normalised cxcywh into pixel boxes, best first, "no object" excluded', () => {
    // 2 queries, 2 classes (specimen, no-object)
    const logits = Float32Array.from([0, 5, 4, 0]); // q0 mostly no-object, q1 specimen
    const boxes = Float32Array.from([0.5, 0.5, 0.2, 0.2, 0.25, 0.5, 0.1, 0.5]);
    const out = decodeDetrOutputs(logits, boxes, 2, 2, 1000, 800, { minScore: 0.001 });
    expect(out).toHaveLength(2);
    expect(out[0].score).toBeCloseTo(1 / (1 + Math.exp(-4)), 5);
    const b = out[0];
    [b.x, b.y, b.width, b.height].forEach((v, i) => expect(v).toBeCloseTo([200, 200, 100, 400][i], 3));
    expect(out[1].score).toBeCloseTo(1 / (1 + Math.exp(5)), 5);
  });

  it('finds a dark blob where it is', async () => {
    const det = await OnnxDetector.load(path.join(models, 'tiny-detr.onnx'));
    const img = syntheticPlate(400, 300, [{ cx: 260, cy: 110, rx: 30, ry: 20, rgb: [40, 30, 20] }], { noise: 0 });
    const out = await det.detect(img);
    expect(out.boxes[0].score).toBeGreaterThan(0.9);
    // mean +- 2 std of a uniform ellipse spans its extent closely
    expect(iou(out.boxes[0], { x: 230, y: 90, width: 60, height: 40 })).toBeGreaterThan(0.6);
    await det.dispose();
  });

  it('runs `crop` with --detector PATH.onnx, measuring the organism inside the box', async () => {
    const dir = path.join(tmp, 'in');
    mkdirSync(dir, { recursive: true });
    for (const f of ['CRALA13917-21.1024px.jpg', 'CRALA24095-21.1024px.jpg'])
      copyFileSync(path.join(embeddedImages, f), path.join(dir, f));
    const s = await runCropJob({
      imagesDir: dir,
      outDir: path.join(tmp, 'crop'),
      detector: { kind: 'onnx', model: path.join(models, 'tiny-detr.onnx') },
      workers: 1,
    });
    expect(s).toMatchObject({ total: 2, processed: 2, withSpecimen: 2 });
    const rows = readFileSync(path.join(tmp, 'crop', 'boxes.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    for (const r of rows) {
      const [, , , w, h, score, , , imv] = r;
      expect(score).toBeGreaterThan(0.5);
      expect(imv).toBeGreaterThan(0);
      expect(imv).toBeLessThanOrEqual(w * h);
    }
  });

  it('rejects an ONNX file that is not a DETR export', async () => {
    await expect(OnnxDetector.load(path.join(models, 'tiny-vit.onnx'))).rejects.toThrow(/DETR-style export/);
    await expect(OnnxDetector.load(path.join(tmp, 'missing.onnx'))).rejects.toThrow(/not found/);
  });
});

describe('ONNX image encoder (tiny ViT)', () => {
  const pattern = (): RgbImage => {
    const data = new Uint8Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++) data[(y * 32 + x) * 3 + c] = (7 * x + 13 * y + 50 * c) % 256;
    return { data, width: 32, height: 32, channels: 3 };
  };
  const golden = JSON.parse(readFileSync(path.join(models, 'tiny-vit.golden.json'), 'utf8')) as {
    cls: number[];
    mean: number[];
  };

  it('matches torch on the CLS token and on mean pooling', async () => {
    const cls = await createImageEncoder({ kind: 'onnx', model: path.join(models, 'tiny-vit.onnx'), normalize: false });
    expect(cls).toMatchObject({ dim: 16, modality: 'image' });
    // A batch of two: row i is input i.
    const e = await cls.embed([pattern(), pattern()]);
    expect([e.rows, e.dim]).toEqual([2, 16]);
    e.data.subarray(0, 16).forEach((x, i) => expect(x).toBeCloseTo(golden.cls[i], 4));
    expect(Array.from(e.data.subarray(16))).toEqual(Array.from(e.data.subarray(0, 16)));
    await cls.dispose();
    await cls.dispose(); // twice is safe
    await expect(cls.embed([pattern()])).rejects.toThrow(/after dispose/);
    const mean = await createImageEncoder({
      kind: 'onnx',
      model: path.join(models, 'tiny-vit.onnx'),
      normalize: false,
      pooling: 'mean',
    });
    (await mean.embed([pattern()])).data.forEach((x, i) => expect(x).toBeCloseTo(golden.mean[i], 4));
    await mean.dispose();
  });

  it('`embed` writes an N x dim .npy and the file order', async () => {
    const out = path.join(tmp, 'emb.npy');
    const s = await runImageEmbedJob({
      imagesDir: embeddedImages,
      out,
      encoder: { kind: 'onnx', model: path.join(models, 'tiny-vit.onnx') },
    });
    expect(s).toMatchObject({
      total: 16,
      embedded: 16,
      dim: 16,
      encoder: `onnx:${path.join(models, 'tiny-vit.onnx')}`,
    });
    const npy = readNpy(out);
    expect(npy.shape).toEqual([16, 16]);
    const files = readFileSync(path.join(tmp, 'emb.files.txt'), 'utf8').trim().split('\n');
    expect(files[0]).toBe('AACTA1927-20.1024px.jpg');
    // L2-normalised rows
    const row = Array.from(npy.data.slice(0, 16) as Float32Array);
    expect(Math.hypot(...row)).toBeCloseTo(1, 5);
  });
});
