/**
 * runClusterJob (`bioscan5m cluster`): embedding files (or matrices) and a label table in, the zero-shot
 * clustering protocol run, the cluster of every row (CSV), the clustered matrix (.npy) and a JSON-ready report out.
 */
import {
  Bioscan5mError,
  checkOutputPaths,
  createTableWriter,
  UsageError,
  writeNpy,
  type JobControl,
} from '@bioscan5m/core';
import { readEmbeddings, readLabels } from './io.js';
import type { Matrix } from './matrix.js';
import type { UmapOptions } from './umap.js';
import { zeroShotClustering, type ZeroShotResult, type ZeroShotStage } from './zero-shot.js';

export interface ClusterJobOptions extends JobControl {
  /** One per modality, rows aligned: .npy / CSV files, or matrices (core Embeddings). */
  embeddings: readonly (string | Matrix)[];
  /** CSV/TSV of labels, one row per embedding row, in the same order. */
  labels?: string;
  /** Label columns to evaluate (default ['species'] with a labels table); the first sets the default cluster count. */
  labelColumns?: readonly string[];
  /** Cluster one sample per barcode, this column of the labels table holding it (see zeroShotClustering). */
  barcodeColumn?: string;
  /** Z-score each modality (default: when there are several). */
  zscore?: boolean;
  /** UMAP output dimensions; 0 clusters without UMAP. Default 50. */
  umapDims?: number;
  umap?: Omit<UmapOptions, 'nComponents' | 'onProgress'>;
  nClusters?: number;
  distanceThreshold?: number;
  /** Writes the cluster of every input row here (CSV, one `cluster` column), atomically. */
  out?: string;
  /** Writes the matrix Ward clustered (float32 .npy) here, to re-cluster later without UMAP. */
  saveReduced?: string;
  onStage?: (stage: ZeroShotStage) => void;
}

/** The JSON report of a clustering: sizes, seconds and the metrics per label column. */
export interface ClusterReport {
  n: number;
  rows: number;
  duplicates: number;
  clusters: number;
  seconds: number;
  stageSeconds: Record<string, number>;
  metrics: Record<
    string,
    {
      classes: number;
      ami: number;
      ari: number;
      nmi: number;
      homogeneity: number;
      completeness: number;
      vMeasure: number;
      n: number;
      unlabelled: number;
    }
  >;
}

export interface ClusterJobSummary {
  result: ZeroShotResult;
  report: ClusterReport;
  /** Files written (out, saveReduced). */
  written: string[];
}

const round3 = (v: number) => Number(v.toFixed(3));

export function clusterReport(res: ZeroShotResult): ClusterReport {
  return {
    n: res.n,
    rows: res.rows,
    duplicates: res.duplicates,
    clusters: res.clusters,
    seconds: round3(res.seconds.total),
    stageSeconds: Object.fromEntries(Object.entries(res.seconds).map(([k, v]) => [k, round3(v)])),
    metrics: Object.fromEntries(
      Object.entries(res.metrics).map(([col, m]) => [
        col,
        {
          classes: m.classes,
          ami: m.ami,
          ari: m.ari,
          nmi: m.nmi,
          homogeneity: m.homogeneity,
          completeness: m.completeness,
          vMeasure: m.vMeasure,
          n: m.n,
          unlabelled: m.unlabelled,
        },
      ]),
    ),
  };
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

const nameOf = (e: string | Matrix, i: number) => (typeof e === 'string' ? e : `embeddings ${i + 1}`);

export async function runClusterJob(opts: ClusterJobOptions): Promise<ClusterJobSummary> {
  const labelColumns = opts.labelColumns ?? (opts.labels ? ['species'] : []);
  if (!opts.embeddings.length) throw new UsageError('give at least one embeddings file', 'embeddings');
  if (labelColumns.length && !opts.labels) throw new UsageError('needs a labels table', 'labelColumns');
  if (opts.barcodeColumn && !opts.labels)
    throw new UsageError('needs a labels table (the table holding the barcode column)', 'barcodeColumn');
  if (!opts.labels && opts.nClusters === undefined && opts.distanceThreshold === undefined) {
    throw new UsageError(
      'give a labels table (the number of clusters defaults to its classes), a number of clusters or a distance threshold',
    );
  }
  if (opts.nClusters !== undefined && opts.distanceThreshold !== undefined)
    throw new UsageError('give a number of clusters or a distance threshold, not both', 'nClusters');

  const files = opts.embeddings.filter((e): e is string => typeof e === 'string');
  checkOutputPaths({
    inputs: { embeddings: files, labels: opts.labels },
    outputs: { out: opts.out, saveReduced: opts.saveReduced },
  });
  const mats: Matrix[] = [];
  for (const [i, e] of opts.embeddings.entries()) {
    const m = typeof e === 'string' ? await readEmbeddings(e) : e;
    if (mats.length && m.rows !== mats[0].rows) {
      throw new Bioscan5mError(
        `${nameOf(e, i)} has ${m.rows} rows but ${nameOf(opts.embeddings[0], 0)} has ${mats[0].rows}: every embeddings input must have one row per sample`,
        'BIOSCAN5M_INPUT',
      );
    }
    mats.push(m);
  }
  let labels: Record<string, string[]> | undefined;
  let dedupKeys: string[] | undefined;
  if (opts.labels) {
    const wanted = [...new Set([...labelColumns, ...(opts.barcodeColumn ? [opts.barcodeColumn] : [])])];
    const t = await readLabels(opts.labels, wanted);
    if (t.rows !== mats[0].rows) {
      throw new Bioscan5mError(
        `${opts.labels} has ${t.rows} label rows but ${nameOf(opts.embeddings[0], 0)} has ${mats[0].rows} embedding rows: they must align one to one`,
        'BIOSCAN5M_INPUT',
      );
    }
    labels = Object.fromEntries(labelColumns.map((c) => [c, t.columns[c]]));
    if (opts.barcodeColumn) dedupKeys = t.columns[opts.barcodeColumn];
  }

  const result = await zeroShotClustering({
    embeddings: mats,
    labels,
    zscore: opts.zscore,
    umapDims: opts.umapDims,
    umap: opts.umap,
    nClusters: opts.nClusters,
    distanceThreshold: opts.distanceThreshold,
    dedupKeys,
    onProgress: opts.onProgress,
    onStage: opts.onStage,
    signal: opts.signal,
  });
  const written: string[] = [];
  if (opts.out) {
    writeAssignments(opts.out, result.assignments);
    written.push(opts.out);
  }
  if (opts.saveReduced) {
    const m = result.clustered;
    writeNpy(opts.saveReduced, m.data instanceof Float32Array ? m.data : Float32Array.from(m.data), [m.rows, m.dim]);
    written.push(opts.saveReduced);
  }
  return { result, report: clusterReport(result), written };
}
