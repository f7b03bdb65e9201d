/**
 * `bioscan5m cluster`: the zero-shot clustering benchmark (z-score -> UMAP -> Ward -> AMI per label column).
 * Argument parsing and printing only; the job is runClusterJob in @bioscan5m/cluster, imported when it runs.
 */
import type { Command } from 'commander';
import { Bioscan5mError, checkOutputPaths, UsageError } from '@bioscan5m/core';
import type * as ClusterPackage from '@bioscan5m/cluster';
import { collect, intArg, numberArg, pathArg } from '../options.js';
import { progressBar, type ProgressSink } from '../progress.js';

const UMAP_DIMS = { min: 0 };
const NEIGHBORS = { min: 2 };
const MIN_DIST = { min: 0, max: 1 };

let loading: Promise<typeof ClusterPackage> | undefined;
const cluster = (): Promise<typeof ClusterPackage> => (loading ??= import('@bioscan5m/cluster'));

interface ClusterOpts {
  embeddings: string[];
  labels?: string;
  labelColumn?: string[];
  onePerBarcode?: string | boolean;
  umap: number;
  neighbors: number;
  minDist: number;
  epochs?: number;
  seed: number;
  nClusters?: number;
  distanceThreshold?: number;
  zscore: boolean;
  out?: string;
  saveReduced?: string;
  json?: boolean;
  quiet?: boolean;
}

function printTable(res: ClusterPackage.ZeroShotResult): void {
  console.log(
    `clustered ${res.n.toLocaleString('en-US')} rows${res.duplicates ? ` (${res.duplicates} repeated barcodes not clustered)` : ''} into ${res.clusters.toLocaleString('en-US')} clusters in ${res.seconds.total.toFixed(1)} s (UMAP ${res.seconds.umap.toFixed(1)} s, Ward ${res.seconds.ward.toFixed(1)} s)`,
  );
  const cols = Object.entries(res.metrics);
  if (!cols.length) return;
  console.log(
    ['label', 'classes', 'rows', 'AMI', 'ARI', 'NMI', 'homog.', 'compl.', 'V'].map((s) => s.padStart(10)).join(''),
  );
  for (const [name, m] of cols) {
    const f = (v: number) => v.toFixed(4).padStart(10);
    console.log(
      name.padStart(10) +
        String(m.classes).padStart(10) +
        String(m.n).padStart(10) +
        f(m.ami) +
        f(m.ari) +
        f(m.nmi) +
        f(m.homogeneity) +
        f(m.completeness) +
        f(m.vMeasure),
    );
    if (m.unlabelled)
      console.log(`${''.padStart(10)}(${m.unlabelled} rows without a ${name} label left out of its metrics)`);
  }
}

