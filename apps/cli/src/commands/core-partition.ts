/**
 * `bioscan5m clean`, `bioscan5m split` and `bioscan5m synth`: argument parsing and printing only; the work is in
 * @bioscan5m/core (clean/, split/, synth/).
 */
import type { Command } from 'commander';
import { Bioscan5mError, writeSyntheticMetadata } from '@bioscan5m/core';
import { progressBar } from '../progress.js';
import type { DemoStage } from './demo-stage.js';

function intOption(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Bioscan5mError(`--${name}: expected an integer >= ${min}, got '${value}'`);
  return n;
}

export function registerCorePartitionCommands(program: Command): void {
  program
    .command('synth')
    .description('write a synthetic BIOSCAN-5M metadata CSV (23 columns, Table 2 label fractions, evolving COI barcodes, splits)')
    .requiredOption('--rows <n>', 'number of rows (the release has 5150850)')
    .requiredOption('--out <file>', 'output CSV (written atomically)')
    .option('--seed <n>', 'random seed: the same seed gives the same file', '0')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExamples:\n  bioscan5m synth --rows 10000 --out synth-10k.csv --seed 1\n  bioscan5m synth --rows 5150850 --out /tmp/bioscan5m-synthetic.csv   # full scale, ~4 GB\n',
    )
    .action((opts: { rows: string; out: string; seed: string; quiet?: boolean }) => {
      const rows = intOption('rows', opts.rows, 1);
      const seed = intOption('seed', opts.seed);
      const bar = progressBar('synth', { quiet: opts.quiet });
      const t0 = Date.now();
      try {
        writeSyntheticMetadata(opts.out, { rows, seed, onProgress: (d, t) => bar.update(d, t) });
      } finally {
        bar.stop();
      }
      console.log(`wrote ${rows.toLocaleString('en-US')} rows to ${opts.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed})`);
    });
}

export const corePartitionDemoStages: DemoStage[] = [];
