/**
 * What the service identifies with: an identifier opened once from a reference file (index and calibration built
 * at start-up), shared by every request. `ServiceIdentifier` is all the service needs of it.
 */
import { Bioscan5mError } from '@bioscan5m/core';
import type { CleanedBarcode } from '../identify/clean.js';
import { readReferenceFile } from '../identify/files.js';
import {
  BarcodeIdentifier,
  type Identification,
  type IdentifierInfo,
  type IdentifierOptions,
} from '../identify/identifier.js';

/** The identifier interface the service uses (BarcodeIdentifier has it). */
export interface ServiceIdentifier {
  readonly info: Pick<
    IdentifierInfo,
    'referenceRecords' | 'referenceBarcodes' | 'k' | 'speciesThreshold' | 'thresholdSource'
  >;
  /** Worker threads searching (0: the calling thread). */
  readonly threads: number;
  /** Identifies in input order; safe to call concurrently (the workers take batches from one queue). */
  identifyManyAsync(barcodes: readonly CleanedBarcode[]): Promise<Identification[]>;
  close(): Promise<void>;
}

export interface IdentifierSource {
  /** Labelled reference CSV/TSV (as `dna identify --reference`): the index is built when the service starts. */
  reference: string;
}

export interface OpenIdentifierOptions extends Omit<IdentifierOptions, 'threads' | 'onProgress'> {
  /** Worker threads (default 1: the calling thread). */
  workers?: number;
  /** Progress of the calibration on the reference. */
  onProgress?: (done: number, total: number) => void;
}

/** Opens the identifier the service shares between requests; answers equal `dna identify` with the same options. */
export async function openIdentifier(
  source: IdentifierSource,
  opts: OpenIdentifierOptions = {},
): Promise<ServiceIdentifier> {
  const { workers, ...options } = opts;
  const refs = await readReferenceFile(source.reference);
  try {
    return await BarcodeIdentifier.buildAsync(refs, { ...options, threads: workers ?? 1 });
  } catch (err) {
    if (err instanceof RangeError) throw new Bioscan5mError(`${source.reference}: ${err.message}`);
    throw err;
  }
}
