/**
 * The zero-shot clustering protocol of the BIOSCAN-5M paper (Lowe et al.): embeddings of one or more modalities
 * -> element-wise z-score per modality and concatenation -> UMAP to 50 dimensions -> Ward agglomerative
 * clustering with as many clusters as true classes -> AMI, ARI, NMI, homogeneity, completeness and V-measure
 * per label column (taxonomic rank or BIN).
 */
import { barcodeKey, Bioscan5mError, throwIfAborted, UsageError, type JobControl } from '@bioscan5m/core';
import { type Matrix, concatColumns, selectRows, zscoreColumns } from './matrix.js';
import { type ClusteringScores, clusteringScores } from './metrics.js';
import { type UmapOptions, umapReduce } from './umap.js';
import { clustersForThreshold, cutTree, wardLinkage } from './ward.js';

export type ZeroShotStage = 'umap' | 'ward';

export interface ZeroShotOptions extends JobControl {
  /** One matrix per modality, rows aligned. */
  embeddings: Matrix[];
  /** Label columns (e.g. species, genus, dna_bin), one value per row; '' = unlabelled (left out of metrics). */
  labels?: Record<string, readonly string[]>;
  /** Z-score each modality before concatenating (default: when there are several). */
  zscore?: boolean;
  /** UMAP output dimensions; 0 clusters the (standardised) embeddings directly. Default 50. */
  umapDims?: number;
  umap?: Omit<UmapOptions, 'nComponents' | 'onProgress'>;
  /** Number of clusters; default: distinct labels of the first label column among clustered rows. */
  nClusters?: number;
  /** sklearn's distance_threshold (overrides nClusters). */
  distanceThreshold?: number;
  /**
   * One sample per barcode: the DNA barcode of each row. Rows are the same barcode when core's barcodeKey
   * (case, gaps and trailing N ignored: the reference's rstrip("N")) agrees; only the first row of each barcode is
   * clustered and evaluated, later rows take its cluster in the assignments; rows without a barcode are kept.
   */
  dedupKeys?: readonly string[];
  /** Called as each stage starts; onProgress then reports that stage's progress. */
  onStage?: (stage: ZeroShotStage) => void;
}

export interface LabelScores extends ClusteringScores {
  /** Rows evaluated (clustered rows with a label in this column). */
  n: number;
  /** Clustered rows left out for an empty label. */
  unlabelled: number;
}

export interface ZeroShotResult {
  /** Rows clustered (after one-sample-per-barcode). */
  n: number;
  /** Input rows. */
  rows: number;
  /** Rows not clustered because an earlier row had the same barcode key. */
  duplicates: number;
  clusters: number;
  /** Cluster of every input row, in input order. */
  assignments: Int32Array;
  metrics: Record<string, LabelScores>;
  /** The matrix Ward clustered (after z-scoring, one-per-barcode and UMAP): save it to re-cluster without UMAP. */
  clustered: Matrix;
  /** Wall time per stage and in total. */
  seconds: { umap: number; ward: number; metrics: number; total: number };
}

