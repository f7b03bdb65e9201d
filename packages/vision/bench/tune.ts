// Quick tuning harness (dev): runs the built-in detector on the shared images and prints metrics per split.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../src/image.js';
import { analyseSpecimen, detectionFromAnalysis, type BuiltinDetectorParams } from '../src/builtin-detector.js';
import { evaluateBoxes, readCocoTruth, type EvalImage } from '../src/coco.js';
import { iou } from '../src/geometry.js';
import { readTable } from '@bioscan5m/core';

const dir = '/work/shared/data/images/bioscan_1024px';
const params = JSON.parse(process.argv[2] ?? '{}') as Partial<BuiltinDetectorParams>;
const truth = await readCocoTruth(path.join(dir, 'coco_annotations.json'));
const man = await readTable(path.join(dir, 'manifest.csv'));
const label = new Map(man.rows.map((r) => [r[0], r[2]]));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const all: EvalImage[] = [];
const byLabel: Record<string, EvalImage[]> = {};
const t0 = Date.now();
const lines: string[] = [];
for (const f of files) {
  const img = await decodeImage(path.join(dir, f));
  const det = detectionFromAnalysis(analyseSpecimen(img, params), params);
  const t = truth.get(f)!;
  const e = { truth: t.boxes, detections: det.boxes };
  all.push(e);
  (byLabel[label.get(f) || 'none'] ??= []).push(e);
  const b = det.boxes[0];
  lines.push(
    `${f} ${label.get(f)} iou=${b && t.boxes[0] ? iou(b, t.boxes[0]).toFixed(2) : '-'} score=${b ? b.score.toFixed(2) : '-'} gt=${t.boxes[0] ? [t.boxes[0].x, t.boxes[0].y, t.boxes[0].width, t.boxes[0].height].map(Math.round).join(',') : 'none'} det=${b ? [b.x, b.y, b.width, b.height].map(Math.round).join(',') : 'none'}`,
  );
}
if (process.env.VERBOSE) console.log(lines.join('\n'));
const fmt = (m: ReturnType<typeof evaluateBoxes>) =>
  `AP75=${m.ap75.toFixed(3)} AR=${m.ar.toFixed(3)} AP50=${m.ap50.toFixed(3)} n=${m.images}`;
console.log(
  'all',
  fmt(evaluateBoxes(all)),
  'top1',
  fmt(evaluateBoxes(all, 1)),
  `${((Date.now() - t0) / files.length).toFixed(1)} ms/img`,
);
for (const [k, v] of Object.entries(byLabel)) console.log(k, fmt(evaluateBoxes(v, 1)));
