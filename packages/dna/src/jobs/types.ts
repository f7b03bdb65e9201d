/**
 * Options and summaries of the file-level DNA jobs (`run<Task>Job(options)`), free of engine types so that the
 * package's main entry and its .d.ts load without tfjs or onnxruntime.
 */
import type { JobControl, TaxonomicRank } from '@bioscan5m/core';
import type { EncoderConfig, PretrainOptions } from '../model/config.js';
import type { ClassificationMetrics } from '../eval/metrics.js';
import type { SequenceReport } from '../data/sequences.js';
import type { DnaEncoderSpec } from '../encoder/create.js';

/** A tfjs backend: 'tensorflow' (tfjs-node, when installed), 'wasm' or 'cpu'; default: the best that loads. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface PretrainJobOptions extends Omit<PretrainOptions, 'sequences' | 'onProgress' | 'onStep'>, JobControl {
  /** Barcodes CSV/TSV with a dna_barcode column. */
  data: string;
  /**
   * 'onnx': the generated ONNX training step in onnxruntime-node on every core (default when
   * onnxruntime-node and onnx-proto load); 'tfjs': the tfjs model (default when they do not, or with `backend`).
   */
  engine?: TrainingEngine;
  /** onnxruntime intra-op threads (default: every core). */
  threads?: number;
  /** tfjs backend (implies engine 'tfjs' unless engine says otherwise). */
  backend?: BackendName;
}

export type TrainingEngine = 'onnx' | 'tfjs';

export interface PretrainJobSummary {
  /** What ran the steps: 'onnxruntime-node cpu, 2 threads', 'tfjs wasm', ... */
  backend: string;
  data: string;
  sequences: SequenceReport;
  config: EncoderConfig;
  steps: number;
  startStep: number;
  batchSize: number;
  firstLoss: number | null;
  finalLoss: number | null;
  sequencesPerSecond: number | null;
  seconds: number;
  checkpoint: string | null;
}

export interface FinetuneJobOptions extends JobControl {
  /** Pretrained encoder checkpoint (from runPretrainJob). */
  checkpoint: string;
  train: string;
  test?: string;
  rank?: TaxonomicRank;
  /** Fine-tuned checkpoint (encoder + classifier head). */
  out: string;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate of the encoder (older name of encoderLr; encoderLr wins). */
  maxLr?: number;
  /** Peak learning rate of the encoder (default 3e-4). */
  encoderLr?: number;
  /** Peak learning rate of the classifier head (default 1e-3). */
  headLr?: number;
  /** Start the head from a linear probe on the frozen encoder (LP-FT; default true). */
  linearInit?: boolean;
  seed?: number;
  backend?: BackendName;
}

/** Where a labelled file's rows went: used, or left out (no usable sequence, no label at the rank). */
export interface LabelledFileReport {
  rows: number;
  /** Rows left out: no usable sequence, or no label at the rank. */
  skipped: number;
  sequences: SequenceReport;
}

export interface DnaEvalSummary {
  backend: string;
  method: 'finetune' | ProbeMethod;
  rank: TaxonomicRank;
  train: LabelledFileReport & { classes: number };
  test: (LabelledFileReport & { unseenClasses: number }) | null;
  metrics: ClassificationMetrics | null;
  seconds: number;
}

export type FinetuneJobSummary = DnaEvalSummary & { out: string };

export type ProbeMethod = 'linear' | 'knn' | 'finetuned' | 'cnn';

export type ProbeJobOptions = JobControl & {
  train: string;
  test: string;
  /** 'linear' (frozen encoder + softmax regression), 'knn' (cosine 1-NN), 'finetuned' (a finetune checkpoint's head), 'cnn' (baseline). */
  method: ProbeMethod;
  /** The encoder; not needed for 'cnn'. For 'finetuned', the fine-tuned checkpoint. */
  encoder?: DnaEncoderSpec;
  rank?: TaxonomicRank;
  epochs?: number;
  seed?: number;
  backend?: BackendName;
};

export type ProbeJobSummary = DnaEvalSummary;

export type DnaEmbedJobOptions = JobControl & {
  encoder: DnaEncoderSpec;
  /** Barcodes CSV/TSV with a dna_barcode column. */
  data: string;
  /** Output .npy [rows, dim] float32. */
  out: string;
  backend?: BackendName;
};

