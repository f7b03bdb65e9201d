/**
 * `bioscan5m clean`, `bioscan5m split` and `bioscan5m synth`: argument parsing and printing only; the work is in
 * @bioscan5m/core (clean/, split/, synth/).
 */
import type { Command } from 'commander';
import {
  runCleanJob,
  formatCleanTable,
  formatSplitTable,
  runSplitJob,
  runSynthJob,
  type SplitSummary,
} from '@bioscan5m/core';
import { embedded } from '../data.js';
import { choiceArg, choiceOption, intArg, numberArg, numberOption, pathArg } from '../options.js';
import { withProgressBar } from '../progress.js';

const FRACTION = { min: 0, exclusiveMin: true, max: 1 };
const SHARE = { min: 0, max: 1 };
const SEED = { min: 0 };
const PLACEHOLDER_RULES = ['paper', 'reference'] as const;

function seconds(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

export function speciesSetLine(s: SplitSummary): string {
  const f = (x: number) => x.toLocaleString('en-US');
  const { seen, unseen, heldout, unknown } = s.speciesSets;
  return (
    `species sets: seen ${f(seen.species)} species / ${f(seen.samples)} samples, unseen ${f(unseen.species)} / ${f(unseen.samples)}, ` +
    `heldout ${f(heldout.species)} / ${f(heldout.samples)}, unknown ${f(unknown.samples)} samples` +
    (s.conflictingBarcodes
      ? `; ${f(s.conflictingBarcodes)} barcodes carry several species labels (majority used; run clean first)`
      : '') +
    (s.rowsWithoutBarcode ? `; ${f(s.rowsWithoutBarcode)} rows without a barcode (each its own group)` : '')
  );
}

export function registerCorePartitionCommands(program: Command): void {
  program
    .command('clean')
    .description('clean taxonomic labels (paper A4.4): every change logged, inferred_ranks filled, no record dropped')
    .requiredOption(
      '--metadata <file>',
      'metadata CSV/TSV (needs the 7 rank columns; dna_barcode for the per-barcode rules)',
      pathArg,
    )
    .requiredOption('--out <file>', 'cleaned copy of the metadata (written atomically)', pathArg)
    .option('--changes <file>', 'change log CSV: processid, line, rank, old, new, rule', pathArg)
    .option(
      '--majority <x>',
      "share of a barcode's labelled samples that must agree at a rank, in (0, 1]",
      numberArg(FRACTION),
      0.9,
    )
    .option(
      '--fill-all-holes',
      'fill holes at every rank as "unassigned <parent>" (default: subfamily only, as the paper)',
    )
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `\nExamples:\n  bioscan5m clean --metadata ${embedded.metadata} --out clean.csv --changes changes.csv\n  bioscan5m clean --metadata BIOSCAN_5M_Insect_Dataset_metadata.csv --out clean.csv --majority 0.95\n`,
    )
    .action(
      async (opts: {
        metadata: string;
        out: string;
        changes?: string;
        majority: string | number;
        fillAllHoles?: boolean;
        json?: boolean;
        quiet?: boolean;
      }) => {
        const majority = numberOption('majority', opts.majority, FRACTION)!;
        const t0 = Date.now();
        const summary = await withProgressBar('clean', { quiet: opts.quiet || opts.json }, (onProgress) =>
          runCleanJob({
            input: opts.metadata,
            out: opts.out,
            changes: opts.changes,
            majority,
            fillAllHoles: opts.fillAllHoles,
            onProgress,
          }),
        );
        if (opts.json) {
          console.log(JSON.stringify(summary));
          return;
        }
        console.log(formatCleanTable(summary));
        for (const note of summary.notes) console.log(`note: ${note}`);
        console.log(`wrote ${opts.out}${opts.changes ? ` and ${opts.changes}` : ''} in ${seconds(t0)}`);
      },
    );

  program
    .command('split')
    .description(
      'species sets and barcode-grouped splits (paper 4.1/A4.5); writes the metadata with split and chunk filled',
    )
    .requiredOption(
      '--metadata <file>',
      'metadata CSV/TSV (needs species; dna_barcode, genus and processid used when present)',
      pathArg,
    )
    .requiredOption('--out <file>', 'output CSV (written atomically)', pathArg)
    .option('--seed <n>', 'random seed: the same seed gives the same split', intArg(SEED), 0)
    .option(
      '--placeholder-rule <rule>',
      "placeholder species rule: 'paper' or 'reference' (adds whole-word aff/gen/n. sp/sp. ex, _ and ?)",
      choiceArg(PLACEHOLDER_RULES),
      'paper',
    )
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `\nExamples:\n  bioscan5m split --metadata ${embedded.metadata} --out split.csv --seed 0\n  bioscan5m clean --metadata meta.csv --out clean.csv && bioscan5m split --metadata clean.csv --out split.csv --seed 1\n`,
    )
    .action(
      async (opts: {
        metadata: string;
        out: string;
        seed: string | number;
        placeholderRule: string;
        json?: boolean;
        quiet?: boolean;
      }) => {
        const seed = numberOption('seed', opts.seed, { integer: true, ...SEED })!;
        const placeholderRule = choiceOption('placeholder-rule', opts.placeholderRule, PLACEHOLDER_RULES)!;
        const t0 = Date.now();
        const summary = await withProgressBar('split', { quiet: opts.quiet || opts.json }, (onProgress) =>
          runSplitJob({ input: opts.metadata, out: opts.out, seed, placeholderRule, onProgress }),
        );
        if (opts.json) {
          console.log(JSON.stringify(summary));
          return;
        }
        console.log(formatSplitTable(summary));
        console.log(speciesSetLine(summary));
        for (const note of summary.notes) console.log(`note: ${note}`);
        console.log(`wrote ${opts.out} in ${seconds(t0)} (seed ${seed})`);
      },
    );

  program
    .command('synth')
    .description(
      'write a synthetic BIOSCAN-5M metadata CSV (23 columns, Table 2 label fractions, evolving COI barcodes, splits)',
    )
    .requiredOption('--rows <n>', 'number of rows (the release has 5150850)', intArg({ min: 1 }))
    .requiredOption('--out <file>', 'output CSV (written atomically)', pathArg)
    .option('--seed <n>', 'random seed: the same seed gives the same file', intArg(SEED), 0)
    .option(
      '--noise <x>',
      'share of rows given one raw annotation error (case, Malaise typo, padding, missing genus, genus typo, white space) for testing clean, in [0, 1]',
      numberArg(SHARE),
      0,
    )
    .option('--json', 'print the summary as JSON: {"out", "rows", "seed", "noise", "seconds"}')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExamples:\n  bioscan5m synth --rows 10000 --out synth-10k.csv --seed 1\n  bioscan5m synth --rows 10000 --out raw-10k.csv --seed 1 --noise 0.05 && bioscan5m clean --metadata raw-10k.csv --out clean-10k.csv\n  bioscan5m synth --rows 5150850 --out /tmp/bioscan5m-synthetic.csv   # full scale, ~4.3 GB\n',
    )
    .action(
      async (opts: {
        rows: number;
        out: string;
        seed: string | number;
        noise: string | number;
        json?: boolean;
        quiet?: boolean;
      }) => {
        const rows = numberOption('rows', opts.rows, { integer: true, min: 1 })!;
        const seed = numberOption('seed', opts.seed, { integer: true, ...SEED })!;
        const noise = numberOption('noise', opts.noise, SHARE)!;
        const t0 = Date.now();
        await withProgressBar('synth', { quiet: opts.quiet || opts.json }, (onProgress) =>
          runSynthJob({ out: opts.out, rows, seed, noise, onProgress }),
        );
        if (opts.json)
          return console.log(JSON.stringify({ out: opts.out, rows, seed, noise, seconds: (Date.now() - t0) / 1000 }));
        console.log(`wrote ${rows.toLocaleString('en-US')} rows to ${opts.out} in ${seconds(t0)} (seed ${seed})`);
      },
    );
}
