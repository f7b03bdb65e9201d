// Retrieval: one search interface (built-in exact search or faiss-node), accuracy as CLIBD reports it.
export type { SearchBackend, SearchHits, SearchIndex } from './retrieval/search-index.js';
export { ExactSearchIndex } from './retrieval/exact-search.js';
export { FaissSearchIndex } from './retrieval/faiss-search.js';
export { createSearchIndex, type SearchIndexOptions } from './retrieval/create-index.js';
export { TopK } from './retrieval/topk.js';
export { l2Normalize, l2NormalizeInPlace } from './retrieval/normalize.js';
export {
  DEFAULT_KS,
  DEFAULT_RANKS,
  harmonic,
  retrievalAccuracy,
  type AccuracyRow,
  type HarmonicRow,
  type QuerySet,
  type RetrievalAccuracy,
  type RetrievalAccuracyInput,
} from './retrieval/accuracy.js';
export { runClipEvalJob, type ClipEvalJobOptions, type ClipEvalJobSummary } from './retrieval/eval-job.js';
export { readEmbeddingsNpy, writeEmbeddingsNpy } from './io/embeddings-file.js';
export { querySetsOf, readRetrievalLabels, type RetrievalLabels } from './io/labels-file.js';
// Encoders (core's Encoder contract) and the taxonomy text they read.
export { createTextEncoder, type TextEncoderSpec } from './encoders/text-encoder.js';
export {
  createWordPieceTokenizer,
  readVocab,
  type TokenBatch,
  type WordPieceOptions,
  type WordPieceTokenizer,
} from './text/wordpiece.js';
export { buildWordVocab } from './text/word-vocab.js';
export { NOT_CLASSIFIED, TEXT_RANKS, taxonomyText, type TaxonomyRecord } from './text/taxonomy-text.js';
// Alignment: projection heads over frozen encoder features, symmetric InfoNCE, checkpoints, embedding.
export { runClipLoraJob, trainClip } from './train/train-clip.js';
export type { ClipLoraJobOptions, ClipLoraJobSummary } from './train/lora-job.js';
export { defaultPairs, type ClipTrainOptions, type ClipTrainResult, type ModalityPair } from './train/types.js';
export {
  initHeads,
  project,
  INIT_LOGIT_SCALE,
  MAX_LOGIT_SCALE,
  type ClipHeads,
  type HeadShape,
} from './train/heads.js';
export { loadClipCheckpoint, saveClipCheckpoint, type ClipCheckpoint } from './train/checkpoint.js';
export { batchAt, checkPaired, pairBySpecies, selectRows, type PairedFeatures } from './train/paired-data.js';
export { syntheticPairs, type SyntheticPairsOptions } from './train/synthetic-pairs.js';
export { taxonomyTexts, textFeatures, type TextFeatureSpec } from './train/text-features.js';
export {
  runClipEmbedJob,
  runClipTrainJob,
  type ClipEmbedJobOptions,
  type ClipEmbedJobSummary,
  type ClipTrainJobOptions,
  type ClipTrainJobSummary,
} from './train/jobs.js';
export { writePairedFiles, type PairedFiles } from './io/paired-files.js';
export { splitBySpecies, type SpeciesSplitOptions } from './train/species-split.js';
export { evaluateHeads, type EvaluateHeadsOptions } from './retrieval/evaluate-heads.js';
export { OnnxSearchIndex } from './retrieval/onnx-search.js';
export { encodeAll } from './encoders/encode-all.js';
