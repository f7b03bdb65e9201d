// Dev: top component ranks per image, to design the fragmented flag.
import path from 'node:path';
import { readTable } from '@bioscan5m/core';
import { decodeImage } from '../src/image.js';
import { analyseSpecimen } from '../src/builtin-detector.js';
import { tuneSplit } from './split.js';

const dir = '/work/shared/data/images/bioscan_1024px';
const man = await readTable(path.join(dir, 'manifest.csv'));
for (const r of man.rows) {
  const a = analyseSpecimen(await decodeImage(path.join(dir, r[0])));
  const top = a.components
    .map((c) => c.rank)
    .filter((x) => x > 0)
    .sort((x, y) => y - x)
    .slice(0, 8);
  const areas = a.components
    .filter((c) => c.rank > 0)
    .sort((x, y) => y.rank - x.rank)
    .slice(0, 8)
    .map((c) => c.area);
  console.log(
    JSON.stringify({ f: r[0], l: r[2] || 'none', s: tuneSplit(r[1], r[5]), top: top.map(Math.round), areas }),
  );
}
