import path from 'node:path';
import type { Command } from 'commander';
import {
  describeSummary,
  formatStats,
  IMAGE_PACKAGES,
  inputFileSize,
  runImagePathsJob,
  runStatsJob,
  table2Json,
  type ImagePackage,
  type StatsJobSummary,
} from '@bioscan5m/core';
import { embedded } from '../data.js';
import { choiceArg, intArg, pathArg } from '../options.js';
import { withProgressBar } from '../progress.js';

const rel = (p: string) => path.relative(process.cwd(), p) || p;

function reportSkipped(report: StatsJobSummary): void {
  if (!report.skipped.count) return;
  console.error(`skipped ${report.skipped.count} malformed row${report.skipped.count === 1 ? '' : 's'}:`);
  for (const e of report.skipped.examples) {
    const where = e.column ? ` column '${e.column}' value '${e.value}'` : '';
    console.error(`  ${report.file}:${e.line}:${where} ${e.reason}`);
  }
  if (report.skipped.count > report.skipped.examples.length) {
    console.error(`  ... and ${report.skipped.count - report.skipped.examples.length} more`);
  }
}

interface StatsCliOptions {
  metadata: string;
  json?: boolean;
  threads?: number;
  skipInvalid?: boolean;
  quiet?: boolean;
}

/** Files below this size finish in a blink: no progress bar. */
const PROGRESS_MIN_BYTES = 32 << 20;

async function runStats(opts: StatsCliOptions): Promise<void> {
  const quiet = opts.quiet || opts.json || inputFileSize(opts.metadata) < PROGRESS_MIN_BYTES;
  const report: StatsJobSummary = await withProgressBar('stats (bytes)', { quiet }, (onProgress) =>
    runStatsJob({
      input: opts.metadata,
      threads: opts.threads,
      skipInvalid: opts.skipInvalid,
      // --json prints Table 2 only, so only its columns are counted.
      tables: opts.json ? 'table2' : 'all',
      onProgress,
    }),
  );
  if (report.missingColumns.length)
    console.error(`${opts.metadata}: missing columns: ${report.missingColumns.join(', ')}`);
  reportSkipped(report);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(table2Json(report))}\n`);
    return;
  }
  console.log(`${opts.metadata} (${report.format} format)\n`);
  console.log(formatStats(report));
}

interface PathsCliOptions {
  metadata: string;
  root: string;
  package: string;
  check?: boolean;
  skipInvalid?: boolean;
  limit?: number;
  quiet?: boolean;
}

async function runPaths(opts: PathsCliOptions): Promise<void> {
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  };
  const quiet = opts.quiet || inputFileSize(opts.metadata) < PROGRESS_MIN_BYTES;
  const label = opts.check ? 'paths --check (bytes)' : 'paths (bytes)';
  const report = await withProgressBar(label, { quiet }, async (onProgress) => {
    const summary = await runImagePathsJob({
      input: opts.metadata,
      root: opts.root,
      package: opts.package as ImagePackage,
      check: opts.check,
      onProgress,
      skipInvalid: opts.skipInvalid,
      maxListed: opts.limit,
      onWarning: (w) => console.error(w),
      onPath: opts.check
        ? undefined
        : (p) => {
            out.push(p);
            if (out.length >= 4096) flush();
          },
    });
    // The last paths go out before the bar stops, as every earlier batch did.
    flush();
    return summary;
  });
  if (report.read.skipped) console.error(describeSummary(report.read));
  if (report.withoutPath) {
    console.error(
      `${report.withoutPath} record${report.withoutPath === 1 ? ' has' : 's have'} no split or processid, so no image path:`,
    );
    for (const e of report.withoutPathExamples) console.error(`  ${e}`);
    if (report.withoutPath > report.withoutPathExamples.length)
      console.error(`  ... and ${report.withoutPath - report.withoutPathExamples.length} more`);
  }
  if (!opts.check) return;
  if (report.paths === 0) {
    console.log(`no record of ${opts.metadata} has a split, so there are no image paths to check`);
    process.exitCode = 1;
    return;
  }
  if (report.missing === 0) {
    console.log(`all ${report.paths} images found under ${opts.root}`);
    return;
  }
  console.log(`${report.missing} of ${report.paths} images missing under ${opts.root}:`);
  for (const p of report.missingExamples) console.log(`  ${p}`);
  if (report.missing > report.missingExamples.length)
    console.log(`  ... and ${report.missing - report.missingExamples.length} more`);
  process.exitCode = 1;
}

/** `bioscan5m stats` and `bioscan5m paths`. */
export function registerCoreDataCommands(program: Command): void {
  program
    .command('stats')
    .description(
      "the paper's statistics tables of a metadata file: Table 2 (per rank), A4 (geography), A5 (category sizes), A11-A14 (partition overlaps)",
    )
    .requiredOption(
      '--metadata <file>',
      'metadata CSV/TSV: the release CSV, a BIOSCAN-1M TSV or a barcodes CSV',
      pathArg,
    )
    .option(
      '--json',
      'print only Table 2 as one JSON object: {"rows": N, "ranks": {"phylum": {"categories", "labelled", "labelledPercent", "imbalanceRatio"}, ...}}',
    )
    .option('--threads <n>', 'worker threads for big files (default: the number of cores)', intArg({ min: 1 }))
    .option('--skip-invalid', 'count and report malformed rows instead of stopping at the first')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nExample (the embedded sample data):\n  bioscan5m stats --metadata ${rel(embedded.metadata)}\n  bioscan5m stats --metadata ${rel(embedded.metadata)} --json`,
    )
    .action(runStats);

  program
    .command('paths')
    .description(
      'image file paths of the records ({root}/bioscan5m/images/{package}/{split}/[{chunk}/]{processid}.jpg); --check reports missing files',
    )
    .requiredOption('--metadata <file>', 'metadata CSV/TSV/Parquet with processid, split (and chunk)', pathArg)
    .requiredOption('--root <dir>', 'dataset root: the folder that holds bioscan5m/images', pathArg)
    .option(
      '--package <name>',
      'image package: original_full, cropped, original_256 or cropped_256',
      choiceArg(IMAGE_PACKAGES),
      'cropped_256',
    )
    .option('--check', 'test that every file exists; list missing ones and exit with status 1 when any is missing')
    .option('--skip-invalid', 'count and report malformed rows instead of stopping at the first')
    .option('--limit <n>', 'how many missing files to list', intArg({ min: 0 }), 20)
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nExample (the embedded metadata has no split column, so it reports that):\n  bioscan5m paths --metadata ${rel(embedded.metadata)} --root ./BIOSCAN-5M --package cropped_256 --check`,
    )
    .action(runPaths);
}
