/** What every benchmark script here reads first: its `--name value` flags and the repository root. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const args = process.argv.slice(2);

/** The value after `--name`, or `def`. */
export const arg = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};

/** Repository root: the nearest folder above the working directory whose package.json declares workspaces. */
export function repoRoot(): string {
  let dir = process.cwd();
  while (dir !== path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).workspaces) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}
