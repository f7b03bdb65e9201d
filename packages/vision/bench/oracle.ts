// Dev: how good could candidate selection be? Share of annotated photos with some candidate at IoU >= t.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../src/image.js';
import { analyseSpecimen, DEFAULT_BUILTIN_PARAMS } from '../src/builtin-detector.js';
import { readCocoTruth } from '../src/coco.js';
import { iou } from '../src/geometry.js';
import { proposeCandidates } from '../src/rescorer.js';
const dir = '/work/shared/data/images/bioscan_1024px';
const truth = await readCocoTruth(path.join(dir, 'coco_annotations.json'));
const p = { ...DEFAULT_BUILTIN_PARAMS, ...JSON.parse(process.argv[2] ?? '{}') };
let n = 0;
const hit = [0, 0, 0];
let nc = 0;
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith('.jpg'))
  .sort()
  .filter((_, i) => i % 2 === 0)) {
  const t = truth.get(f)!;
  if (!t.boxes.length) continue;
  const c = proposeCandidates(analyseSpecimen(await decodeImage(path.join(dir, f)), p), p);
  nc += c.length;
  n++;
  const best = Math.max(0, ...c.map((x) => iou(x.box, t.boxes[0])));
  [0.5, 0.75, 0.9].forEach((th, i) => {
    if (best >= th) hit[i]++;
  });
}
console.log(
  `${n} annotated photos, ${(nc / n).toFixed(1)} candidates each; oracle recall @0.5 ${(hit[0] / n).toFixed(3)} @0.75 ${(hit[1] / n).toFixed(3)} @0.9 ${(hit[2] / n).toFixed(3)}`,
);
