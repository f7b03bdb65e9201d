/**
 * The MLM pretraining loop shared by both training engines (tfjs, onnxruntime): settings, initialisation or
 * resume from a checkpoint, the batch and learning rate of each step, timing, progress and atomic checkpoints.
 * The engine does the step itself. No tfjs or onnxruntime import here.
 */
import { existsSync } from 'node:fs';
import { Bioscan5mError } from '@bioscan5m/core';
import { readCheckpointFile, writeCheckpointFile, type WeightArrays } from './checkpoint-file.js';
import { encoderConfig, type EncoderConfig, type PretrainOptions } from './config.js';
import { makeMlmBatch, type MlmBatch } from './mlm-batch.js';
import { encoderParamShapes, initArrays, mlmHeadShapes } from './params.js';
import { oneCycleLr } from './schedule.js';
import { nextTurn } from '../abort.js';

/** Where training starts: weights, AdamW moments ('m:NAME', 'v:NAME'; empty at step 0) and the step. */
export interface TrainStart {
  config: EncoderConfig;
  encoder: WeightArrays;
  head: WeightArrays;
  optimizer: WeightArrays;
  step: number;
  weightDecay: number;
}

export interface MlmEngine {
  /** What runs the step, as printed ("onnxruntime-node cpu, 2 threads", "tfjs wasm"). */
  readonly backend: string;
  /** One update: forward, backward and AdamW at learning rate `lr`; resolves to the batch's loss. */
  step(batch: MlmBatch, lr: number): Promise<number>;
  /** Weights and optimizer state now, for checkpoints (arrays the engine may reuse after the next step). */
  arrays(): { encoder: WeightArrays; head: WeightArrays; optimizer: WeightArrays };
}

export interface LoopResult {
  config: EncoderConfig;
  step: number;
  startStep: number;
  losses: number[];
  sequencesPerSecond: number | null;
  backend: string;
}

/** Runs the loop; when it fails or is stopped (a throwing onProgress/onStep), `release` frees the engine first. */
export async function runPretrainLoop<E extends MlmEngine>(
  o: PretrainOptions,
  createEngine: (start: TrainStart) => Promise<E>,
  release?: (engine: E) => void | Promise<void>,
): Promise<LoopResult & { engine: E }> {
  if (o.sequences.length === 0) throw new Bioscan5mError('pretraining needs at least one sequence');
  if (!(o.steps >= 1)) throw new Bioscan5mError(`steps must be >= 1, got ${o.steps}`);
  const batchSize = o.batchSize ?? 64;
  const seed = o.seed ?? 0;
  const maxLr = o.maxLr ?? 1e-4 * (batchSize / 64);
  const trainOpts = {
    batchSize,
    seed,
    maxLr,
    steps: o.steps,
    weightDecay: o.weightDecay ?? 0.01,
    maskRatio: o.maskRatio ?? 0.5,
    loss: o.loss ?? 'masked',
    randomOffset: o.randomOffset ?? true,
  } as const;
  let start: TrainStart;
  if (o.resume && o.checkpoint && existsSync(o.checkpoint)) {
    const ck = readCheckpointFile(o.checkpoint);
    const saved = ck.meta.train as typeof trainOpts | undefined;
    if (saved && (saved.steps !== trainOpts.steps || saved.batchSize !== batchSize || saved.seed !== seed)) {
      throw new Bioscan5mError(
        `${o.checkpoint}: checkpoint was written by a run with steps=${saved.steps} batch=${saved.batchSize} seed=${saved.seed}; resume with the same settings`,
      );
    }
    start = { ...ck, weightDecay: trainOpts.weightDecay };
  } else {
    const config = encoderConfig(o.config);
    start = {
      config,
      encoder: initArrays(encoderParamShapes(config), seed),
      head: initArrays(mlmHeadShapes(config), seed + 1),
      optimizer: new Map(),
      step: 0,
      weightDecay: trainOpts.weightDecay,
    };
  }
  const cfg = start.config;
  const startStep = start.step;
  const engine = await createEngine(start);
  const losses: number[] = [];
  const end = Math.min(o.steps, o.stopAfter ?? o.steps);
  const every = o.checkpointEvery ?? 100;
  let timedMs = 0;
  let timedSteps = 0;
  const save = (step: number) => {
    if (o.checkpoint)
      writeCheckpointFile(o.checkpoint, { config: cfg, ...engine.arrays(), step, meta: { train: trainOpts } });
  };
  let step = startStep;
  try {
    for (; step < end; step++) {
      const t0 = performance.now();
      const batch = makeMlmBatch(o.sequences, cfg, { ...trainOpts, step });
      const lr = oneCycleLr(step, { maxLr, totalSteps: o.steps });
      const loss = await engine.step(batch, lr);
      const ms = performance.now() - t0;
      if (step > startStep) {
        timedMs += ms;
        timedSteps++;
      }
      losses.push(loss);
      o.onStep?.({ step: step + 1, loss, lr, ms });
      o.onProgress?.(step + 1, o.steps);
      if (o.checkpoint && (step + 1) % every === 0 && step + 1 < end) save(step + 1);
      // A macrotask per step (some engines resolve in a microtask): without it SIGINT/SIGTERM would wait for the
      // end of training, and their temp-file removal with them.
      await nextTurn();
    }
    save(step);
  } catch (err) {
    await release?.(engine);
    throw err;
  }
  return {
    engine,
    config: cfg,
    step,
    startStep,
    losses,
    sequencesPerSecond: timedSteps > 0 ? (timedSteps * batchSize) / (timedMs / 1000) : null,
    backend: engine.backend,
  };
}
