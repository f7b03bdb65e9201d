/**
 * `@bioscan5m/cluster`: the zero-shot clustering protocol of BIOSCAN-5M (z-score, UMAP, Ward, AMI per rank) on
 * core's Embeddings, and its building blocks. Every Embeddings (what an encoder returns) is a Matrix here.
 */

// The protocol and its file-level job.
export {
  zeroShotClustering,
  type ZeroShotOptions,
  type ZeroShotResult,
  type ZeroShotStage,
  type LabelScores,
} from './zero-shot.js';
export {
  runClusterJob,
  clusterReport,
  writeAssignments,
  type ClusterJobOptions,
  type ClusterJobSummary,
  type ClusterReport,
} from './job.js';

// Inputs.
export { readEmbeddings, readLabels, type LabelTable } from './io.js';
export { kmerFrequencies, kmerMatrix } from './kmer.js';

// Building blocks.
export { zscoreColumns, concatColumns, type Matrix } from './matrix.js';
export { umapReduce, type UmapOptions } from './umap.js';
export {
  wardClustering,
  wardLinkage,
  cutTree,
  clustersForThreshold,
  type Linkage,
  type WardOptions,
  type WardClusteringOptions,
  type WardResult,
} from './ward.js';
export {
  clusteringScores,
  adjustedMutualInfo,
  adjustedRandIndex,
  normalizedMutualInfo,
  type ClusteringScores,
} from './metrics.js';
