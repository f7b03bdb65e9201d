/**
 * runProbeJob: evaluates embeddings as the paper's Table 4 does: cosine 1-NN (pure JS over any DnaEncoder), a
 * linear probe or a fine-tuned checkpoint's head (tfjs), or the CNN baseline (tfjs, no encoder).
 */
import { InputError, UsageError } from '@bioscan5m/core';
import { readBarcodes } from '../data/barcodes.js';
import { createDnaEncoder, type DnaEncoderSpec } from '../encoder/create.js';
import { loadModelCode } from '../engines.js';
import { classificationMetrics } from '../eval/metrics.js';
import { knnPredict } from '../heads/knn.js';
import { embedAll } from './embed.js';
import { withAbort } from '../abort.js';
import { fileReport, labelledAt, unseenClasses } from './labelled.js';
import type { ProbeJobOptions, ProbeJobSummary } from './types.js';

export async function runProbeJob(o: ProbeJobOptions): Promise<ProbeJobSummary> {
  const t0 = performance.now();
  const rank = o.rank ?? (o.method === 'knn' ? 'genus' : 'species');
  if (!['linear', 'knn', 'finetuned', 'cnn'].includes(o.method))
    throw new UsageError(`expected linear, knn, finetuned or cnn, got '${o.method}'`, 'method');
  if (o.method !== 'cnn' && !o.encoder)
    throw new UsageError(`--method ${o.method} needs an encoder (a checkpoint or an ONNX model)`, 'encoder');
  if (o.method === 'finetuned' && o.encoder?.kind !== 'checkpoint')
    throw new UsageError('--method finetuned needs the checkpoint written by `bioscan5m dna finetune`', 'checkpoint');
  const trainSet = await readBarcodes(o.train);
  const testSet = await readBarcodes(o.test);
  const train = labelledAt(trainSet, rank);
  const test = labelledAt(testSet, rank);
  if (train.sequences.length === 0)
    throw new InputError({ file: o.train, column: rank }, `no row with a DNA sequence is labelled at ${rank}`);
  const model = o.method === 'knn' ? null : await loadModelCode();
  const tfBackend = model ? await model.initTfjs(o.backend) : null;
  let pred: string[];
  let classes = new Set(train.labels).size;
  let engine = tfBackend ?? 'onnxruntime';
  let maxLen: number | null = null;
  const onProgress = withAbort(o.signal, o.onProgress);
  if (o.method === 'cnn') {
    pred = await model!.cnnProbe(train, test.sequences, {
      epochs: o.epochs,
      seed: o.seed,
      onProgress,
      signal: o.signal,
    });
  } else {
    const spec: DnaEncoderSpec = o.encoder!.kind === 'checkpoint' ? { backend: o.backend, ...o.encoder! } : o.encoder!;
    const encoder = await createDnaEncoder(spec);
    engine = encoder.engine;
    maxLen = encoder.tokenizer.maxLen;
    try {
      if (o.method === 'finetuned') {
        const x = await embedAll(encoder, test.sequences, { onProgress, signal: o.signal });
        const r = model!.finetunedHeadPredict((spec as { checkpoint: string }).checkpoint, x.data, x.dim);
        if (!r)
          throw new InputError(
            { file: (spec as { checkpoint: string }).checkpoint },
            'this checkpoint has no classifier head (make one with `bioscan5m dna finetune`)',
          );
        pred = r.pred;
        classes = r.classes;
      } else {
        const all = await embedAll(encoder, [...train.sequences, ...test.sequences], { onProgress, signal: o.signal });
        const xTrain = all.data.subarray(0, train.sequences.length * all.dim);
        const xTest = all.data.subarray(train.sequences.length * all.dim);
        pred =
          o.method === 'knn'
            ? knnPredict(xTrain, train.labels, xTest, all.dim)
            : await model!.linearProbe(xTrain, all.dim, train.labels, xTest, {
                epochs: o.epochs,
                seed: o.seed,
                signal: o.signal,
              });
      }
    } finally {
      await encoder.dispose();
    }
  }
  return {
    backend: engine,
    method: o.method,
    rank,
    train: { ...fileReport(trainSet, train, maxLen), classes },
    test: { ...fileReport(testSet, test, maxLen), unseenClasses: unseenClasses(train.labels, test.labels) },
    metrics: test.sequences.length ? classificationMetrics(test.labels, pred) : null,
    seconds: (performance.now() - t0) / 1000,
  };
}
