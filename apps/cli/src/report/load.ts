/** Reading a demo folder into DemoResults: the I/O edge of the report (the page itself is built by pure functions). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@bioscan5m/core';
import { RESULT_FILES, type DemoResults } from './results.js';

/** Photos larger than this are left out of the page (the demo writes thumbnails of a few kB). */
const MAX_IMAGE_BYTES = 200_000;

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new InputError({ file, line }, `not valid JSON: ${(err as Error).message}`);
  }
}

/** The results found in `dir` (each stage's file when present) with the images they reference as data: URIs. */
export function loadDemoResults(dir: string): DemoResults {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError({ file: dir }, 'no such folder (give the --out folder of `bioscan5m demo`)');
  const results: DemoResults = { images: {} };
  let found = 0;
  for (const [key, name] of Object.entries(RESULT_FILES)) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    (results as unknown as Record<string, unknown>)[key] = readJson(file);
    if (key !== 'manifest') found++;
  }
  if (!found)
    throw new InputError(
      { file: dir },
      `no demo results here (expected ${Object.values(RESULT_FILES)
        .filter((n) => n !== 'demo.json')
        .join(', ')})`,
    );
  for (const img of results.vision?.images ?? []) {
    for (const rel of [img.thumb, img.crop]) {
      if (!rel) continue;
      const file = path.resolve(dir, rel);
      if (!file.startsWith(path.resolve(dir) + path.sep) || !existsSync(file) || statSync(file).size > MAX_IMAGE_BYTES)
        continue;
      results.images[rel] = `data:image/jpeg;base64,${readFileSync(file).toString('base64')}`;
    }
  }
  return results;
}
