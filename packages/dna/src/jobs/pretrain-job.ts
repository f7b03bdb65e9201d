/**
 * runPretrainJob's body for either training engine: read the barcodes, run the shared loop (model/pretrain-loop)
 * with the engine, summarise. No tfjs or onnxruntime import: the engine comes from the caller.
 */
import { InputError, throwIfAborted } from '@bioscan5m/core';
import { readBarcodes } from '../data/barcodes.js';
import { sequenceReport } from '../data/sequences.js';
import { runPretrainLoop, type MlmEngine, type TrainStart } from '../model/pretrain-loop.js';
import { withAbort } from '../abort.js';
import type { PretrainJobOptions, PretrainJobSummary } from './types.js';

export async function pretrainWithEngine<E extends MlmEngine>(
  o: PretrainJobOptions,
  createEngine: (start: TrainStart) => Promise<E>,
  release: (engine: E) => void | Promise<void>,
): Promise<PretrainJobSummary> {
  const set = await readBarcodes(o.data);
  if (set.sequences.length === 0)
    throw new InputError(
      { file: o.data },
      `no DNA sequences to train on (${set.skipped.length} rows without an A/C/G/T base)`,
    );
  throwIfAborted(o.signal);
  const t0 = performance.now();
  const { data: _data, backend: _b, engine: _e, threads: _t, signal, onProgress, ...train } = o;
  const r = await runPretrainLoop(
    { ...train, sequences: set.sequences, onProgress: withAbort(signal, onProgress) },
    createEngine,
    release,
  );
  await release(r.engine);
  return {
    backend: r.backend,
    data: o.data,
    sequences: sequenceReport(set, r.config.maxLen),
    config: r.config,
    steps: r.step,
    startStep: r.startStep,
    batchSize: o.batchSize ?? 64,
    firstLoss: r.losses[0] ?? null,
    finalLoss: r.losses.at(-1) ?? null,
    sequencesPerSecond: r.sequencesPerSecond,
    seconds: (performance.now() - t0) / 1000,
    checkpoint: o.checkpoint ?? null,
  };
}
