#!/usr/bin/env node
// Lints what each published package ships, as a registry user would get it: publint (package.json fields,
// exports, files) and, for the libraries, @arethetypeswrong/cli (types resolve to the right module format).
// attw uses the node16 profile: the packages need Node >= 20, and TypeScript 6 deprecates node10 resolution.
// Packages must be built first (npm ci builds them).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const published = ['packages/core', 'packages/dna', 'packages/vision', 'packages/cluster', 'packages/clip', 'apps/cli'];
const bin = (name) => path.join(root, 'node_modules/.bin', name);

let failed = 0;
for (const dir of published) {
  const pkg = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
  const checks = [[bin('publint'), ['--strict', '.']]];
  if (pkg.exports) checks.push([bin('attw'), ['--pack', '.', '--profile', 'node16', '--format', 'ascii']]);
  for (const [cmd, args] of checks) {
    const r = spawnSync(cmd, args, {
      cwd: path.join(root, dir),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const tool = path.basename(cmd);
    if (r.status !== 0) {
      failed++;
      console.error(`${pkg.name}: ${tool} failed\n${r.stdout}${r.stderr}`);
    } else {
      console.log(`${pkg.name}: ${tool} ok`);
    }
  }
}
process.exit(failed ? 1 : 0);
