/** runDnaEmbedJob: a barcodes table -> a .npy [rows, dim] float32 matrix of embeddings. */
import { checkOutputPaths, InputError, writeNpy } from '@bioscan5m/core';
import { readBarcodes } from '../data/barcodes.js';
import { sequenceReport } from '../data/sequences.js';
import { createDnaEncoder } from '../encoder/create.js';
import { embedAll } from './embed.js';
import type { DnaEmbedJobOptions, DnaEmbedJobSummary } from './types.js';

export async function runDnaEmbedJob(o: DnaEmbedJobOptions): Promise<DnaEmbedJobSummary> {
  const t0 = performance.now();
  const model =
    o.encoder.kind === 'checkpoint'
      ? o.encoder.checkpoint
      : typeof o.encoder.model === 'string'
        ? o.encoder.model
        : undefined;
  checkOutputPaths({ inputs: { data: o.data, encoder: model }, outputs: { out: o.out } });
  const set = await readBarcodes(o.data);
  if (set.sequences.length === 0)
    throw new InputError(
      { file: o.data },
      `no DNA sequences to embed (${set.skipped.length} rows without an A/C/G/T base)`,
    );
  const encoder = await createDnaEncoder(
    o.encoder.kind === 'checkpoint' ? { backend: o.backend, ...o.encoder } : o.encoder,
  );
  try {
    const e = await embedAll(encoder, set.sequences, o);
    writeNpy(o.out, e.data, [e.rows, e.dim]);
    return {
      encoder: encoder.name,
      engine: encoder.engine,
      rows: e.rows,
      dim: e.dim,
      sequences: sequenceReport(set, encoder.tokenizer.maxLen),
      out: o.out,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await encoder.dispose();
  }
}
