/** Test fixtures: where the shared real data lives, and small generated images. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from './types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedImages = path.resolve(repoRoot, '../shared/data/images/bioscan_1024px');
export const hasSharedImages = existsSync(path.join(sharedImages, 'coco_annotations.json'));
export const embeddedImages = path.join(repoRoot, 'apps/cli/data/images');

/** A plate-like image: background colour with a darker vignette ring, plus filled ellipses. */
export function syntheticPlate(
  width: number,
  height: number,
  blobs: { cx: number; cy: number; rx: number; ry: number; rgb: [number, number, number] }[],
  opts: { ring?: boolean; noise?: number } = {},
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  const R = Math.min(width, height) * 0.6;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c: [number, number, number] = [234, 242, 245];
      const d = Math.hypot(x - width / 2, y - height / 2);
      if (opts.ring && Math.abs(d - R) < 4) c = [150, 160, 200];
      for (const b of blobs) if (((x - b.cx) / b.rx) ** 2 + ((y - b.cy) / b.ry) ** 2 <= 1) c = b.rgb;
      const n = (opts.noise ?? 2) * rand();
      const i = (y * width + x) * 3;
      data[i] = Math.max(0, Math.min(255, c[0] + n));
      data[i + 1] = Math.max(0, Math.min(255, c[1] + n));
      data[i + 2] = Math.max(0, Math.min(255, c[2] + n));
    }
  }
  return { data, width, height, channels: 3 };
}
