/**
 * `bioscan5m clip eval|train|embed`: contrastive alignment (CLIBD) and retrieval evaluation. Argument parsing and
 * printing only; the work is in @bioscan5m/clip, imported when a clip command runs.
 */
import type { Command } from 'commander';
import { UsageError } from '@bioscan5m/core';
import type * as ClipPackage from '@bioscan5m/clip';
import { collect } from '../options.js';
import { progressBar } from '../progress.js';
import { evalReport, formatRetrievalTable } from './clip-format.js';

let clip: Promise<typeof ClipPackage> | undefined;
export const loadClip = (): Promise<typeof ClipPackage> => (clip ??= import('@bioscan5m/clip'));

interface EvalOpts {
  keys: string;
  keyLabels: string;
  queries: string;
  queryLabels: string;
  rank?: string[];
  k?: string[];
  search: string;
  normalize: boolean;
  json?: boolean;
  quiet?: boolean;
}

function parseKs(values: string[] | undefined): number[] | undefined {
  if (!values) return undefined;
  const ks = values.flatMap((v) => v.split(',')).map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`expected integers in 1..1000, got '${v}'`, '--k');
    return n;
  });
  return [...new Set(ks)].sort((a, b) => a - b);
}

export function registerClipCommands(program: Command): void {
  const cmd = program.command('clip').description('contrastive alignment of images, DNA and taxonomy text (CLIBD) and retrieval evaluation');
  cmd
    .command('eval')
    .description('retrieval accuracy of query embeddings against key embeddings: top-k micro/macro per rank, seen/unseen and harmonic mean (paper Table 5)')
    .requiredOption('--keys <file.npy>', 'key embeddings: 2-D float32/float64 .npy (e.g. train + key_unseen)')
    .requiredOption('--key-labels <file>', 'CSV/TSV with the rank columns, one row per key row')
    .requiredOption('--queries <file.npy>', 'query embeddings (e.g. test + test_unseen), same dimension as the keys')
    .requiredOption('--query-labels <file>', 'CSV/TSV with the rank columns and `split`; rows whose split contains "unseen" form the unseen set')
    .option('--rank <name>', 'rank column to score (repeatable; default order, family, genus, species)', collect)
    .option('--k <n>', 'top-k depths (repeatable or comma-separated; default 1,3,5)', collect)
    .option('--search <engine>', 'auto (faiss-node when installed, else exact) | exact | faiss', 'auto')
    .option('--no-normalize', 'do not L2-normalise the embeddings (default: normalise, as the reference does)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  bioscan5m clip eval --keys dna_keys.npy --key-labels keys.csv --queries img_test.npy --query-labels test.csv
  # the demo writes embeddings you can score yourself
  bioscan5m demo --only clip --out demo-out && bioscan5m clip eval --keys demo-out/clip-aligned-dna-keys.npy \\
    --key-labels demo-out/clip-key-labels.csv --queries demo-out/clip-aligned-image-queries.npy \\
    --query-labels demo-out/clip-query-labels.csv --json
`,
    )
    .action(async (opts: EvalOpts) => {
      if (!['auto', 'exact', 'faiss'].includes(opts.search)) throw new UsageError(`expected auto, exact or faiss, got '${opts.search}'`, '--search');
      const ks = parseKs(opts.k);
      const { runClipEvalJob, DEFAULT_RANKS, DEFAULT_KS } = await loadClip();
      const bar = progressBar('search', { quiet: opts.quiet || opts.json });
      let summary;
      try {
        summary = await runClipEvalJob({
          keys: opts.keys,
          keyLabels: opts.keyLabels,
          queries: opts.queries,
          queryLabels: opts.queryLabels,
          ranks: opts.rank,
          ks,
          search: opts.search as 'auto' | 'exact' | 'faiss',
          normalize: opts.normalize,
          onProgress: (d, t) => bar.update(d, t),
        });
      } finally {
        bar.stop();
      }
      if (opts.json) {
        console.log(JSON.stringify(evalReport(summary), null, 2));
        return;
      }
      const n = (x: number) => x.toLocaleString('en-US');
      console.log(
        `${n(summary.queries.rows)} queries (${n(summary.queries.seen)} seen, ${n(summary.queries.unseen)} unseen) against ${n(summary.keys.rows)} keys of ${summary.keys.dim} dims; ${summary.backend} inner-product search${summary.normalized ? ' on L2-normalised embeddings' : ''}, ${summary.seconds.search.toFixed(2)} s`,
      );
      const unlabelled = summary.rows.filter((r) => r.unlabelled > 0 && r.k === summary.ks[0]);
      for (const r of unlabelled) console.log(`(${r.unlabelled} ${r.set} queries without a ${r.rank} label left out of the ${r.rank} rows)`);
      console.log('');
      for (const line of formatRetrievalTable(summary, summary.ks ?? DEFAULT_KS, summary.ranks ?? DEFAULT_RANKS)) console.log(line);
    });
}
