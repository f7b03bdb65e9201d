#!/usr/bin/env node
// One job of the split/clean benchmark in its own process (so /usr/bin/time measures its peak RSS): the library
// calls behind `bioscan5m split|clean|synth` (the CLI adds only argument parsing and printing), from the build.
// Usage: node bench/split-clean-run.mjs split|clean|synth IN OUT [ROWS]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
const core = await import(dist);
const [job, input, out, rows] = process.argv.slice(2);
if (job === 'split') {
  const s = await core.runSplitJob({ input, out, seed: 0 });
  console.log(core.formatSplitTable(s));
} else if (job === 'clean') {
  const s = await core.runCleanJob({ input, out, changes: `${out}.changes.csv` });
  console.log(core.formatCleanTable(s));
} else if (job === 'synth') {
  await core.runSynthJob({ out, rows: Number(rows), seed: 0 });
} else {
  throw new Error(`unknown job ${job}`);
}
