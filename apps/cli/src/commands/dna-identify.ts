/**
 * `bioscan5m dna identify`: species (or, for an unseen species, genus) of COI barcodes against a labelled
 * reference. Argument parsing and printing only; the engine is in @bioscan5m/dna.
 */
import type { Command } from 'commander';
import type { Command as CommandType } from 'commander';
import { UsageError } from '@bioscan5m/core';
import type {
  IdentifyIndexJobSummary,
  IdentifyJobOptions,
  IdentifyJobSummary,
  IdentifierBuildOptions,
} from '@bioscan5m/dna/identify';
import { embedded } from '../data.js';
import { intArg, numberArg, numberOption, pathArg } from '../options.js';
import { progressBar } from '../progress.js';

// Identification alone: the light entry (no tfjs, no onnxruntime), imported when the command runs.
const identify = () => import('@bioscan5m/dna/identify');

const UNIT = { min: 0, max: 1 };
/** k-mer lengths of the candidate index. */
const K_RANGE = { min: 8, max: 15 };
const THREADS = { min: 1, max: 64 };

export interface BuildOpts {
  k?: number;
  sampling?: number;
  candidates?: number;
  speciesThreshold?: number;
  closedWorld?: boolean;
  seed?: string | number;
}

interface IdentifyOpts extends BuildOpts {
  reference?: string;
  index?: string;
  queries: string;
  out: string;
  openWorld?: boolean;
  minConfidence?: number;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The reference lines of a summary: counts, threshold, index, rows not used. */
function printReferenceLines(s: Pick<IdentifyJobSummary, 'reference' | 'referenceSkipped'>): void {
  const r = s.reference;
  const source = r.indexFile
    ? `loaded from ${r.indexFile} in ${(r.loadSeconds ?? 0).toFixed(2)} s`
    : `built in ${r.buildSeconds.toFixed(2)} s`;
  console.log(
    `reference: ${r.referenceRecords.toLocaleString('en-US')} records, ${r.referenceBarcodes.toLocaleString('en-US')} distinct barcodes; ` +
      `species threshold ${pct(r.speciesThreshold)} identity (${r.thresholdSource}); k=${r.k}${r.sampling > 1 ? `, 1 in ${r.sampling} k-mers` : ''}; ${source}`,
  );
  if (r.skippedRecords) {
    console.log(`reference rows not used: ${r.skippedRecords}`);
    for (const x of s.referenceSkipped) console.log(`  ${x.id}: ${x.reason}`);
    if (r.skippedRecords > s.referenceSkipped.length)
      console.log(`  ... and ${r.skippedRecords - s.referenceSkipped.length} more`);
  }
}

/** The build options (index and calibration) from the flags shared by `dna identify` and `dna index`. */
function buildOptions(opts: BuildOpts): IdentifierBuildOptions {
  const out: IdentifierBuildOptions = {
    k: numberOption('k', opts.k, { integer: true, ...K_RANGE }),
    sampling: numberOption('sampling', opts.sampling, { integer: true, min: 1 }),
    candidates: numberOption('candidates', opts.candidates, { integer: true, min: 1 }),
    speciesThreshold: opts.closedWorld ? 0 : numberOption('species-threshold', opts.speciesThreshold, UNIT),
    seed: numberOption('seed', opts.seed, { integer: true, min: 0 }),
  };
  for (const key of Object.keys(out) as (keyof IdentifierBuildOptions)[]) if (out[key] === undefined) delete out[key];
  return out;
}

const BUILD_FLAGS: Partial<Record<keyof IdentifierBuildOptions, string>> = {
  k: '--k',
  sampling: '--sampling',
  candidates: '--candidates',
  speciesThreshold: '--species-threshold/--closed-world',
  seed: '--seed',
};

/**
 * --reference or --index, with the build flags (refused beside --index: they are fixed in it): the source
 * options of runIdentifyJob and of the identification service (`dna identify`, `dna serve`).
 */
export function identifierSource(
  opts: BuildOpts & { reference?: string; index?: string },
): IdentifierBuildOptions & Pick<IdentifyJobOptions, 'reference' | 'index'> {
  if ((opts.reference === undefined) === (opts.index === undefined))
    throw new UsageError('give --reference <file> or --index <file> (one of them)', '--reference/--index');
  const build = buildOptions(opts);
  if (opts.index !== undefined && Object.keys(build).length)
    throw new UsageError(
      `${Object.keys(build)
        .map((k) => BUILD_FLAGS[k as keyof IdentifierBuildOptions] ?? k)
        .join(', ')}: fixed when the index is built; pass them to \`bioscan5m dna index\``,
      '--index',
    );
  return { ...build, reference: opts.reference, index: opts.index };
}

/** The flags that shape the index and what is learned from the reference (`dna identify` and `dna index`). */
export function addBuildOptions(cmd: CommandType): CommandType {
  return cmd
    .option(
      '--species-threshold <identity>',
      'identity (0..1) from which a query gets a species; default: learned from the reference (barcode gap)',
      numberArg(UNIT),
    )
    .option('--closed-world', 'assume every query species is in the reference: never call novel (as BLAST top hit)')
    .option(
      '--k <k>',
      'k-mer length of the candidate index, 8..15 (default 12; 11 for references under ~12k barcodes)',
      intArg(K_RANGE),
    )
    .option(
      '--sampling <s>',
      'index 1 in s k-mers (default: all up to ~37k distinct reference barcodes, fewer above)',
      intArg({ min: 1 }),
    )
    .option('--candidates <n>', 'candidates verified per query (default 48)', intArg({ min: 1 }))
    .option('--seed <n>', 'seed of the leave-one-out calibration sample (default 1)', intArg({ min: 0 }));
}

/** Human-readable summary on stdout. */
export function printIdentifyJobSummary(s: IdentifyJobSummary, outFile: string): void {
  printReferenceLines(s);
  console.log(
    `queries: ${s.queries.toLocaleString('en-US')}; identified ${s.identified.toLocaleString('en-US')} (${s.novel} look like species absent from the reference); ` +
      `no usable sequence ${s.noSequence}; no similar reference ${s.noHit}`,
  );
  if (s.cleanedQueries) {
    const c = s.cleaning;
    console.log(
      `cleaned ${s.cleanedQueries} query barcodes: ${c.gaps} gap characters removed, ${c.lowercase} lowercase, ${c.ambiguous} IUPAC codes and ${c.invalid} invalid characters read as N, ${c.uracil} U read as T, ${c.trimmedN} end N trimmed`,
    );
  }
  for (const p of s.problems) console.log(`  query ${p.id} (line ${p.line}): ${p.reason} -> written with empty ranks`);
  const unreported = s.noSequence + s.noHit - s.problems.length;
  if (unreported > 0) console.log(`  ... and ${unreported} more (see the note column of ${outFile})`);
  if (s.accuracy) {
    const parts = Object.entries(s.accuracy)
      .filter(([, a]) => a.total > 0)
      .map(([rank, a]) => `${rank} ${pct(a.accuracy)} (${a.correct}/${a.total})`);
    console.log(`accuracy against the queries' own labels: ${parts.join(', ')}`);
  }
  console.log(`wrote ${outFile} in ${s.seconds.toFixed(2)} s (${s.queriesPerSecond.toFixed(0)} queries/s end to end)`);
}

/** JSON summary for --json. */
export function identifyJson(s: IdentifyJobSummary) {
  return {
    queries: s.queries,
    identified: s.identified,
    novel: s.novel,
    noSequence: s.noSequence,
    noHit: s.noHit,
    cleanedQueries: s.cleanedQueries,
    cleaning: s.cleaning,
    reference: s.reference,
    threads: s.threads,
    referenceSkipped: s.referenceSkipped,
    problems: s.problems,
    accuracy: s.accuracy ?? null,
    seconds: Number(s.seconds.toFixed(3)),
    querySeconds: Number(s.querySeconds.toFixed(3)),
    queriesPerSecond: Number(s.queriesPerSecond.toFixed(1)),
  };
}

export function registerDnaIdentifyCommands(dna: Command): void {
  const identifyCmd = dna
    .command('identify')
    .description(
      'identify COI barcodes: species, or for a species absent from the reference its genus, with a confidence. ' +
        'k-mer candidate search, identity on the shared diagonal (banded alignment when an indel is suspected), species threshold and confidence calibration learned from the reference',
    )
    .option(
      '--reference <file>',
      'labelled reference CSV/TSV: dna_barcode and rank columns phylum..species (record_id optional)',
      pathArg,
    )
    .option(
      '--index <file>',
      'a saved index of the reference (`bioscan5m dna index`): loads in one read, no indexing or calibration per run',
      pathArg,
    )
    .requiredOption(
      '--queries <file>',
      'barcodes to identify: CSV/TSV with dna_barcode (record_id, rank columns optional) or FASTA',
      pathArg,
    )
    .requiredOption(
      '--out <file>',
      'predictions CSV: record_id, phylum..species, confidence, novel, identity, nearest_record_id, note',
      pathArg,
    )
    .option(
      '--open-world',
      'leave species empty for a query called novel (default: the nearest species of its voted genus, flagged novel)',
    )
    .option(
      '--min-confidence <p>',
      'leave the deepest rank empty when its confidence is below p, 0..1 (default 0)',
      numberArg(UNIT),
    )
    .option(
      '--threads <n>',
      'worker threads for the searches, 1..64 (default 1; each starts in a few milliseconds)',
      intArg(THREADS),
    )
    .option('--json', 'print a JSON summary (counts, accuracy when queries have labels, seconds, queries/s)')
    .option('--quiet', 'no progress bars')
    .addHelpText(
      'after',
      `
Queries keep their input order; a query without a usable sequence gets a row with empty ranks and a note, and is
listed in the summary. Sequences are cleaned (gaps removed, lowercase upper-cased, IUPAC codes read as N, U as T).

Example on the embedded sample data (its barcodes against themselves, a smoke test; run
\`bioscan5m demo --only dna-identify\` for a held-out evaluation):
  bioscan5m dna identify --reference ${embedded.barcodes} \\
    --queries ${embedded.barcodes} --out predictions.csv --json`,
    );
  addBuildOptions(identifyCmd).action(async (opts: IdentifyOpts) => {
    if (opts.closedWorld && opts.openWorld)
      throw new UsageError('give at most one of --closed-world or --open-world', '--open-world');
    const options: Omit<IdentifyJobOptions, 'queries' | 'out'> = {
      ...identifierSource(opts),
      novelSpecies: opts.openWorld ? 'empty' : 'nearest',
      minConfidence: numberOption('min-confidence', opts.minConfidence, UNIT),
      threads: numberOption('threads', opts.threads, { integer: true, ...THREADS }),
    };
    const quiet = opts.quiet || opts.json;
    const learnBar = progressBar('calibrating on the reference', { quiet });
    const queryBar = progressBar('identifying', { quiet });
    let summary: IdentifyJobSummary;
    try {
      summary = await (
        await identify()
      ).runIdentifyJob({
        ...options,
        queries: opts.queries,
        out: opts.out,
        onProgress: (d, t) => learnBar.update(d, t),
        onQueryProgress: (d, t) => {
          learnBar.stop();
          queryBar.update(d, t);
        },
      });
    } finally {
      learnBar.stop();
      queryBar.stop();
    }
    if (opts.json) console.log(JSON.stringify(identifyJson(summary), null, 2));
    else printIdentifyJobSummary(summary, opts.out);
  });

  const indexCmd = dna
    .command('index')
    .description(
      'build a saved identification index of a reference once (cleaned, deduplicated barcodes with their label counts, ' +
        'k-mer index, learned species threshold and calibration) for `dna identify --index`',
    )
    .requiredOption(
      '--reference <file>',
      'labelled reference CSV/TSV: dna_barcode and rank columns phylum..species (record_id optional); streamed',
      pathArg,
    )
    .requiredOption('--out <file>', 'the index file to write (atomically)', pathArg)
    .option('--threads <n>', 'worker threads for the calibration searches, 1..64 (default 1)', intArg(THREADS))
    .option('--json', 'print a JSON summary')
    .option('--quiet', 'no progress bars')
    .addHelpText(
      'after',
      `
The index is a versioned binary file: an index written by another version of @bioscan5m/dna, or a damaged one,
is refused with a message saying to rebuild it. Build options (--k, --sampling, --candidates, --species-threshold,
--closed-world, --seed) are fixed in the index.

Example on the embedded sample data:
  bioscan5m dna index --reference ${embedded.barcodes} --out barcodes.idx
  bioscan5m dna identify --index barcodes.idx --queries ${embedded.barcodes} --out predictions.csv`,
    );
  addBuildOptions(indexCmd).action(
    async (opts: BuildOpts & { reference: string; out: string; threads?: number; json?: boolean; quiet?: boolean }) => {
      const quiet = opts.quiet || opts.json;
      const readBar = progressBar('reading the reference (bytes)', { quiet });
      const learnBar = progressBar('calibrating on the reference', { quiet });
      const writeBar = progressBar('writing the index (bytes)', { quiet });
      let s: IdentifyIndexJobSummary;
      try {
        s = await (
          await identify()
        ).runIdentifyIndexJob({
          ...buildOptions(opts),
          threads: numberOption('threads', opts.threads, { integer: true, ...THREADS }),
          reference: opts.reference,
          out: opts.out,
          onReadProgress: (d, t) => readBar.update(d, t),
          onProgress: (d, t) => {
            readBar.stop();
            learnBar.update(d, t);
          },
          onWriteProgress: (d, t) => {
            learnBar.stop();
            writeBar.update(d, t);
          },
        });
      } finally {
        readBar.stop();
        learnBar.stop();
        writeBar.stop();
      }
      if (opts.json) {
        console.log(JSON.stringify({ ...s, seconds: Number(s.seconds.toFixed(3)) }, null, 2));
        return;
      }
      printReferenceLines(s);
      console.log(`wrote ${s.out} (${(s.bytes / 2 ** 20).toFixed(1)} MiB) in ${s.seconds.toFixed(2)} s`);
    },
  );
}
