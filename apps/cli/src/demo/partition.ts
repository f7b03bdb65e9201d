/** Demo stages `clean` and `split`: the paper's label cleaning, then species sets and splits of the cleaned copy. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatCleanTable, formatSplitTable, runCleanJob, runSplitJob } from '@bioscan5m/core';
import { embedded } from '../data.js';
import { speciesSetLine } from '../commands/core-partition.js';
import type { DemoStage } from '../commands/demo-stage.js';
import type { CleanResult, SplitResult } from '../report/results.js';

export const cleanStage: DemoStage = {
  name: 'clean',
  title: 'label cleaning (paper A4.4): what each rule changed',
  seconds: { quick: 1, full: 1 },
  async run(ctx): Promise<CleanResult> {
    const out = path.join(ctx.outDir, 'metadata.clean.csv');
    const changes = path.join(ctx.outDir, 'clean-changes.csv');
    const summary = await runCleanJob({ input: embedded.metadata, out, changes });
    for (const line of formatCleanTable(summary).split('\n')) ctx.log(line);
    ctx.log(`cleaned metadata: ${out}; change log: ${changes}`);
    return { file: path.basename(out), summary };
  },
};

export const splitStage: DemoStage = {
  name: 'split',
  title: 'species sets and the splits of Table 3 (samples, barcodes, species per split)',
  seconds: { quick: 1, full: 1 },
  async run(ctx): Promise<SplitResult> {
    // The cleaned copy from the clean stage, or the embedded metadata when the stage ran alone (--only split).
    const cleaned = path.join(ctx.outDir, 'metadata.clean.csv');
    const input = existsSync(cleaned) ? cleaned : embedded.metadata;
    const out = path.join(ctx.outDir, 'metadata.split.csv');
    const seed = 0;
    const summary = await runSplitJob({ input, out, seed });
    for (const line of formatSplitTable(summary).split('\n')) ctx.log(line);
    ctx.log(speciesSetLine(summary));
    ctx.log(`split metadata: ${out}`);
    return { file: path.basename(out), seed, summary };
  },
};
