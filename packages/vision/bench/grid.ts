// Random search of the built-in detector's parameters on the tune split (dev tool; results go into DEFAULT_BUILTIN_PARAMS).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeImage, downsample } from '../src/image.js';
import {
  analyseSpecimen,
  detectionFromAnalysis,
  DEFAULT_BUILTIN_PARAMS,
  type BuiltinDetectorParams,
} from '../src/builtin-detector.js';
import { evaluateBoxes, readCocoTruth, type EvalImage } from '../src/coco.js';
import { readTable, createRng } from '@bioscan5m/core';
import { tuneSplit } from './split.js';

const dir = '/work/shared/data/images/bioscan_1024px';
const truth = await readCocoTruth(path.join(dir, 'coco_annotations.json'));
const man = await readTable(path.join(dir, 'manifest.csv'));
const split = new Map(man.rows.map((r) => [r[0], tuneSplit(r[1], r[5])]));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const imgs: { f: string; img: import('../src/types.js').RgbImage; s: string }[] = [];
for (const f of files) imgs.push({ f, img: downsample(await decodeImage(path.join(dir, f)), 2), s: split.get(f)! });
const evalWith = (p: BuiltinDetectorParams, which: string) => {
  const ev: EvalImage[] = [];
  for (const { f, img, s } of imgs) {
    if (s !== which) continue;
    const q = { ...p, workScale: 1 };
    const det = detectionFromAnalysis(analyseSpecimen(img, q), q);
    // boxes are in working pixels: scale back to the originals
    ev.push({
      truth: truth.get(f)!.boxes,
      detections: det.boxes.map((b) => ({
        x: b.x * 2,
        y: b.y * 2,
        width: b.width * 2,
        height: b.height * 2,
        score: b.score,
      })),
    });
  }
  return evaluateBoxes(ev);
};
const space: Record<string, number[]> = {
  bgRadius: [12, 16, 24, 32, 48],
  bgOutlier: [8, 10, 14, 20],
  chromaWeight: [0.5, 1, 1.5, 2.5, 4],
  high: [25, 35, 45, 60, 80],
  low: [8, 12, 18, 25],
  closeRadius: [0, 1, 2, 3],
  coreDepth: [1, 2, 3, 4],
  depthCap: [3, 5, 8, 12],
  legReach: [0.3, 0.45, 0.6, 0.9, 1.2, 1.6],
  legMin: [2, 4, 6, 10],
  scoreMass: [5000, 20000, 60000],
  mergeRatio: [0.05, 0.15, 0.3, 0.6, 2],
  mergeGap: [4, 12, 24, 40],
  borderBand: [0, 0.03, 0.06, 0.1],
  borderWeight: [0.1, 0.35, 0.7, 1],
  wellBand: [2, 4, 6, 10],
  minScore: [0.05, 0.2, 0.4],
};
const r0 = createRng(Number(process.argv[2] ?? 1));
const rng = () => r0.random();
const obj = (m: ReturnType<typeof evaluateBoxes>) => m.ap75 + m.ar;
let best = { ...DEFAULT_BUILTIN_PARAMS, ...JSON.parse(process.argv[4] ?? '{}') };
let bestM = evalWith(best, 'tune');
console.log('start', obj(bestM).toFixed(4), bestM.ap75.toFixed(3), bestM.ar.toFixed(3));
const iters = Number(process.argv[3] ?? 60);
for (let it = 0; it < iters; it++) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a grid point assigned field by field by name
  const cand: any = { ...best };
  const keys = Object.keys(space);
  const nChange = 1 + Math.floor(rng() * 2);
  for (let k = 0; k < nChange; k++) {
    const key = keys[Math.floor(rng() * keys.length)];
    const vals = space[key];
    cand[key] = vals[Math.floor(rng() * vals.length)];
  }
  if (cand.low >= cand.high) continue;
  const m = evalWith(cand, 'tune');
  if (obj(m) > obj(bestM)) {
    best = cand;
    bestM = m;
    console.log(it, 'better', obj(m).toFixed(4), m.ap75.toFixed(3), m.ar.toFixed(3), JSON.stringify(best));
  }
}
const h = evalWith(best, 'heldout');
console.log('final tune', bestM.ap75.toFixed(3), bestM.ar.toFixed(3), 'heldout', h.ap75.toFixed(3), h.ar.toFixed(3));
console.log(JSON.stringify(best));
