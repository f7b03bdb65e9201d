/**
 * `bioscan5m cluster`: the zero-shot clustering benchmark (z-score -> UMAP -> Ward -> AMI per label column).
 * Argument parsing and printing only; the work is in @bioscan5m/cluster.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { Bioscan5mError, checkOutputPaths, createTableWriter, readTable, UsageError, writeFileAtomic, writeNpy } from '@bioscan5m/core';
import { type Matrix, type ZeroShotResult, kmerMatrix, readEmbeddings, readLabels, zeroShotClustering } from '@bioscan5m/cluster';
import { embedded } from '../data.js';
import { collect, intArg, numberArg, numberOption, pathArg } from '../options.js';
import { progressBar } from '../progress.js';
import type { DemoStage } from './demo-stage.js';


interface ClusterOpts {
  embeddings: string[];
  labels?: string;
  labelColumn?: string[];
  onePerBarcode?: string | boolean;
  umap: string | number;
  neighbors: string | number;
  minDist: string | number;
  epochs?: number;
  seed: string | number;
  nClusters?: number;
  distanceThreshold?: number;
  zscore: boolean;
  out?: string;
  saveReduced?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The JSON report: {"n", "clusters", "seconds", "metrics": {column: {classes, ami, ari, nmi, ...}}}. */
export function clusterReport(res: ZeroShotResult) {
  return {
    n: res.n,
    rows: res.rows,
    duplicates: res.duplicates,
    clusters: res.clusters,
    seconds: Number(res.seconds.total.toFixed(3)),
    stageSeconds: Object.fromEntries(Object.entries(res.seconds).map(([k, v]) => [k, Number(v.toFixed(3))])),
    metrics: Object.fromEntries(
      Object.entries(res.metrics).map(([col, m]) => [
        col,
        { classes: m.classes, ami: m.ami, ari: m.ari, nmi: m.nmi, homogeneity: m.homogeneity, completeness: m.completeness, vMeasure: m.vMeasure, n: m.n, unlabelled: m.unlabelled },
      ]),
    ),
  };
}

function printTable(res: ZeroShotResult): void {
  console.log(`clustered ${res.n.toLocaleString('en-US')} rows${res.duplicates ? ` (${res.duplicates} repeated barcodes not clustered)` : ''} into ${res.clusters.toLocaleString('en-US')} clusters in ${res.seconds.total.toFixed(1)} s (UMAP ${res.seconds.umap.toFixed(1)} s, Ward ${res.seconds.ward.toFixed(1)} s)`);
  const cols = Object.entries(res.metrics);
  if (!cols.length) return;
  console.log(['label', 'classes', 'rows', 'AMI', 'ARI', 'NMI', 'homog.', 'compl.', 'V'].map((s) => s.padStart(10)).join(''));
  for (const [name, m] of cols) {
    const f = (v: number) => v.toFixed(4).padStart(10);
    console.log(name.padStart(10) + String(m.classes).padStart(10) + String(m.n).padStart(10) + f(m.ami) + f(m.ari) + f(m.nmi) + f(m.homogeneity) + f(m.completeness) + f(m.vMeasure));
    if (m.unlabelled) console.log(`${''.padStart(10)}(${m.unlabelled} rows without a ${name} label left out of its metrics)`);
  }
}

