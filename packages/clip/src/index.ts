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
export { createWordPieceTokenizer, readVocab, type TokenBatch, type WordPieceOptions, type WordPieceTokenizer } from './text/wordpiece.js';
export { buildWordVocab } from './text/word-vocab.js';
export { NOT_CLASSIFIED, TEXT_RANKS, taxonomyText, type TaxonomyRecord } from './text/taxonomy-text.js';
