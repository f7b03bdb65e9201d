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
  maxLr?: number;
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
