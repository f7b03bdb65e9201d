// Dev: 5-fold CV AP/AR of the re-scored detector for several classical parameter sets (images cached at work scale).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeImage, downsample } from '../src/image.js';
import { analyseSpecimen, DEFAULT_BUILTIN_PARAMS, type BuiltinDetectorParams } from '../src/builtin-detector.js';
import { readCocoTruth } from '../src/coco.js';
import { proposeCandidates } from '../src/rescorer.js';
import { crossValidate, type LabelledCandidates } from '../src/train-detector.js';
import type { RgbImage } from '../src/types.js';

const dir = '/work/shared/data/images/bioscan_1024px';
const truth = await readCocoTruth(path.join(dir, 'coco_annotations.json'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const imgs: { f: string; img: RgbImage }[] = [];
for (const f of files) imgs.push({ f, img: downsample(await decodeImage(path.join(dir, f)), 2) });
const configs: Partial<BuiltinDetectorParams>[] = JSON.parse(process.argv[2] ?? '[{}]');
for (const cfg of configs) {
  const t0 = Date.now();
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...cfg, workScale: 1 };
  const data: LabelledCandidates[] = imgs.map(({ f, img }) => {
    const cands = proposeCandidates(analyseSpecimen(img, p), p).map((c) => ({
      ...c,
      box: { x: c.box.x * 2, y: c.box.y * 2, width: c.box.width * 2, height: c.box.height * 2 },
    }));
    return { fileName: f, candidates: cands, truth: truth.get(f)!.boxes };
  });
  const trainers = JSON.parse(process.argv[3] ?? '[{}]');
  for (const tr of trainers) {
    const cv = crossValidate(data, 5, { minScore: 0 }, tr);
    console.log(
      `AP75 ${cv.metrics.ap75.toFixed(3)} AR ${cv.metrics.ar.toFixed(3)} AP50 ${cv.metrics.ap50.toFixed(3)} ${((Date.now() - t0) / 1000).toFixed(0)}s ${JSON.stringify(cfg)} ${JSON.stringify(tr)}`,
    );
  }
}
