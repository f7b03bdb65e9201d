/**
 * `npm run bench -w @bioscan5m/vision`: accuracy of the built-in detector on the shared BIOSCAN "failed crop"
 * photos (COCO AP@0.75, AR@[.5:.95]; held-out images only, see bench/split.ts), and crop + resize throughput
 * against the same work in Pillow (scripts/pil_crop_reference.py), both on 2 cores, in the same run.
 * Big outputs go under /tmp/bioscan-bench/vision. `--skip-accuracy` / `--skip-throughput` run one part
 * (accuracy is deterministic; only the throughput part needs the machine to itself).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTable } from '@bioscan5m/core';
import {
  assessQuality,
  BuiltinDetector,
  decodeImage,
  evaluateBoxes,
  iou,
  readCocoTruth,
  runCropJob,
  scoreQualityFlags,
  type EvalImage,
  type QualityReport,
  type ScoredBox,
} from '../src/index.js';
import { collectCandidates, crossValidate } from '../src/train-detector.js';
import { tuneSplit } from './split.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const dir = path.resolve(repoRoot, '../shared/data/images/bioscan_1024px');
const work = '/tmp/bioscan-bench/vision';
if (!existsSync(dir)) {
  console.error(`shared images not found at ${dir}`);
  process.exit(1);
}

const man = await readTable(path.join(dir, 'manifest.csv'));
const split = new Map(man.rows.map((r) => [r[0], tuneSplit(r[1], r[5])]));

const only = (part: string) => !process.argv.includes(`--skip-${part}`);
let t0 = performance.now();
if (only('accuracy')) {
  // 1. Accuracy: 5-fold cross-validation of the re-scorer (each photo scored by weights that never saw it); the
  // classical parameters were tuned on the tune split only (bench/grid.ts), so the held-out rows are clean of both.
  t0 = performance.now();
  const images = await collectCandidates(dir, path.join(dir, 'coco_annotations.json'));
  const candidatesMs = (performance.now() - t0) / images.length;
  t0 = performance.now();
  const cv = crossValidate(images, 5, { minScore: 0 });
  const cvS = (performance.now() - t0) / 1000;
  const groups: Record<string, EvalImage[]> = { 'held-out split': [], 'tune split': [], all: [] };
  for (const im of images) {
    const e = { truth: im.truth, detections: cv.detections.get(im.fileName) ?? [] };
    groups[split.get(im.fileName) === 'heldout' ? 'held-out split' : 'tune split'].push(e);
    groups.all.push(e);
  }
  console.log('## Built-in detector on shared/data/images/bioscan_1024px (COCO boxes; [0,0,0,0] = no specimen)');
  console.log('5-fold cross-validated re-scorer; classical parameters tuned on the tune split only.');
  console.log(
    '| photos | n | specimens | AP@0.75 | AR@[.5:.95] | AP@0.5 | AP@0.75 best box only | paper DETR (own hard set): AP@0.75 0.477, AR 0.583 -> ratio |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [k, v] of Object.entries(groups)) {
    const m = evaluateBoxes(v);
    const m1 = evaluateBoxes(v, 1);
    console.log(
      `| ${k} | ${m.images} | ${m.truths} | ${m.ap75.toFixed(3)} | ${m.ar.toFixed(3)} | ${m.ap50.toFixed(3)} | ${m1.ap75.toFixed(3)} | AP ${(
        m.ap75 / 0.477
      ).toFixed(2)}, AR ${(m.ar / 0.583).toFixed(2)} |`,
    );
  }
  console.log(
    `candidate proposal ${candidatesMs.toFixed(1)} ms/photo (decode + classical stages, one thread); 5 trainings ${cvS.toFixed(0)} s`,
  );
}

// 1b. Quality flags against the Bioscan-ImgFilter labels of the same photos, and organism size vs COCO polygons.
if (only('accuracy')) {
  const items: { label: string; report: QualityReport }[] = [];
  const labelCol = man.header.indexOf('quality_label');
  const xs: number[] = [];
  const ys: number[] = [];
  const detector = new BuiltinDetector();
  const truth = await readCocoTruth(path.join(dir, 'coco_annotations.json'));
  for (const r of man.rows) {
    const image = await decodeImage(path.join(dir, r[0]));
    items.push({ label: r[labelCol], report: assessQuality(image) });
    const t = truth.get(r[0]);
    if (!t || !t.polygonArea) continue;
    const det = await detector.detect(image);
    if (det.boxes[0] && det.mask && iou(det.boxes[0], t.boxes[0]) >= 0.5) {
      xs.push(Math.log(det.mask.pixelCount));
      ys.push(Math.log(t.polygonArea));
    }
  }
  console.log('\n## Quality flags vs the shipped quality labels (all 280 labelled photos)');
  console.log('| flag | label | precision | recall | prevalence (precision of random flags) |');
  console.log('|---|---|---|---|---|');
  for (const q of scoreQualityFlags(items))
    console.log(
      `| ${q.flag} | ${q.label} | ${q.precision.toFixed(2)} | ${q.recall.toFixed(2)} | ${q.prevalence.toFixed(2)} |`,
    );
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  const r =
    mean(xs.map((x, i) => (x - mx) * (ys[i] - my))) /
    Math.sqrt(mean(xs.map((x) => (x - mx) ** 2)) * mean(ys.map((y) => (y - my) ** 2)));
  const ratios = xs.map((x, i) => Math.exp(x - ys[i])).sort((a, b) => a - b);
  console.log(
    `\nimage_measurement_value vs COCO polygon area (${xs.length} photos whose box has IoU >= 0.5): log-log Pearson r = ${r.toFixed(
      3,
    )}, median mask/polygon ratio ${ratios[ratios.length >> 1].toFixed(2)} (IQR ${ratios[Math.floor(ratios.length / 4)].toFixed(2)}-${ratios[
      Math.floor((3 * ratios.length) / 4)
    ].toFixed(2)}); shipped weights, so these boxes are in-sample`,
  );
}

// 2. Throughput: full pipeline (detect + crop + resize + measure + write), then crop + resize from boxes vs Pillow.
if (only('throughput')) {
  rmSync(work, { recursive: true, force: true });
  const workers = Math.min(2, os.availableParallelism());
  t0 = performance.now();
  const full = await runCropJob({ imagesDir: dir, outDir: path.join(work, 'full'), workers });
  const fullS = (performance.now() - t0) / 1000;
  const boxesCsv = path.join(work, 'full', 'boxes.csv');
  const rows = (await readTable(boxesCsv)).rows;
  const boxes = new Map<string, ScoredBox | null>(
    rows.map((r) => [r[0], r[1] ? { x: +r[1], y: +r[2], width: +r[3], height: +r[4], score: +r[5] } : null]),
  );
  t0 = performance.now();
  await runCropJob({ imagesDir: dir, outDir: path.join(work, 'ours'), workers, boxes, measure: false });
  const oursS = (performance.now() - t0) / 1000;
  const pil = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [path.join(here, '../scripts/pil_crop_reference.py'), dir, boxesCsv, path.join(work, 'pil'), String(workers)],
      {
        encoding: 'utf8',
      },
    ).trim(),
  ) as { images: number; seconds: number; images_per_s: number };
  const n = full.total;
  console.log('\n## Throughput on 2 cores (290 photos, 1024x768 JPEG -> cropped, cropped_256, original_256)');
  console.log('| work | ours images/s | Pillow images/s | ratio |');
  console.log('|---|---|---|---|');
  console.log(
    `| crop + pad + resize + JPEG encode from given boxes | ${(n / oursS).toFixed(1)} | ${pil.images_per_s.toFixed(1)} | ${(
      n /
      oursS /
      pil.images_per_s
    ).toFixed(2)} |`,
  );
  console.log(
    `| full \`vision crop\` (decode, detect, crop, resize, measure, write) | ${(n / fullS).toFixed(1)} | - | - |`,
  );
  rmSync(work, { recursive: true, force: true });
}
