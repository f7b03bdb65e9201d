/**
 * `runIdentifyIndexJob`: reference file -> saved identification index (index-file.ts). The reference is streamed
 * (records are not held, only distinct barcodes and interned lineages), the k-mer index built and the calibration
 * learned once, and the file written atomically.
 */
import { Bioscan5mError, checkOutputPaths, type JobControl, type ProgressCallback } from '@bioscan5m/core';
import { withAbort } from '../abort.js';
import { readReferenceSet } from './files.js';
import { BarcodeIdentifier, type IdentifierBuildOptions, type IdentifierInfo } from './identifier.js';
import { writeIdentifyIndex } from './index-file.js';

export interface BuildIdentifyIndexOptions extends IdentifierBuildOptions, JobControl {
  /** Worker threads for the leave-one-out calibration searches (default 1). */
  threads?: number;
  /** Progress of reading the reference (bytes). */
  onReadProgress?: ProgressCallback;
  /** Progress of the calibration (onProgress: leave-one-out searches). */
  onProgress?: ProgressCallback;
}

/**
 * Reads `reference` (a labelled CSV/TSV, streamed) and builds an identifier from it: the identifier that
 * writeIdentifyIndex saves, and that `runIdentifyJob({ reference })` builds for one run.
 */
export async function buildIdentifyIndex(
  reference: string,
  opts: BuildIdentifyIndexOptions = {},
): Promise<BarcodeIdentifier> {
  const t0 = performance.now();
  const ref = await readReferenceSet(reference, {
    minBases: opts.minBases,
    onProgress: opts.onReadProgress,
    signal: opts.signal,
  });
  const { onProgress, signal, onReadProgress: _, ...build } = opts;
  try {
    const id = await BarcodeIdentifier.buildAsync(ref, { ...build, onProgress: withAbort(signal, onProgress) }, t0);
    await id.close();
    return id;
  } catch (err) {
    if (err instanceof RangeError) throw new Bioscan5mError(`${reference}: ${err.message}`);
    throw err;
  }
}

export interface IdentifyIndexJobOptions extends BuildIdentifyIndexOptions {
  /** Labelled reference CSV/TSV: dna_barcode and rank columns phylum..species (record_id optional). */
  reference: string;
  /** The index file to write (atomically). */
  out: string;
  /** Progress of writing the file (bytes). */
  onWriteProgress?: ProgressCallback;
}

export interface IdentifyIndexJobSummary {
  reference: Omit<IdentifierInfo, 'skipped'>;
  /** Reference rows not used, with reasons (first 20). */
  referenceSkipped: { id: string; reason: string }[];
  out: string;
  bytes: number;
  seconds: number;
}

/** Reference file -> index file (atomic) and summary. */
export async function runIdentifyIndexJob(opts: IdentifyIndexJobOptions): Promise<IdentifyIndexJobSummary> {
  const t0 = performance.now();
  checkOutputPaths({ inputs: { reference: opts.reference }, outputs: { out: opts.out } });
  const { reference, out, onWriteProgress, ...build } = opts;
  const id = await buildIdentifyIndex(reference, build);
  const bytes = await writeIdentifyIndex(out, id, { onProgress: onWriteProgress, signal: opts.signal });
  const { skipped, ...info } = id.info;
  return {
    reference: info,
    referenceSkipped: skipped.slice(0, 20).map(({ id: rid, reason }) => ({ id: rid, reason })),
    out,
    bytes,
    seconds: (performance.now() - t0) / 1000,
  };
}
