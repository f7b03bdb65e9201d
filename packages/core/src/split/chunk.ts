/**
 * The `chunk` column of the release: the image sub-folder, first 2 hex chars of md5(processid) for pretrain (256
 * folders), first 1 hex char for train and other_heldout (16 folders), empty for the other splits.
 */
import { createHash } from 'node:crypto';

export function chunkWidth(split: string): number {
  if (split === 'pretrain') return 2;
  if (split === 'train' || split === 'other_heldout') return 1;
  return 0;
}

export function chunkFor(processid: string, split: string): string {
  const w = chunkWidth(split);
  if (w === 0) return '';
  return createHash('md5').update(processid).digest('hex').slice(0, w);
}
