#!/usr/bin/env node
// Writes the "Install size" section of each package README from the figures the pack-install test prints.
// Usage: node tests/pack-install/scripts/size-tables.mjs AFTER_REF < sizes.txt
// sizes.txt holds the test's "node_modules installed alone from the tarball" lines ("  dna  3.5 MB  (2.4 s)").
// The "before" column is the measurement on main f5c6855, before the engines became optional peers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const BEFORE = { core: 2.1, dna: 616.7, vision: 325.3, cluster: 4.1, clip: 2.1, cli: 642.1 };
const FOLDER = {
  core: 'packages/core',
  dna: 'packages/dna',
  vision: 'packages/vision',
  cluster: 'packages/cluster',
  clip: 'packages/clip',
  cli: 'apps/cli',
};
const afterRef = process.argv[2];
if (!afterRef) throw new Error('usage: size-tables.mjs AFTER_REF < sizes.txt');
const after = {};
for (const line of readFileSync(0, 'utf8').split('\n')) {
  const m = /^\s*([a-z]+(?:\+peers)?)\s+([\d.]+) MB/.exec(line);
  if (m) after[m[1]] = Number(m[2]);
}
for (const [short, folder] of Object.entries(FOLDER)) {
  if (after[short] === undefined) throw new Error(`no figure for ${short}`);
  const name = short === 'cli' ? '@bioscan5m/cli (`bioscan5m`)' : `@bioscan5m/${short}`;
  const rows = [`| ${name} alone | ${BEFORE[short].toFixed(1)} MB | ${after[short].toFixed(1)} MB |`];
  if (after[`${short}+peers`] !== undefined) {
    rows.push(
      `| ${name} with its optional peers (tfjs, onnxruntime-node, ...) | — | ${after[`${short}+peers`].toFixed(1)} MB |`,
    );
  }
  const section = [
    '<!-- install-size: written by tests/pack-install/scripts/size-tables.mjs -->',
    '## Install size',
    '',
    '`node_modules` of an empty project after installing the package tarball alone (`npm pack`, then',
    '`npm ci --offline` at the workspace-pinned versions: the pack-install test in `tests/pack-install`, which',
    'prints these figures on every `npm test`).',
    '',
    `| install | before (main f5c6855) | after (${afterRef}) |`,
    '| --- | ---: | ---: |',
    ...rows,
    '<!-- /install-size -->',
  ].join('\n');
  const file = path.join(root, folder, 'README.md');
  const text = readFileSync(file, 'utf8');
  const block = /<!-- install-size:[\s\S]*?<!-- \/install-size -->/;
  writeFileSync(file, block.test(text) ? text.replace(block, section) : `${text.trimEnd()}\n\n${section}\n`);
}