export async function zeroShotClustering(opts: ZeroShotOptions): Promise<ZeroShotResult> {
  const t0 = performance.now();
  const mods = opts.embeddings;
  if (mods.length === 0) throw new Bioscan5mError('no embeddings given');
  const rows = mods[0].rows;
  mods.forEach((m, i) => {
    if (m.rows !== rows)
      throw new Bioscan5mError(`embeddings ${i + 1} has ${m.rows} rows but embeddings 1 has ${rows}`);
  });
  const labels = opts.labels ?? {};
  for (const [name, col] of Object.entries(labels)) {
    if (col.length !== rows)
      throw new Bioscan5mError(`label column '${name}' has ${col.length} rows but the embeddings have ${rows}`);
  }
  if (opts.dedupKeys && opts.dedupKeys.length !== rows) {
    throw new Bioscan5mError(`barcode column has ${opts.dedupKeys.length} rows but the embeddings have ${rows}`);
  }

  // One sample per barcode: representative row of every input row.
  const rep = new Int32Array(rows);
  const kept: number[] = [];
  if (opts.dedupKeys) {
    const first = new Map<string, number>();
    for (let i = 0; i < rows; i++) {
      const k = barcodeKey(opts.dedupKeys[i]);
      const f = k === '' ? undefined : first.get(k);
      if (f === undefined) {
        if (k !== '') first.set(k, kept.length);
        rep[i] = kept.length;
        kept.push(i);
      } else rep[i] = f;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      rep[i] = i;
      kept.push(i);
    }
  }
  const n = kept.length;
  const zscore = opts.zscore ?? mods.length > 1;
  let x = concatColumns(mods.map((m) => (zscore ? zscoreColumns(m) : m)));
  if (n !== rows) x = selectRows(x, kept);

  let nClusters = opts.nClusters;
  const labelNames = Object.keys(labels);
  if (nClusters === undefined && opts.distanceThreshold === undefined) {
    if (labelNames.length === 0)
      throw new Bioscan5mError('give the number of clusters or a label column to take it from');
    const distinct = new Set<string>();
    for (const i of kept) if (labels[labelNames[0]][i] !== '') distinct.add(labels[labelNames[0]][i]);
    if (distinct.size === 0)
      throw new Bioscan5mError(`label column '${labelNames[0]}' is empty: give the number of clusters`);
    nClusters = distinct.size;
  }
  if (nClusters !== undefined && (nClusters < 1 || nClusters > n)) {
    throw new UsageError(`between 1 and the number of rows clustered (${n}), got ${nClusters}`, 'nClusters');
  }
  const dims = opts.umapDims ?? 50;
  if (dims > 0) {
    if (dims > x.dim)
      throw new UsageError(
        `${dims} UMAP dimensions, but the embeddings have ${x.dim}: give at most ${x.dim}, or 0 to cluster without UMAP`,
        'umapDims',
      );
    const k = opts.umap?.nNeighbors ?? 30;
    if (k >= n)
      throw new UsageError(
        `${k} UMAP neighbours, but ${n} rows are clustered: give fewer than ${n}, or skip UMAP`,
        'nNeighbors',
      );
  }

  const t1 = performance.now();
  if (dims > 0) {
    throwIfAborted(opts.signal);
    opts.onStage?.('umap');
    x = await umapReduce(x, {
      ...opts.umap,
      nComponents: dims,
      onProgress: (d, t) => {
        opts.onProgress?.(d, t);
        throwIfAborted(opts.signal);
      },
    });
  }
  const t2 = performance.now();
  throwIfAborted(opts.signal);
  opts.onStage?.('ward');
  const tree = wardLinkage(x, { onProgress: opts.onProgress });
  const k =
    opts.distanceThreshold !== undefined ? clustersForThreshold(tree, opts.distanceThreshold) : (nClusters as number);
  const clusterOfKept = cutTree(tree, k);
  const assignments = new Int32Array(rows);
  for (let i = 0; i < rows; i++) assignments[i] = clusterOfKept[rep[i]];
  const t3 = performance.now();

  const metrics: Record<string, LabelScores> = {};
  for (const name of labelNames) {
    const col = labels[name];
    const truth: string[] = [];
    const pred: number[] = [];
    for (let r = 0; r < n; r++) {
      const v = col[kept[r]];
      if (v === '') continue;
      truth.push(v);
      pred.push(clusterOfKept[r]);
    }
    const scores = clusteringScores(truth, pred);
    metrics[name] = { ...scores, n: truth.length, unlabelled: n - truth.length };
  }
  const t4 = performance.now();
  const s = (a: number, b: number) => (b - a) / 1000;
  return {
    n,
    rows,
    duplicates: rows - n,
    clusters: k,
    assignments,
    metrics,
    clustered: x,
    seconds: { umap: s(t1, t2), ward: s(t2, t3), metrics: s(t3, t4), total: s(t0, t4) },
  };
}
