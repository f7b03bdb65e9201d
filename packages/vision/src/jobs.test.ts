/** The file-level jobs of the `vision quality | evaluate | train` commands, on the embedded photos. */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bioscan5mError, readTable } from '@bioscan5m/core';
import { readCocoTruth } from './coco.js';
import { createDetector, readWeights } from './detectors.js';
import { runDetectorEvalJob } from './detector-eval-job.js';
import { decodeImage } from './image.js';
import { assessQuality } from './quality.js';
import { scoreQualityFlags } from './quality-eval.js';
import { QUALITY_HEADER, runQualityJob } from './quality-job.js';
import { runDetectorTrainJob } from './train-detector.js';
import { embeddedImages } from './test-helpers.js';
import type { Detector } from './types.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vision-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const coco = path.join(embeddedImages, 'coco_annotations.json');
const manifest = path.join(embeddedImages, 'manifest.csv');

/** Four embedded photos (two labelled valid in the manifest, whatever the others are) and one broken file. */
function smallFolder(): string {
  const dir = path.join(tmp, 'in');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(embeddedImages)
    .filter((f) => f.endsWith('.jpg'))
    .slice(0, 4))
    copyFileSync(path.join(embeddedImages, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  return dir;
}

describe('runQualityJob', () => {
  it('writes one row per readable image, counts flags and failures, and scores the flags against labels', async () => {
    const dir = smallFolder();
    const out = path.join(tmp, 'quality.csv');
    const progress: number[] = [];
    const s = await runQualityJob({ imagesDir: dir, out, labels: manifest, onProgress: (d) => progress.push(d) });
    expect(s).toMatchObject({ total: 5, assessed: 4, out });
    expect(s.failed.map((f) => f.file)).toEqual(['broken.jpg']);
    expect(progress.at(-1)).toBe(5);
    const t = await readTable(out);
    expect(t.header).toEqual([...QUALITY_HEADER]);
    expect(t.rows.map((r) => r[0])).toEqual(
      readdirSync(dir)
        .filter((f) => f !== 'broken.jpg')
        .sort(),
    );
    // Rows are the flags of assessQuality itself; the scores are scoreQualityFlags of the labelled rows.
    const labels = new Map((await readTable(manifest)).rows.map((r) => [r[0], r[2]]));
    const items = [];
    for (const r of t.rows) {
      const q = assessQuality(await decodeImage(path.join(dir, r[0])));
      expect(r.slice(1, 4)).toEqual([q.noSpecimen, q.blurred, q.fragmented].map((b) => String(Number(b))));
      items.push({ label: labels.get(r[0])!, report: q });
    }
    expect(s.flagged.noSpecimen).toBe(items.filter((x) => x.report.noSpecimen).length);
    expect(s.scores).toEqual({ labels: manifest, matched: 4, flags: scoreQualityFlags(items) });
  });

  it('a labels table without the columns fails before any image, naming the file; an abort leaves no output', async () => {
    const bad = path.join(tmp, 'bad-labels.csv');
    writeFileSync(bad, 'name,label\na.jpg,valid\n');
    const out = path.join(tmp, 'q2.csv');
    await expect(runQualityJob({ imagesDir: embeddedImages, out, labels: bad })).rejects.toThrow(
      /bad-labels\.csv:1: .*file_name \(or file\) and quality_label/,
    );
    const ac = new AbortController();
    const run = runQualityJob({
      imagesDir: embeddedImages,
      out,
      signal: ac.signal,
      onProgress: (d) => d === 1 && ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'BIOSCAN5M_INTERRUPTED' });
    expect(readdirSync(tmp).filter((f) => f.startsWith('q2'))).toEqual([]);
  });
});

describe('runDetectorEvalJob', () => {
  it('scores a detector of yours against the COCO boxes; an unreadable image is counted and left out', async () => {
    const truth = await readCocoTruth(coco);
    const dir = path.join(tmp, 'eval');
    mkdirSync(dir, { recursive: true });
    const [first, ...rest] = [...truth.keys()];
    // A detector that returns the true boxes (the job visits the readable images in COCO order): AP 1.
    let k = 0;
    const oracle: Detector = {
      name: 'oracle',
      async detect() {
        return { boxes: truth.get(rest[k++])!.boxes.map((b) => ({ ...b, score: 1 })) };
      },
    };
    for (const f of rest) copyFileSync(path.join(embeddedImages, f), path.join(dir, f));
    const s = await runDetectorEvalJob({ imagesDir: dir, coco, detector: oracle });
    expect(s.detector).toBe('oracle');
    expect(s.failed.map((f) => f.file)).toEqual([first]);
    expect(s.metrics.images).toBe(truth.size - 1);
    expect(s.bestBox.images).toBe(truth.size - 1);
    expect(s.metrics.ap75).toBeCloseTo(1, 6);
    expect(s.bestBox.ar).toBeGreaterThan(0.5);
  });
});

describe('runDetectorTrainJob', () => {
  it('trains re-scorer weights that the built-in detector loads, with held-out metrics', async () => {
    const out = path.join(tmp, 'w.json');
    const s = await runDetectorTrainJob({
      imagesDir: embeddedImages,
      coco,
      out,
      hidden: 0,
      epochs: 30,
      crossValidateFolds: 2,
    });
    expect(s.images).toBe((await readCocoTruth(coco)).size);
    expect(s.crossValidation?.folds).toBe(2);
    expect(s.crossValidation!.metrics.ap50).toBeGreaterThan(0);
    const w = readWeights(out);
    expect(w.trainedOn).toMatch(/coco_annotations\.json \(\d+ images\)/);
    const det = await createDetector({ kind: 'builtin', weightsFile: out });
    expect(
      (await det.detect(await decodeImage(path.join(embeddedImages, 'CRALA13917-21.1024px.jpg')))).boxes.length,
    ).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).features).toEqual(w.features);
  });

  it('refuses an output that is not .json and bad fold counts, as usage errors', async () => {
    await expect(
      runDetectorTrainJob({ imagesDir: embeddedImages, coco, out: path.join(tmp, 'w.txt') }),
    ).rejects.toMatchObject({ code: 'BIOSCAN5M_USAGE' });
    const e = await runDetectorTrainJob({
      imagesDir: embeddedImages,
      coco,
      out: path.join(tmp, 'w2.json'),
      crossValidateFolds: 1,
    }).catch((x: unknown) => x);
    expect(Bioscan5mError.isInstance(e) && e.code).toBe('BIOSCAN5M_USAGE');
    expect(existsSync(path.join(tmp, 'w2.json'))).toBe(false);
  });
});
