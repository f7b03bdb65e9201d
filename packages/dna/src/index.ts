/**
 * `@bioscan5m/dna`: DNA barcode identification, BarcodeBERT-style encoders behind core's Encoder contract, and
 * the file-level jobs of the `bioscan5m dna` commands. Importing it loads neither tfjs nor onnxruntime: they are
 * optional peer dependencies, loaded by the functions that need them (MissingDependencyError names the package
 * when one is missing). Subpath entries: `@bioscan5m/dna/identify` (identification alone), `@bioscan5m/dna/model`
 * (the tfjs level, for training loops of your own).
 */

// Identification (pure JS).
export {
  runIdentifyJob,
  readReferenceFile,
  readQueryFile,
  scoreIdentifications,
  PREDICTION_COLUMNS,
  BarcodeIdentifier,
  WEAK_HIT_BELOW,
  CHANCE_MARGIN,
  cleanBarcode,
  buildIdentifyProtocol,
  defaultThreads,
  runIdentifyIndexJob,
  buildIdentifyIndex,
  writeIdentifyIndex,
  loadIdentifyIndex,
} from './identify/index.js';
export type {
  IdentifyJobOptions,
  IdentifyJobSummary,
  QueryRecord,
  RankAccuracy,
  IdentifierOptions,
  Identification,
  IdentificationStatus,
  IdentifierInfo,
  NovelSpecies,
  ReferenceRecord,
  SkippedReference,
  Lineage,
  CleanedBarcode,
  CleaningCounts,
  IdentifyProtocol,
  ProtocolRecord,
  IdentifyIndexJobOptions,
  IdentifyIndexJobSummary,
  BuildIdentifyIndexOptions,
  LoadIndexOptions,
  WriteIndexOptions,
} from './identify/index.js';

// Encoders (core's Encoder<string>).
export { createDnaEncoder } from './encoder/create.js';
export type { DnaEncoder, DnaEncoderSpec } from './encoder/create.js';
export type { OnnxDnaEncoderOptions } from './onnx/onnx-encoder.js';
export { encoderConfig } from './model/config.js';
export type { EncoderConfig } from './model/config.js';

// File-level jobs.
export {
  runPretrainJob,
  runFinetuneJob,
  runProbeJob,
  runDnaEmbedJob,
  runExportOnnxJob,
  runDnaBenchmarkJob,
  formatTable4,
} from './jobs/index.js';
export type {
  BackendName,
  TrainingEngine,
  PretrainJobOptions,
  PretrainJobSummary,
  FinetuneJobOptions,
  FinetuneJobSummary,
  ProbeJobOptions,
  ProbeJobSummary,
  ProbeMethod,
  DnaEvalSummary,
  LabelledFileReport,
  DnaEmbedJobOptions,
  DnaEmbedJobSummary,
  ExportOnnxJobOptions,
  ExportOnnxJobSummary,
  DnaBenchmarkJobOptions,
  DnaBenchmarkJobSummary,
  DnaBenchmarkRow,
} from './jobs/types.js';
export { parseRank } from './jobs/labelled.js';
export type { SequenceReport } from './data/sequences.js';

// Data, tokenizer and evaluation building blocks.
export { readBarcodes } from './data/barcodes.js';
export type { BarcodeSet, ReadBarcodesOptions } from './data/barcodes.js';
export { readFasta, looksLikeFasta } from './io/fasta.js';
export type { FastaRecord } from './io/fasta.js';
export { createKmerTokenizer, createClibdTokenizer } from './tokenizer/kmer.js';
export type { KmerTokenizer, KmerTokenizerOptions, TokenizedSequence } from './tokenizer/kmer.js';
export { classificationMetrics, accuracy, balancedAccuracy, macroF1 } from './eval/metrics.js';
export type { ClassificationMetrics } from './eval/metrics.js';
export { closedWorldSplit, openWorldSplit } from './eval/protocols.js';
export { table4Protocol } from './eval/table4-protocol.js';
export type { Table4Protocol, Table4ProtocolInput, PretrainCorpus } from './eval/table4-protocol.js';
export { kmerFrequencyMatrix } from './heads/kmer-features.js';
export type { SplitIndices } from './eval/protocols.js';
export { knnPredict, cosineNearest } from './heads/knn.js';
export type { NearestResult } from './heads/knn.js';
