/**
 * What the service identifies with: one identifier (a loaded index, or one built from a reference file at
 * start-up; see openIdentifier), shared by every request. `ServiceIdentifier` is all the service needs of it.
 */
import type { CleanedBarcode } from '../identify/clean.js';
import type { Identification, IdentifierInfo, NovelSpecies } from '../identify/identifier.js';

/** The identifier interface the service uses (BarcodeIdentifier has it). */
export interface ServiceIdentifier {
  readonly info: Pick<
    IdentifierInfo,
    'referenceRecords' | 'referenceBarcodes' | 'k' | 'speciesThreshold' | 'thresholdSource' | 'indexFile'
  >;
  /** Species of a query called novel: the nearest in its genus, or empty (open world); reported by /health. */
  readonly novelSpecies?: NovelSpecies;
  /** Worker threads searching (0: the calling thread). */
  readonly threads: number;
  /** Identifies in input order; safe to call concurrently (the workers take batches from one queue). */
  identifyManyAsync(barcodes: readonly CleanedBarcode[]): Promise<Identification[]>;
  close(): Promise<void>;
}
