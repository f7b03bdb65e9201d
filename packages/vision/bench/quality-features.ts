// Dev: dumps quality features of the shared images with their labels (to choose thresholds on the tune split).
import path from 'node:path';
import { readTable } from '@bioscan5m/core';
import { decodeImage } from '../src/image.js';
import { assessQuality } from '../src/quality.js';
import { tuneSplit } from './split.js';

const dir = '/work/shared/data/images/bioscan_1024px';
const man = await readTable(path.join(dir, 'manifest.csv'));
console.log('file\tlabel\tsplit\tnoSpecimen\tsharpness\tfragments\tscore');
for (const r of man.rows) {
  const q = assessQuality(
    await decodeImage(path.join(dir, r[0])),
    {},
    { fragmentRatio: Number(process.env.FR ?? 0.25) },
  );
  console.log(
    [
      r[0],
      r[2] || 'none',
      tuneSplit(r[1], r[5]),
      q.noSpecimen ? 1 : 0,
      q.sharpness.toFixed(4),
      q.fragments,
      q.box?.score.toFixed(3) ?? '',
    ].join('\t'),
  );
}
