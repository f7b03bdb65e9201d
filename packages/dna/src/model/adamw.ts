/**
 * AdamW (decoupled weight decay, PyTorch's torch.optim.AdamW defaults) and the OneCycle learning-rate schedule
 * (torch.optim.lr_scheduler.OneCycleLR, cosine annealing). Hand-written because tfjs ships Adam without
 * decoupled decay and no schedules, and because the optimizer state must go into checkpoints.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export interface AdamW {
  /** Number of updates applied so far. */
  readonly t: number;
  step(grads: Record<string, tf.Tensor>, lr: number): void;
  /** Optimizer moments by parameter name ("m:NAME", "v:NAME") plus the step count, for checkpoints. */
  state(): { t: number; tensors: Map<string, tf.Tensor> };
  loadState(t: number, tensors: Map<string, tf.Tensor>): void;
  dispose(): void;
}

/** `params` maps names to variables; grads from tf.variableGrads are keyed by variable name and are matched here. */
export function createAdamW(params: Map<string, tf.Variable>, opts: AdamWOptions = {}): AdamW {
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.eps ?? 1e-8;
  const wd = opts.weightDecay ?? 0.01;
  const m = new Map<string, tf.Variable>();
  const v = new Map<string, tf.Variable>();
  // The moments start at zero; the zeros tensor is freed once a variable holds it (dispose drops one reference).
  const zeros = (p: tf.Variable) => {
    const z = tf.zerosLike(p);
    const x = tf.variable(z, false);
    z.dispose();
    return x;
  };
  for (const [name, p] of params) {
    m.set(name, zeros(p));
    v.set(name, zeros(p));
  }
  const byVarName = new Map<string, string>();
  for (const [name, p] of params) byVarName.set(p.name, name);
  let t = 0;
  return {
    get t() {
      return t;
    },
    step(grads, lr) {
      t++;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      tf.tidy(() => {
        for (const [varName, g] of Object.entries(grads)) {
          const name = byVarName.get(varName);
          if (!name) continue;
          const p = params.get(name)!;
          const mi = m.get(name)!;
          const vi = v.get(name)!;
          const mNew = tf.add(tf.mul(mi, b1), tf.mul(g, 1 - b1));
          const vNew = tf.add(tf.mul(vi, b2), tf.mul(tf.square(g), 1 - b2));
          mi.assign(mNew);
          vi.assign(vNew);
          const update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), eps));
          p.assign(tf.sub(tf.mul(p, 1 - lr * wd), tf.mul(update, lr)));
        }
      });
    },
    state() {
      const tensors = new Map<string, tf.Tensor>();
      for (const [name, x] of m) tensors.set(`m:${name}`, x);
      for (const [name, x] of v) tensors.set(`v:${name}`, x);
      return { t, tensors };
    },
    loadState(step, tensors) {
      t = step;
      for (const [name, x] of m) {
        const s = tensors.get(`m:${name}`);
        if (s) x.assign(s);
      }
      for (const [name, x] of v) {
        const s = tensors.get(`v:${name}`);
        if (s) x.assign(s);
      }
    },
    dispose() {
      for (const x of m.values()) x.dispose();
      for (const x of v.values()) x.dispose();
    },
  };
}

export { oneCycleLr, type OneCycleOptions } from './schedule.js';
