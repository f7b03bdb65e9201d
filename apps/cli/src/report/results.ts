/**
 * The JSON each demo stage writes to `<out>/<stage>.json`, as the report reads it. Every stage is optional in a
 * report (`bioscan5m demo --only ...` runs a subset); fields are plain numbers and strings, so the files are
 * also the machine-readable results of the demo.
 */
import type { CleanSummary, RankStats, SplitSummary } from '@bioscan5m/core';

/** Table 2 of the paper, per rank, plus what the report draws from the same metadata. */
export interface StatsResult {
  file: string;
  rows: number;
  /** Table 2 rows: the seven ranks, dna_bin and dna_barcode. */
  table2: Record<string, RankStats>;
  /** Category sizes per taxonomic rank, largest first (at most CATEGORY_LIMIT; `others` counts the rest). */
  categories: Record<
    string,
    { categories: { name: string; count: number }[]; others: { categories: number; records: number } }
  >;
  /** Collection sites: one entry per distinct coordinate. */
  sites: { lat: number; lon: number; country: string; count: number }[];
  /** Records without usable coordinates. */
  withoutCoordinates: number;
  /** The BIOSCAN-1M sample read through the same reader (a one-line description). */
  bioscan1m: string;
}

export interface CleanResult {
  file: string;
  summary: CleanSummary;
}

export interface SplitResult {
  file: string;
  seed: number;
  summary: SplitSummary;
}

/** One method of a comparison: its accuracy (a fraction, 0..1) per task, null where it was not run. */
export interface MethodScore {
  method: string;
  /** 'ours' | 'baseline' | 'reference' (chance and the like). */
  kind: 'ours' | 'baseline' | 'reference';
  scores: Record<string, number | null>;
  note?: string;
}

export interface IdentifyResult {
  seed: number;
  reference: number;
  queries: { seen: number; unseen: number };
  speciesThreshold: number;
  /** Tasks: 'seen: species', 'seen: genus', 'unseen: genus'. */
  tasks: string[];
  methods: MethodScore[];
  novel: { seen: number; unseen: number };
  queriesPerSecond: number;
}

export interface DnaModelResult {
  quick: boolean;
  config: { k: number; layers: number; heads: number; hidden: number; intermediate?: number };
  pretrain: {
    steps: number;
    batchSize: number;
    firstLoss: number | null;
    finalLoss: number | null;
    seconds: number;
    sequences: number;
    tokensSeen: number;
  };
  finetune: { epochs: number; seconds: number };
  data: { train: number; testSeen: number; testUnseen: number };
  /** Tasks as the paper's Table 4: 'seen: species (fine-tuned)', 'seen: species (linear probe)', 'unseen: genus (1-NN)'. */
  tasks: string[];
  methods: MethodScore[];
  /** 1-NN genus accuracy of unseen species (and the MLM loss) along the pretraining. */
  curve: { steps: number; loss: number | null; knnGenus: number | null }[];
  kmerKnnGenus: number | null;
  /** Whether the learned model beats the k-mer baseline on the open-world 1-NN task, and why (not). */
  verdict: { beatsKmer: boolean; text: string };
}

export interface VisionImage {
  file: string;
  width: number;
  height: number;
  box: { x: number; y: number; width: number; height: number } | null;
  score: number | null;
  truth: { x: number; y: number; width: number; height: number }[];
  flags: string[];
  label: string;
  sizeMm2: number | null;
  /** Paths relative to the demo folder: a small copy of the photo, and the 256-px crop. */
  thumb: string;
  crop: string | null;
}

export interface VisionResult {
  images: VisionImage[];
  ap75: number;
  ar: number;
  quality: { flag: string; precision: number | null; recall: number | null; support: number }[];
}

export interface ClusterEmbeddingResult {
  embedding: string;
  dims: number;
  rows: number;
  /** Clusters per label column (Ward is cut at the column's number of classes). */
  clusters: Record<string, number>;
  /** AMI per label column (taxonomic ranks, or quality labels for the photos). */
  ami: Record<string, number>;
  note?: string;
}

export interface ClusterResult {
  results: ClusterEmbeddingResult[];
}

interface RetrievalTable {
  rows: { rank: string; k: number; set: string; micro: number | null; macro: number | null }[];
  harmonicMean?: { rank: string; k: number; micro: number | null; macro: number | null }[];
}

/**
 * What the clip stage writes (`clip-retrieval.json`): per data set ('real', 'synthetic') and query->key pair
 * ('image->dna'), the CLIBD accuracy tables (percentages) before alignment and after.
 */
export type ClipResult = Record<string, Record<string, { baseline: RetrievalTable; aligned: RetrievalTable }>>;

export interface DemoManifest {
  version: string;
  quick: boolean;
  started: string;
  seconds: number;
  stages: { name: string; seconds: number; ok: boolean }[];
}

/** Everything a report can show; each part is present when its stage ran. */
export interface DemoResults {
  manifest?: DemoManifest;
  stats?: StatsResult;
  clean?: CleanResult;
  split?: SplitResult;
  identify?: IdentifyResult;
  dnaModel?: DnaModelResult;
  vision?: VisionResult;
  cluster?: ClusterResult;
  clip?: ClipResult;
  /** Images referenced by the results, as data: URIs keyed by their relative path. */
  images: Record<string, string>;
}

/** Stage names -> fields of DemoResults. */
export const RESULT_FILES = {
  manifest: 'demo.json',
  stats: 'stats.json',
  clean: 'clean.json',
  split: 'split.json',
  identify: 'dna-identify.json',
  dnaModel: 'dna-model.json',
  vision: 'vision.json',
  cluster: 'cluster.json',
  clip: 'clip-retrieval.json',
} as const;

export const CATEGORY_LIMIT = 40;
