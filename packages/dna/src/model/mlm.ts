/**
 * Masked-language-model pretraining (BarcodeBERT): 50% of tokens replaced by [MASK], cross-entropy on the masked
 * positions (default) or on every position (the reference code's loss, `loss: 'all'`), AdamW + OneCycle.
 * Every random draw of step s comes from a generator seeded by (seed, s), so a run resumed from a checkpoint at
 * step s continues exactly as the uninterrupted run would have.
 */
import * as tf from '@tensorflow/tfjs';
import { createAdamW } from './adamw.js';
import { arraysToVariables, disposeParams, tfjsModelOps, type EncoderConfig, type ParamMap } from './encoder.js';
import { mlmLossGraph } from './architecture.js';
import { tensorArrays } from './checkpoint.js';
import type { MlmBatch } from './mlm-batch.js';
import { runPretrainLoop, type MlmEngine, type TrainStart } from './pretrain-loop.js';
import type { PretrainOptions } from './config.js';
import type { PretrainResult as PublicPretrainResult } from './public-types.js';

export type { PretrainOptions };

/** The public PretrainResult with its parameters as the tfjs variables they are. */
export interface PretrainResult extends Omit<PublicPretrainResult, 'params' | 'head'> {
  params: ParamMap;
  head: ParamMap;
}

export { mlmHeadShapes } from './params.js';
export { makeMlmBatch, type MlmBatch } from './mlm-batch.js';

/** MLM loss of one batch (call inside variableGrads). */
export function mlmLoss(cfg: EncoderConfig, params: ParamMap, head: ParamMap, b: MlmBatch): tf.Scalar {
  const all: ParamMap = new Map([...params, ...head]);
  return mlmLossGraph(cfg, tfjsModelOps(cfg, all, b, { rows: b.positions, labels: b.labels })) as tf.Scalar;
}

/** The tfjs training engine: tfjs variables, tf.variableGrads through the customGrad ops, AdamW (adamw.ts). */
export async function createTfjsMlmEngine(
  start: TrainStart,
): Promise<MlmEngine & { params: ParamMap; head: ParamMap; dispose(): void }> {
  const cfg = start.config;
  const params = arraysToVariables(start.encoder, 'encoder.');
  const head = arraysToVariables(start.head, 'head.');
  const all: ParamMap = new Map([...params, ...head]);
  const opt = createAdamW(all, { weightDecay: start.weightDecay });
  if (start.step > 0 || start.optimizer.size > 0) {
    const tensors = new Map<string, tf.Tensor>();
    for (const [k, t] of start.optimizer) tensors.set(k, tf.tensor(t.data, t.shape));
    opt.loadState(start.step, tensors);
    for (const t of tensors.values()) t.dispose();
  }
  const vars = [...all.values()];
  return {
    backend: `tfjs ${tf.getBackend()}`,
    params,
    head,
    async step(batch, lr) {
      const { value, grads } = tf.variableGrads(() => mlmLoss(cfg, params, head, batch), vars);
      opt.step(grads, lr);
      const loss = (await value.data())[0];
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      return loss;
    },
    arrays: () => ({
      encoder: tensorArrays(params),
      head: tensorArrays(head),
      optimizer: tensorArrays(opt.state().tensors),
    }),
    dispose: () => opt.dispose(),
  };
}

/** MLM pretraining on the tfjs backend in use (see runPretrainLoop for the loop itself). */
export async function pretrainMlm(o: PretrainOptions): Promise<PretrainResult> {
  const r = await runPretrainLoop(o, createTfjsMlmEngine, (engine) => {
    engine.dispose();
    disposeParams(engine.params);
    disposeParams(engine.head);
  });
  r.engine.dispose();
  const { engine, ...rest } = r;
  return { ...rest, params: engine.params, head: engine.head, backend: tf.getBackend() };
}