export interface DnaEmbedJobSummary {
  encoder: string;
  /** 'onnxruntime' or the tfjs backend. */
  engine: string;
  rows: number;
  dim: number;
  sequences: SequenceReport;
  out: string;
  seconds: number;
}

export interface ExportOnnxJobOptions {
  checkpoint: string;
  /** Output .onnx. */
  out: string;
}

export interface ExportOnnxJobSummary {
  out: string;
  config: EncoderConfig;
  bytes: number;
}

/** One row of the Table 4 layout; accuracies are 0..1, null where the method has no such column. */
export interface DnaBenchmarkRow {
  method: string;
  kind: 'ours' | 'baseline' | 'reference';
  /** Species of the seen test set after supervised training (fine-tuning; for CNN/BLAST/identify: their own). */
  finetuned: number | null;
  /** Species of the seen test set, softmax regression on frozen embeddings. */
  linearProbe: number | null;
  /** Genus of unseen species, cosine 1-NN on embeddings (BLAST/identify: top hit's genus). */
  knnGenus: number | null;
  /** Training time, by part, in seconds (e.g. { pretrain: 900, finetune: 300 }). */
  seconds: Record<string, number>;
  note?: string;
}

export interface DnaBenchmarkJobOptions extends JobControl {
  /** Barcodes CSV/TSV with dna_barcode, species and genus columns (the shared coi_barcodes.csv). */
  data: string;
  /** Working folder: split files, checkpoints, the resume state, table4.md and table4.json. */
  outDir: string;
  /** Encoder to pretrain (default k=4, 2 layers, 2 heads, hidden 64, feed-forward 256). */
  config?: Partial<EncoderConfig>;
  /**
   * Probe a given ONNX encoder instead of pretraining one (e.g. the published BarcodeBERT exported with
   * scripts/export-barcodebert-onnx.py; give its k-mer length): linear and 1-NN probes, no fine-tuning.
   */
  onnx?: { model: string; k?: number };
  /** Pretraining steps (default 1,200) of `batchSize` barcodes (default 32), peak lr `maxLr` (default 1e-3). */
  pretrainSteps?: number;
  batchSize?: number;
  maxLr?: number;
  /** 1-NN probes along the pretraining (the learning curve; default 4). */
  curvePoints?: number;
  /** 'paper' (pretrain + other_heldout partitions, default) or 'non-test' (every barcode outside the test sets). */
  pretrainOn?: 'paper' | 'non-test';
  /** Fine-tuning recipe (defaults: FINETUNE_DEFAULTS of @bioscan5m/dna/model). */
  finetuneEpochs?: number;
  encoderLr?: number;
  headLr?: number;
  warmupFraction?: number;
  linearEpochs?: number;
  cnnEpochs?: number;
  seed?: number;
  /** Parts to leave out (their cells are empty). */
  skip?: ('cnn' | 'finetune' | 'identify')[];
  /** Rows measured elsewhere on this run's split files (the bench script's BLAST), put into the table. */
  extraRows?: DnaBenchmarkRow[];
  /** Start over, discarding a previous run's state in outDir (default: resume it). */
  fresh?: boolean;
  backend?: BackendName;
  /** Pretraining engine (runPretrainJob's; default onnxruntime when installed). */
  engine?: TrainingEngine;
  /** One line per finished part. */
  onLog?: (line: string) => void;
}

export interface DnaBenchmarkJobSummary {
  backend: string;
  rows: DnaBenchmarkRow[];
  protocol: {
    pretrain: number;
    train: number;
    test: number;
    keys: number;
    queries: number;
    trainSpecies: number;
    pretrainOn: 'paper' | 'non-test';
  };
  /** The pretrained encoder's configuration; null when an ONNX encoder was probed. */
  config: EncoderConfig | null;
  pretrain: {
    steps: number;
    batchSize: number;
    seconds: number;
    /** Masked-token loss of the last step of each stretch between curve points, with the 1-NN genus accuracy after it. */
    curve: { step: number; loss: number; knnGenus: number | null; seconds: number }[];
    firstLoss: number | null;
  };
  finetune: { epochs: number; encoderLr: number; headLr: number; epochLosses: number[] } | null;
  /** Parts taken from a previous, interrupted run. */
  resumed: string[];
  markdown: string;
  json: string;
  /** Split files (CSV, the input's columns) the bench script runs BLAST on. */
  splitFiles: { train: string; test: string; keys: string; queries: string; pretrain: string };
  seconds: number;
}
