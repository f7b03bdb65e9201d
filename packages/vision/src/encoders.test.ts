import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, type Encoder } from '@bioscan5m/core';
import { createImageEncoder, type ImageInput } from './encoders.js';
import { runImageEmbedJob } from './embed-job.js';
import { decodeImage } from './image.js';
import { embeddedImages, syntheticPlate } from './test-helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vision-enc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cosine = (a: Float32Array, b: Float32Array) => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
};

describe('descriptor encoder (weight-free baseline)', () => {
  let enc: Encoder<ImageInput>;
  beforeAll(async () => {
    enc = await createImageEncoder({ kind: 'descriptor' });
  });
  const encode = async (img: ImageInput) => (await enc.embed([img])).data;
  it('is deterministic, fixed-width, and closer for similar specimens than for different ones', async () => {
    const a = syntheticPlate(256, 256, [{ cx: 128, cy: 128, rx: 60, ry: 20, rgb: [120, 80, 40] }]);
    const a2 = syntheticPlate(256, 256, [{ cx: 130, cy: 126, rx: 58, ry: 21, rgb: [118, 82, 42] }]);
    const b = syntheticPlate(256, 256, [{ cx: 128, cy: 128, rx: 20, ry: 70, rgb: [30, 30, 30] }]);
    const [va, va2, vb] = [await encode(a), await encode(a2), await encode(b)];
    expect(va.length).toBe(enc.dim);
    expect(Array.from(await encode(a))).toEqual(Array.from(va));
    expect(cosine(va, va2)).toBeGreaterThan(cosine(va, vb));
  });

  it('`embed` over a folder: skips and reports an unreadable image, writes .npy and order', async () => {
    const dir = path.join(tmp, 'in');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    copyFileSync(path.join(embeddedImages, 'CRALA13917-21.1024px.jpg'), path.join(dir, 'b.jpg'));
    copyFileSync(path.join(embeddedImages, 'CRALA24095-21.1024px.jpg'), path.join(dir, 'sub', 'a.jpg'));
    writeFileSync(path.join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const out = path.join(tmp, 'x.npy');
    const errors: string[] = [];
    const s = await runImageEmbedJob({
      imagesDir: dir,
      out,
      encoder: enc,
      onImageError: (f: string) => errors.push(f),
    });
    expect(s).toMatchObject({ total: 3, embedded: 2 });
    expect(errors).toEqual(['broken.jpg']);
    expect(readFileSync(path.join(tmp, 'x.files.txt'), 'utf8')).toBe('b.jpg\nsub/a.jpg\n');
    const npy = readNpy(out);
    expect(npy.shape).toEqual([2, enc.dim]);
    const direct = await encode(await decodeImage(path.join(dir, 'sub', 'a.jpg')));
    expect(Array.from(npy.data.slice(enc.dim) as Float32Array)).toEqual(Array.from(direct));
    expect(existsSync(`${out}.partial.f32`)).toBe(false);
  });

  it('`embed` resumes from the checkpoint of an interrupted run', async () => {
    const dir = path.join(tmp, 'in2');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(embeddedImages, 'CRALA13917-21.1024px.jpg'), path.join(dir, 'a.jpg'));
    copyFileSync(path.join(embeddedImages, 'CRALA24095-21.1024px.jpg'), path.join(dir, 'b.jpg'));
    const out = path.join(tmp, 'y.npy');
    // A killed run finished a.jpg (with a marker vector) and was cut while writing the next one.
    const marker = new Float32Array(enc.dim).fill(7);
    writeFileSync(`${out}.partial.f32`, Buffer.concat([Buffer.from(marker.buffer), Buffer.alloc(10)]));
    writeFileSync(`${out}.partial.txt`, `# descriptor dim=${enc.dim}\na.jpg\nb.j`);
    const s = await runImageEmbedJob({ imagesDir: dir, out, encoder: enc });
    expect(s).toMatchObject({ total: 2, embedded: 2, resumed: 1 });
    const npy = readNpy(out);
    expect(npy.data[0]).toBe(7); // kept, not recomputed
    expect(npy.data[enc.dim]).not.toBe(7);
  });
});