/** Writes ASSIGN.csv: one `cluster` column, one row per embedding row, in input order (atomic). */
export function writeAssignments(file: string, assignments: Int32Array): void {
  const w = createTableWriter(file, ['cluster']);
  try {
    for (let i = 0; i < assignments.length; i++) w.write([assignments[i]]);
    w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
}

const UMAP_DIMS = { min: 0 };
const NEIGHBORS = { min: 2 };
const MIN_DIST = { min: 0, max: 1 };

/** Flag values that must fit the input, checked once it is read and before any work. */
function checkAgainstInput(mats: Matrix[], files: string[], o: { umapDims: number; nNeighbors: number; nClusters?: number }): void {
  const dims = mats.reduce((s, m) => s + m.cols, 0);
  const rows = mats[0]?.rows ?? 0;
  const what = files.length === 1 ? files[0] : `the ${files.length} --embeddings together`;
  if (o.umapDims > dims) {
    throw new UsageError(`${o.umapDims} dimensions, but ${what} ${files.length === 1 ? 'has' : 'have'} ${dims}: give at most ${dims}, or --umap 0 to cluster without UMAP`, '--umap');
  }
  if (o.umapDims > 0 && o.nNeighbors >= rows) throw new UsageError(`${o.nNeighbors} neighbours, but ${what} ${files.length === 1 ? 'has' : 'have'} ${rows} rows: give fewer than ${rows}, or --umap 0`, '--neighbors');
  if (o.nClusters !== undefined && o.nClusters > rows) throw new UsageError(`${o.nClusters} clusters, but ${what} ${files.length === 1 ? 'has' : 'have'} ${rows} rows`, '--n-clusters');
}

export function registerClusterCommands(program: Command): void {
  program
    .command('cluster')
    .description('zero-shot clustering: z-score and concatenate embeddings, UMAP, Ward agglomerative clustering, AMI/ARI/NMI per label column')
    .requiredOption('--embeddings <file>', 'embeddings: 2-D float32/float64 .npy or a CSV of numbers; repeat for several modalities (z-scored, then concatenated)', collect)
    .option('--labels <file>', 'CSV/TSV of labels, one row per embedding row, in the same order', pathArg)
    .option('--label-column <name>', 'label column to evaluate (repeatable; default species); the first sets the default number of clusters', collect)
    .option('--one-per-barcode [column]', 'cluster one sample per barcode: rows repeating an earlier barcode (case, gaps and trailing N ignored) take its cluster (column default dna_barcode)')
    .option('--umap <dims>', 'UMAP output dimensions, at most the input dimension; 0 skips UMAP', intArg(UMAP_DIMS), 50)
    .option('--neighbors <n>', 'UMAP neighbours, >= 2', intArg(NEIGHBORS), 30)
    .option('--min-dist <x>', 'UMAP min_dist, 0..1', numberArg(MIN_DIST), 0)
    .option('--epochs <n>', 'UMAP epochs (default: 500 for small inputs down to 200 above 10,000 rows)', intArg({ min: 1 }))
    .option('--seed <n>', 'random seed for UMAP', intArg({ min: 0 }), 0)
    .option('--n-clusters <n>', 'number of clusters (default: classes in the first label column)', intArg({ min: 1 }))
    .option('--distance-threshold <x>', 'cut the Ward tree at this height instead of a cluster count', numberArg({ min: 0 }))
    .option('--no-zscore', 'do not z-score the embeddings (default: z-score when several are given)')
    .option('--out <file>', 'write the cluster of every row to this CSV (column `cluster`)', pathArg)
    .option('--save-reduced <file.npy>', 'save the matrix that was clustered (after z-score and UMAP, float32) to re-cluster later with --umap 0', pathArg)
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
      checkOutputPaths({ inputs: { '--embeddings': opts.embeddings, '--labels': opts.labels }, outputs: { '--out': opts.out, '--save-reduced': opts.saveReduced } });
      const umapDims = numberOption('umap', opts.umap, { integer: true, ...UMAP_DIMS }) as number;
      const nNeighbors = numberOption('neighbors', opts.neighbors, { integer: true, ...NEIGHBORS }) as number;
      const minDist = numberOption('min-dist', opts.minDist, MIN_DIST) as number;
      const nEpochs = numberOption('epochs', opts.epochs, { integer: true, min: 1 });
      const seed = numberOption('seed', opts.seed, { integer: true, min: 0 }) as number;
      const nClusters = numberOption('n-clusters', opts.nClusters, { integer: true, min: 1 });
      const distanceThreshold = numberOption('distance-threshold', opts.distanceThreshold, { min: 0 });
      const labelColumns = opts.labelColumn ?? (opts.labels ? ['species'] : []);
      if (labelColumns.length && !opts.labels) throw new UsageError('needs --labels', '--label-column');
      const barcodeColumn = opts.onePerBarcode === undefined ? undefined : opts.onePerBarcode === true ? 'dna_barcode' : String(opts.onePerBarcode);
      if (barcodeColumn && !opts.labels) throw new UsageError('needs --labels (the table holding the barcode column)', '--one-per-barcode');
      if (!opts.labels && nClusters === undefined && distanceThreshold === undefined) {
        throw new UsageError('give --labels (the number of clusters defaults to its classes), --n-clusters or --distance-threshold');
      }
      if (nClusters !== undefined && distanceThreshold !== undefined) throw new UsageError('give --n-clusters or --distance-threshold, not both', '--n-clusters');

      const mats: Matrix[] = [];
      for (const f of opts.embeddings) {
        const m = await readEmbeddings(f);
        if (mats.length && m.rows !== mats[0].rows) {
          throw new Bioscan5mError(`${f} has ${m.rows} rows but ${opts.embeddings[0]} has ${mats[0].rows}: every --embeddings must have one row per sample`);
        }
        mats.push(m);
      }
      checkAgainstInput(mats, opts.embeddings, { umapDims, nNeighbors, nClusters });
      let labels: Record<string, string[]> | undefined;
      let dedupKeys: string[] | undefined;
      if (opts.labels) {
        const wanted = [...new Set([...labelColumns, ...(barcodeColumn ? [barcodeColumn] : [])])];
        const t = await readLabels(opts.labels, wanted);
        if (t.rows !== mats[0].rows) {
          throw new Bioscan5mError(`${opts.labels} has ${t.rows} label rows but ${opts.embeddings[0]} has ${mats[0].rows} embedding rows: they must align one to one`);
        }
        labels = Object.fromEntries(labelColumns.map((c) => [c, t.columns[c]]));
        if (barcodeColumn) dedupKeys = t.columns[barcodeColumn];
      }

      const bars = { umap: progressBar('UMAP', { quiet: opts.quiet }), ward: progressBar('Ward', { quiet: opts.quiet }) };
      let res: ZeroShotResult;
      try {
        res = await zeroShotClustering({
          embeddings: mats,
          labels,
          zscore: opts.zscore === false ? false : undefined,
          umapDims,
          umap: { nNeighbors, minDist, nEpochs, seed },
          nClusters,
          distanceThreshold,
          dedupKeys,
          onProgress: (stage, d, t) => bars[stage].update(d, t),
        });
      } finally {
        bars.umap.stop();
        bars.ward.stop();
      }
      if (opts.out) writeAssignments(opts.out, res.assignments);
      if (opts.saveReduced) {
        const m = res.clustered;
        writeNpy(opts.saveReduced, m.data instanceof Float32Array ? m.data : Float32Array.from(m.data), [m.rows, m.cols]);
      }
      if (opts.json) console.log(JSON.stringify(clusterReport(res), null, 2));
      else {
        printTable(res);
        if (opts.out) console.log(`cluster of every row written to ${opts.out}`);
      }
    });
}

