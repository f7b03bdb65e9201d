/**
 * Image file locations of the BIOSCAN-5M release, as the Python loader builds them:
 * `{root}/bioscan5m/images/{package}/{split}/[{chunk}/]{processid}.jpg`, where chunk is the first two hex digits
 * of md5(processid) for pretrain (256 folders), the first one for train and other_heldout (16 folders), and
 * absent for the other splits.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Bioscan5mError, UsageError } from '../errors.js';
import { IMAGE_PACKAGES, SPLITS, type ImagePackage, type MetadataRecord, type Split } from '../schema.js';

/** Hex digits of md5(processid) that name the chunk folder, per split. */
export function chunkDigits(split: Split | string): number {
  if (split === 'pretrain') return 2;
  if (split === 'train' || split === 'other_heldout') return 1;
  return 0;
}

/** Chunk folder of a record, i.e. the release's `chunk` column ('' for splits without chunk folders). */
export function imageChunk(processid: string, split: Split | string): string {
  const n = chunkDigits(split);
  if (n === 0) return '';
  return createHash('md5').update(processid, 'utf8').digest('hex').slice(0, n);
}

export function assertImagePackage(pkg: string): asserts pkg is ImagePackage {
  if (!(IMAGE_PACKAGES as readonly string[]).includes(pkg)) {
    throw new UsageError(`unknown image package '${pkg}' (expected one of ${IMAGE_PACKAGES.join(', ')})`, 'package');
  }
}

export function isSplit(s: string): s is Split {
  return (SPLITS as readonly string[]).includes(s);
}

/**
 * Path of a record's image. The record's own `chunk` is used when the metadata has one, else it is computed.
 * Throws a Bioscan5mError when the record has no split or processid (there is no path to build).
 */
export function imagePath(
  record: Pick<MetadataRecord, 'processid' | 'split'> & Partial<Pick<MetadataRecord, 'chunk'>>,
  pkg: ImagePackage,
  root: string,
): string {
  assertImagePackage(pkg);
  if (!record.processid)
    throw new Bioscan5mError('record has no processid: its image path is unknown', 'BIOSCAN5M_INPUT');
  if (!isSplit(record.split)) {
    throw new Bioscan5mError(
      record.split
        ? `record ${record.processid}: unknown split '${record.split}'`
        : `record ${record.processid} has no split: its image path is unknown`,
      'BIOSCAN5M_INPUT',
    );
  }
  const chunk = record.chunk || imageChunk(record.processid, record.split);
  const parts = [root, 'bioscan5m', 'images', pkg, record.split];
  if (chunk) parts.push(chunk);
  parts.push(`${record.processid}.jpg`);
  return path.join(...parts);
}
