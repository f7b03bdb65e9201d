/** Finding the images of a folder tree. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Bioscan5mError } from '@bioscan5m/core';
import { IMAGE_EXTENSIONS } from './image.js';

export interface ImageFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the root folder, '/'-separated. */
  rel: string;
}

/** Every image under `root` (recursive, sorted by relative path), skipping `exclude` folders (e.g. the output). */
export function listImages(root: string, exclude: string[] = []): ImageFile[] {
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new Bioscan5mError(`${root}: no such folder`);
  }
  if (!st.isDirectory()) throw new Bioscan5mError(`${root}: not a folder`);
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const out: ImageFile[] = [];
  const walk = (dir: string) => {
    if (skip.has(path.resolve(dir))) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) {
        out.push({ path: full, rel: path.relative(root, full).split(path.sep).join('/') });
      }
    }
  };
  walk(root);
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}
