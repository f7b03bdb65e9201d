/**
 * `@bioscan5m/dna/identify`: barcode identification, pure JavaScript. Loads neither tfjs nor onnxruntime (a
 * test checks), so it works with neither installed.
 */
export {
  runIdentifyJob,
  openIdentifier,
  readReferenceFile,
  iterateReferenceFile,
  readReferenceSet,
  readQueryFile,
  scoreIdentifications,
  PREDICTION_COLUMNS,
} from './files.js';
export type {
  IdentifyJobOptions,
  IdentifyJobSummary,
  OpenIdentifierOptions,
  QueryRecord,
  RankAccuracy,
} from './files.js';
export { BarcodeIdentifier, WEAK_HIT_BELOW, CHANCE_MARGIN, SCORING_VERSION, BUILD_OPTION_KEYS } from './identifier.js';
export type {
  IdentifierOptions,
  IdentifierBuildOptions,
  IdentifierCalibration,
  Identification,
  IdentificationStatus,
  IdentifierInfo,
  NovelSpecies,
} from './identifier.js';
export { buildIdentifyIndex, runIdentifyIndexJob } from './index-job.js';
export type { BuildIdentifyIndexOptions, IdentifyIndexJobOptions, IdentifyIndexJobSummary } from './index-job.js';
export { writeIdentifyIndex, loadIdentifyIndex, indexFingerprint, INDEX_FORMAT_VERSION } from './index-file.js';
export type { WriteIndexOptions, LoadIndexOptions } from './index-file.js';
export { buildReferenceSet, ReferenceSetBuilder } from './reference.js';
export type { ReferenceRecord, ReferenceSet, ReferenceOptions, SkippedReference, Lineage } from './reference.js';
export { cleanBarcode } from './clean.js';
export type { CleanedBarcode, CleaningCounts } from './clean.js';
export { buildIdentifyProtocol } from './protocol.js';
export type { IdentifyProtocol, ProtocolRecord } from './protocol.js';
export { defaultThreads } from './search-pool.js';
