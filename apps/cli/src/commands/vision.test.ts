import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readNpy, readTable } from '@bioscan5m/core';
import { runCli as run } from '../test-support.js';
import { embedded } from '../data.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cli-vision-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

afterEach(() => {
  process.exitCode = undefined;
});

function inputDir(): string {
  const dir = path.join(tmp, 'in');
  mkdirSync(path.join(dir, 'b'), { recursive: true });
  copyFileSync(path.join(embedded.images, 'CRALA13917-21.1024px.jpg'), path.join(dir, 'CRALA13917-21.jpg'));
  copyFileSync(path.join(embedded.images, 'ABINP1822-21.1024px.jpg'), path.join(dir, 'b', 'ABINP1822-21.jpg'));
  const bytes = readFileSync(path.join(embedded.images, 'CRALA24095-21.1024px.jpg'));
  writeFileSync(path.join(dir, 'b', 'cut.jpg'), bytes.subarray(0, 20000));
  return dir;
}

describe('bioscan5m vision', () => {
  it('crop: writes the three folders and BOXES.csv, names the truncated image, exits 1, and resumes', async () => {
    const dir = inputDir();
    const out = path.join(tmp, 'out');
    const r = await run(['vision', 'crop', '--images', dir, '--out', out, '--workers', '2', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('3 images: 2 processed (1 cropped, 1 without a specimen), 0 already done, 1 unreadable');
    expect(r.err).toMatch(/b\/cut\.jpg: cannot read image: truncated JPEG/);
    const t = await readTable(path.join(out, 'boxes.csv'));
    expect(t.header).toEqual([
      'file',
      'x',
      'y',
      'width',
      'height',
      'score',
      'area_fraction',
      'scale_factor',
      'image_measurement_value',
    ]);
    expect(t.rows.map((x) => x[0])).toEqual(['CRALA13917-21.jpg', 'b/ABINP1822-21.jpg']);
    expect(existsSync(path.join(out, 'cropped_256', 'CRALA13917-21.jpg'))).toBe(true);
    expect(existsSync(path.join(out, 'original_256', 'b', 'ABINP1822-21.jpg'))).toBe(true);
    const again = await run(['vision', 'crop', '--images', dir, '--out', out, '--quiet']);
    expect(again.out).toContain('0 processed (0 cropped, 0 without a specimen), 2 already done, 1 unreadable');
  });

  it('crop: clear errors for a bad detector argument and a missing folder', async () => {
    const r = await run([
      'vision',
      'crop',
      '--images',
      embedded.images,
      '--out',
      path.join(tmp, 'x'),
      '--detector',
      'yolo',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "option '--detector <builtin|weights.json|model.onnx>' argument 'yolo' is invalid. expected 'builtin', a weights .json from 'vision train' or a .onnx file",
    );
    const m = await run(['vision', 'crop', '--images', path.join(tmp, 'nope'), '--out', path.join(tmp, 'x')]);
    expect(m.code).toBe(1);
    expect(m.err).toContain('nope: no such folder');
  });

  it('embed: descriptor embeddings of a folder as .npy + file order', async () => {
    const out = path.join(tmp, 'emb.npy');
    const r = await run(['vision', 'embed', '--images', path.join(tmp, 'out', 'cropped_256'), '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(readNpy(out).shape).toEqual([1, 688]);
    expect(readFileSync(path.join(tmp, 'emb.files.txt'), 'utf8')).toBe('CRALA13917-21.jpg\n');
  });

  it('quality and evaluate on the embedded photos', async () => {
    const q = await run([
      'vision',
      'quality',
      '--images',
      embedded.images,
      '--out',
      path.join(tmp, 'q.csv'),
      '--labels',
      path.join(embedded.images, 'manifest.csv'),
      '--quiet',
    ]);
    expect(q.code).toBe(0);
    expect(q.out).toMatch(/noSpecimen\s+vs empty\s+precision \d\.\d\d/);
    expect((await readTable(path.join(tmp, 'q.csv'))).rows).toHaveLength(16);
    const e = await run(['vision', 'evaluate', '--images', embedded.images, '--coco', embedded.imagesCoco, '--quiet']);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/builtin on 16 images \(12 annotated specimens\)/);
    expect(e.out).toMatch(/AP@0\.75 \d\.\d{3}\s+AR@\[\.5:\.95\] \d\.\d{3}/);
  });

  it('train: fits re-scorer weights on a COCO file and crop uses them via --detector', async () => {
    const weights = path.join(tmp, 'w.json');
    const r = await run([
      'vision',
      'train',
      '--images',
      embedded.images,
      '--coco',
      embedded.imagesCoco,
      '--out',
      weights,
      '--epochs',
      '50',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`trained the built-in detector's re-scorer on 16 images -> ${weights}`);
    const e = await run([
      'vision',
      'evaluate',
      '--images',
      embedded.images,
      '--coco',
      embedded.imagesCoco,
      '--detector',
      weights,
      '--quiet',
    ]);
    expect(e.code).toBe(0);
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"features": ["x"]}');
    const b = await run([
      'vision',
      'evaluate',
      '--images',
      embedded.images,
      '--coco',
      embedded.imagesCoco,
      '--detector',
      bad,
      '--quiet',
    ]);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/bad\.json: not detector weights for this version/);
  });

  it('--help shows runnable examples on the embedded images', async () => {
    const r = await run(['vision', 'crop', '--help']);
    expect(r.out).toContain(`bioscan5m vision crop --images ${embedded.images} --out crops`);
  });
});
