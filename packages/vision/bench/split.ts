/**
 * Which shared images the built-in detector's parameters were tuned on, and which are held out for reporting.
 * The Bioscan-ImgFilter split (train / val / test) covers only the empty and blurry images; the others (valid,
 * fragmented, unlabelled) get a fixed hash split: md5(processid) starting with 0-9 -> tune, a-f -> held out.
 */
import { createHash } from 'node:crypto';

export type TuneSplit = 'tune' | 'heldout';

export function tuneSplit(processid: string, imgfilterSplit: string): TuneSplit {
  if (imgfilterSplit === 'train') return 'tune';
  if (imgfilterSplit === 'val' || imgfilterSplit === 'test') return 'heldout';
  const h = createHash('md5').update(processid).digest('hex');
  return /[0-9]/.test(h[0]) ? 'tune' : 'heldout';
}
