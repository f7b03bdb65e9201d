/**
 * `@bioscan5m/dna/identify`: barcode identification, pure JavaScript. Loads neither tfjs nor onnxruntime (a
 * test checks), so it works with neither installed.
 */
export { runIdentifyJob, readReferenceFile, readQueryFile, scoreIdentifications, PREDICTION_COLUMNS } from './files.js';
export type { IdentifyJobOptions, IdentifyJobSummary, QueryRecord, RankAccuracy } from './files.js';
export { BarcodeIdentifier, WEAK_HIT_BELOW, CHANCE_MARGIN } from './identifier.js';
export type { IdentifierOptions, Identification, IdentificationStatus, IdentifierInfo } from './identifier.js';
export type { ReferenceRecord, SkippedReference, Lineage } from './reference.js';
export { cleanBarcode } from './clean.js';
export type { CleanedBarcode, CleaningCounts } from './clean.js';
export { buildIdentifyProtocol } from './protocol.js';
export type { IdentifyProtocol, ProtocolRecord } from './protocol.js';
export { defaultThreads } from './search-pool.js';