/**
 * Demo: 4-mer frequency vectors of the embedded BOLD barcodes (a label-free embedding computed in
 * milliseconds) clustered by Ward directly and after UMAP, evaluated against genus and species.
 */
async function runClusterDemo(ctx: { outDir: string; log(line: string): void }): Promise<void> {
  const t = await readTable(embedded.barcodes);
  const col = (name: string) => t.header.indexOf(name);
  const rows = t.rows.filter((r) => r[col('genus')] && r[col('dna_barcode')]);
  const x = kmerMatrix(rows.map((r) => r[col('dna_barcode')]));
  const labels = { genus: rows.map((r) => r[col('genus')]), species: rows.map((r) => r[col('species')]) };
  // Files a user can feed to `bioscan5m cluster` themselves.
  writeNpy(path.join(ctx.outDir, 'cluster-kmer4.npy'), Float32Array.from(x.data), [x.rows, x.cols]);
  const lw = createTableWriter(path.join(ctx.outDir, 'cluster-labels.csv'), ['processid', 'genus', 'species', 'dna_barcode']);
  for (const r of rows) lw.write([r[col('processid')], r[col('genus')], r[col('species')], r[col('dna_barcode')]]);
  lw.close();
  ctx.log(`${rows.length} embedded barcodes with a genus -> 4-mer frequency vectors (${x.cols} dims)`);
  const direct = await zeroShotClustering({ embeddings: [x], labels, umapDims: 0 });
  ctx.log(`Ward on the vectors: ${direct.clusters} clusters; AMI genus ${direct.metrics.genus.ami.toFixed(3)}, species ${direct.metrics.species.ami.toFixed(3)} (${direct.metrics.species.n} rows with a species)`);
  const viaUmap = await zeroShotClustering({ embeddings: [x], labels, umapDims: 10, umap: { nEpochs: 100, seed: 0 } });
  ctx.log(`UMAP (10 dims, 100 epochs) then Ward: AMI genus ${viaUmap.metrics.genus.ami.toFixed(3)}, species ${viaUmap.metrics.species.ami.toFixed(3)}`);
  writeAssignments(path.join(ctx.outDir, 'cluster-assignments.csv'), direct.assignments);
  writeFileAtomic(path.join(ctx.outDir, 'cluster-metrics.json'), `${JSON.stringify({ ward: clusterReport(direct), umapWard: clusterReport(viaUmap) }, null, 2)}\n`);
  ctx.log(`wrote cluster-kmer4.npy, cluster-labels.csv, cluster-assignments.csv and cluster-metrics.json to ${ctx.outDir}`);
}

/** Stages this package adds to `bioscan5m demo`. */
export const clusterDemoStages: DemoStage[] = [{ name: 'cluster', run: runClusterDemo }];
