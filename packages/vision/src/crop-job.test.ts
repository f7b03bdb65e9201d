import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable } from '@bioscan5m/core';
import { runCropJob } from './crop-job.js';
import { BOXES_HEADER } from './process-image.js';
import { embeddedImages } from './test-helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vision-crop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function makeInput(): string {
  const dir = path.join(tmp, `in-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.join(dir, 'plate2'), { recursive: true });
  copyFileSync(path.join(embeddedImages, 'CRALA13917-21.1024px.jpg'), path.join(dir, 'CRALA13917-21.jpg'));
  // A name that needs CSV quoting.
  copyFileSync(path.join(embeddedImages, 'CRALA39183-21.1024px.jpg'), path.join(dir, 'plate2', 'well "7", empty.jpg'));
  copyFileSync(path.join(embeddedImages, 'ABINP1822-21.1024px.jpg'), path.join(dir, 'plate2', 'ABINP1822-21.jpg'));
  copyFileSync(path.join(embeddedImages, 'CRALA24095-21.1024px.jpg'), path.join(dir, 'plate2', 'CRALA24095-21.jpg'));
  // A truncated JPEG: the first half of a real photo.
  const bytes = readFileSync(path.join(embeddedImages, 'CRALA30566-21.1024px.jpg'));
  writeFileSync(path.join(dir, 'plate2', 'truncated.jpg'), bytes.subarray(0, bytes.length >> 1));
  writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
  return dir;
}

describe('runCropJob', () => {
  it('crops every image, mirrors paths, reports the truncated one and resumes', async () => {
    const input = makeInput();
    const out = path.join(tmp, 'out1');
    const errors: string[] = [];
    const progress: number[] = [];
    const s = await runCropJob({
      imagesDir: input,
      outDir: out,
      workers: 1,
      onImageError: (f) => errors.push(f),
      onProgress: (d) => progress.push(d),
    });
    expect(s).toMatchObject({ total: 5, skipped: 0, processed: 4 });
    expect(errors).toEqual(['plate2/truncated.jpg']);
    expect(s.failed[0].message).toMatch(/truncated\.jpg.*(premature|truncated)/i);
    expect(progress.at(-1)).toBe(5);

    const t = await readTable(path.join(out, 'boxes.csv'));
    expect(t.header).toEqual([...BOXES_HEADER]);
    expect(t.rows.map((r) => r[0])).toEqual([
      'CRALA13917-21.jpg',
      'plate2/ABINP1822-21.jpg',
      'plate2/CRALA24095-21.jpg',
      'plate2/well "7", empty.jpg',
    ]);
    const byFile = new Map(t.rows.map((r) => [r[0], r]));
    // The empty well: row present, box and size columns empty, no crop written.
    expect(
      byFile
        .get('plate2/ABINP1822-21.jpg')!
        .slice(1)
        .every((v) => v === ''),
    ).toBe(true);
    expect(existsSync(path.join(out, 'cropped/plate2/ABINP1822-21.jpg'))).toBe(false);
    expect(existsSync(path.join(out, 'original_256/plate2/ABINP1822-21.jpg'))).toBe(true);
    // A specimen: crop files exist, and the written stats agree with the crop taken.
    const row = byFile.get('CRALA13917-21.jpg')!;
    const [x, y, w, h, score, af, sf, imv] = row.slice(1).map(Number);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(imv).toBeGreaterThan(0);
    expect(imv).toBeLessThan(w * h);
    const meta = await sharp(path.join(out, 'cropped/CRALA13917-21.jpg')).metadata();
    expect(af).toBeCloseTo((meta.width! * meta.height!) / (1024 * 768), 3);
    expect(sf).toBeCloseTo(Math.min(meta.width!, meta.height!) / 256, 3);
    const m = 0.2 * Math.max(w, h);
    expect(Math.abs(meta.width! - (w + 2 * m))).toBeLessThanOrEqual(1);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    const small = await sharp(path.join(out, 'cropped_256/CRALA13917-21.jpg')).metadata();
    expect(Math.min(small.width!, small.height!)).toBe(256);
    const orig = await sharp(path.join(out, 'original_256/plate2/CRALA24095-21.jpg')).metadata();
    expect([orig.width, orig.height]).toEqual([341, 256]);
    expect(existsSync(path.join(out, 'boxes.csv.partial'))).toBe(false);

    // Rerun: everything done is skipped, the unreadable image is tried (and reported) again.
    const again = await runCropJob({ imagesDir: input, outDir: out, workers: 1 });
    expect(again).toMatchObject({ total: 5, skipped: 4, processed: 0 });
    expect(again.failed.map((f) => f.file)).toEqual(['plate2/truncated.jpg']);
    expect((await readTable(path.join(out, 'boxes.csv'))).rows).toEqual(t.rows);
  });

  it('resumes from the journal of an interrupted run and keeps its rows', async () => {
    const input = makeInput();
    const out = path.join(tmp, 'out2');
    mkdirSync(out, { recursive: true });
    // A killed run left one finished row and half of another line.
    writeFileSync(
      path.join(out, 'boxes.csv.partial'),
      `${BOXES_HEADER.join(',')}\nCRALA13917-21.jpg,1,2,3,4,0.5,0.01,0.1,7\nplate2/CRALA24095-21.jpg,40`,
    );
    const s = await runCropJob({ imagesDir: input, outDir: out, workers: 1 });
    expect(s).toMatchObject({ skipped: 1, processed: 3 });
    const t = await readTable(path.join(out, 'boxes.csv'));
    expect(t.rows[0]).toEqual(['CRALA13917-21.jpg', '1', '2', '3', '4', '0.5', '0.01', '0.1', '7']);
    expect(t.rows).toHaveLength(4);
  });

  it('refuses a --boxes file that is not a BOXES table', async () => {
    const input = makeInput();
    const boxes = path.join(tmp, 'other.csv');
    writeFileSync(boxes, 'a,b\n1,2\n');
    await expect(
      runCropJob({ imagesDir: input, outDir: path.join(tmp, 'out3'), boxesCsv: boxes, workers: 1 }),
    ).rejects.toThrow(/other\.csv: existing file has header 'a,b'/);
  });
});
