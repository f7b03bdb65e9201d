/**
 * The types `@bioscan5m/dna/model` shows its users. They are engine-neutral on purpose: no tfjs type reaches the
 * package's .d.ts, so a consumer's `tsc --strict` (without skipLibCheck) needs neither tfjs nor its typings, whose
 * own declarations fail under strict. At run time every ModelTensor is a tfjs tensor (a ModelVariable a
 * tf.Variable) of the tfjs this package loads: a program that uses tfjs itself passes its tensors in as they are
 * and casts what comes out (`t as unknown as tf.Tensor2D`).
 */
import type { TrainClassifierOptions } from '../heads/classifier.js';
import type { CnnConfig } from '../heads/cnn.js';
import type { EncoderConfig } from './config.js';

/** A tensor of the model engine: its shape and values, and the memory it holds until disposed. */
export interface ModelTensor {
  readonly shape: readonly number[];
  /** 'float32', 'int32', 'bool', ... */
  readonly dtype: string;
  /** Number of elements. */
  readonly size: number;
  readonly rank: number;
  readonly isDisposed: boolean;
  /** The values, row-major (blocks until computed). */
  dataSync(): Float32Array | Int32Array | Uint8Array | string[];
  data(): Promise<Float32Array | Int32Array | Uint8Array | string[]>;
  dispose(): void;
}

/** A trainable tensor (model weights): optimizers update it in place. */
export interface ModelVariable extends ModelTensor {
  readonly name: string;
  readonly trainable: boolean;
}

/** Model parameters by name, in a fixed order (checkpoints, optimizers and the ONNX exporter share the names). */
export type ParamMap = Map<string, ModelVariable>;

export interface Checkpoint {
  config: EncoderConfig;
  params: ParamMap;
  /** Head parameters (MLM head, classifier), by name. */
  head: ParamMap;
  step: number;
  /** Optimizer moments by name ("m:NAME", "v:NAME"). */
  optimizer: Map<string, ModelTensor>;
  meta: Record<string, unknown>;
}

/** What saveCheckpoint writes: the encoder weights and, optionally, heads, optimizer state, step and settings. */
export interface CheckpointInput {
  config: EncoderConfig;
  params: ParamMap;
  head?: ParamMap;
  step?: number;
  optimizer?: ReadonlyMap<string, ModelTensor>;
  meta?: Record<string, unknown>;
}

export interface PretrainResult {
  config: EncoderConfig;
  params: ParamMap;
  head: ParamMap;
  /** Step count reached (the schedule's position). */
  step: number;
  startStep: number;
  losses: number[];
  /** Sequences per second over the steps after the first (warm-up) one of this run; null with < 2 steps. */
  sequencesPerSecond: number | null;
  backend: string;
}

export interface AdamW {
  /** Number of updates applied so far. */
  readonly t: number;
  /** One update from gradients keyed by variable name (as tf.variableGrads returns them). */
  step(grads: Record<string, ModelTensor>, lr: number): void;
  /** Optimizer moments by parameter name ("m:NAME", "v:NAME") plus the step count, for checkpoints. */
  state(): { t: number; tensors: Map<string, ModelTensor> };
  loadState(t: number, tensors: ReadonlyMap<string, ModelTensor>): void;
  dispose(): void;
}

export interface ClassifierHead {
  classes: string[];
  /** 'cls.w' [D, C], 'cls.b' [C]. */
  params: ParamMap;
}

export interface CnnModel {
  config: CnnConfig;
  params: ParamMap;
}

/** Fine-tuning's recipe on top of the shared options (see FINETUNE_DEFAULTS for the chosen values and why). */
export interface FineTuneOptions extends TrainClassifierOptions {
  /** Peak learning rate of the encoder (default FINETUNE_DEFAULTS.encoderLr; `maxLr` is its older name). */
  encoderLr?: number;
  /** Peak learning rate of the classifier head (default FINETUNE_DEFAULTS.headLr). */
  headLr?: number;
  /** Share of the steps spent in linear warm-up before the cosine decay (default 0.1). */
  warmupFraction?: number;
  /**
   * Start the head from these weights (LP-FT: the linear probe's head, same classes in the same order) instead of
   * a random one, so that the encoder's first updates follow a useful gradient rather than a random head's.
   */
  initHead?: ClassifierHead;
}