export function registerClusterCommands(program: Command): void {
  program
    .command('cluster')
    .description(
      'zero-shot clustering: z-score and concatenate embeddings, UMAP, Ward agglomerative clustering, AMI/ARI/NMI per label column',
    )
    .requiredOption(
      '--embeddings <file>',
      'embeddings: 2-D float32/float64 .npy or a CSV of numbers; repeat for several modalities (z-scored, then concatenated)',
      collect,
    )
    .option('--labels <file>', 'CSV/TSV of labels, one row per embedding row, in the same order', pathArg)
    .option(
      '--label-column <name>',
      'label column to evaluate (repeatable; default species); the first sets the default number of clusters',
      collect,
    )
    .option(
      '--one-per-barcode [column]',
      'cluster one sample per barcode: rows repeating an earlier barcode (case, gaps and trailing N ignored) take its cluster (column default dna_barcode)',
    )
    .option('--umap <dims>', 'UMAP output dimensions, at most the input dimension; 0 skips UMAP', intArg(UMAP_DIMS), 50)
    .option('--neighbors <n>', 'UMAP neighbours, >= 2', intArg(NEIGHBORS), 30)
    .option('--min-dist <x>', 'UMAP min_dist, 0..1', numberArg(MIN_DIST), 0)
    .option(
      '--epochs <n>',
      'UMAP epochs (default: 500 for small inputs down to 200 above 10,000 rows)',
      intArg({ min: 1 }),
    )
    .option('--seed <n>', 'random seed for UMAP', intArg({ min: 0 }), 0)
    .option('--n-clusters <n>', 'number of clusters (default: classes in the first label column)', intArg({ min: 1 }))
    .option(
      '--distance-threshold <x>',
      'cut the Ward tree at this height instead of a cluster count',
      numberArg({ min: 0 }),
    )
    .option('--no-zscore', 'do not z-score the embeddings (default: z-score when several are given)')
    .option('--out <file>', 'write the cluster of every row to this CSV (column `cluster`)', pathArg)
    .option(
      '--save-reduced <file.npy>',
      'save the matrix that was clustered (after z-score and UMAP, float32) to re-cluster later with --umap 0',
      pathArg,
    )
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  # DNA and image embeddings of test + test_unseen, evaluated per rank and BIN (paper protocol)
  bioscan5m cluster --embeddings dna.npy --embeddings image.npy --labels test.csv \\
    --label-column species --label-column genus --label-column dna_bin --out assign.csv --json
  # quick check on the CLI's embedded barcodes: 4-mer frequencies (see \`bioscan5m demo --only cluster\`)
  bioscan5m demo --only cluster --out demo-out && bioscan5m cluster --embeddings demo-out/cluster-kmer4.npy \\
    --labels demo-out/cluster-labels.csv --label-column genus --label-column species --umap 0
`,
    )
    .action(async (opts: ClusterOpts) => {
      // Before the package loads: an output that is an input is named by its flag.
      checkOutputPaths({
        inputs: { '--embeddings': opts.embeddings, '--labels': opts.labels },
        outputs: { '--out': opts.out, '--save-reduced': opts.saveReduced },
      });
      const c = await cluster();
      const barcodeColumn =
        opts.onePerBarcode === undefined
          ? undefined
          : opts.onePerBarcode === true
            ? 'dna_barcode'
            : String(opts.onePerBarcode);
      let bar: ProgressSink | undefined;
      let s: ClusterPackage.ClusterJobSummary;
      try {
        s = await c.runClusterJob({
          embeddings: opts.embeddings,
          labels: opts.labels,
          labelColumns: opts.labelColumn,
          barcodeColumn,
          zscore: opts.zscore === false ? false : undefined,
          umapDims: opts.umap,
          umap: { nNeighbors: opts.neighbors, minDist: opts.minDist, nEpochs: opts.epochs, seed: opts.seed },
          nClusters: opts.nClusters,
          distanceThreshold: opts.distanceThreshold,
          out: opts.out,
          saveReduced: opts.saveReduced,
          onStage: (stage) => {
            bar?.stop();
            bar = progressBar(stage === 'umap' ? 'UMAP' : 'Ward', { quiet: opts.quiet || opts.json });
          },
          onProgress: (d, t) => bar?.update(d, t),
        });
      } catch (err) {
        throw withFlagName(err);
      } finally {
        bar?.stop();
      }
      if (opts.json) console.log(JSON.stringify(s.report, null, 2));
      else {
        printTable(s.result);
        if (opts.out) console.log(`cluster of every row written to ${opts.out}`);
      }
    });
}

/** The job names its options; a user gave flags. */
const FLAGS: Record<string, string> = {
  umapDims: '--umap',
  nNeighbors: '--neighbors',
  nClusters: '--n-clusters',
  labelColumns: '--label-column',
  barcodeColumn: '--one-per-barcode',
  embeddings: '--embeddings',
};

function withFlagName(err: unknown): unknown {
  if (!Bioscan5mError.isInstance(err) || err.code !== 'BIOSCAN5M_USAGE') return err;
  const option = (err as UsageError).option;
  if (!option || !FLAGS[option]) return err;
  return new UsageError(err.message.slice(option.length + 2), FLAGS[option]);
}
