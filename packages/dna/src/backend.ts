/**
 * Picks the fastest tfjs backend available: tfjs-node-gpu, then tfjs-node (native TensorFlow, optional peers
 * that cannot install everywhere), then WebAssembly (SIMD, loaded from the package's own dist folder on disk so
 * nothing is fetched), then the pure-JS cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { BackendName } from './jobs/types.js';

export type { BackendName };

export interface InitBackendOptions {
  /** Force one backend ('tensorflow', 'wasm' or 'cpu'); default: the best one that loads. */
  prefer?: BackendName;
}

const req = createRequire(import.meta.url);
let initPromise: Promise<string> | null = null;
let initPrefer: string | undefined;

function tryRequire(name: string): boolean {
  try {
    req(name);
    return true;
  } catch {
    return false;
  }
}

async function trySet(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function loadWasm(): Promise<boolean> {
  try {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
    const dist = path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    // The threaded wasm build spin-waits its pthread workers: on a busy machine a 2-D matMul ran 50x slower
    // than single-threaded SIMD. Threads only when asked for (BIOSCAN5M_WASM_THREADS=1).
    if (process.env.BIOSCAN5M_WASM_THREADS !== '1') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return await trySet('wasm');
  } catch {
    return false;
  }
}

async function select(prefer?: string): Promise<string> {
  if (prefer === 'cpu') {
    if (await trySet('cpu')) return 'cpu';
  }
  if (prefer === 'wasm' && (await loadWasm())) return 'wasm';
  if (!prefer || prefer === 'tensorflow') {
    // The native bindings register the 'tensorflow' backend on require.
    if (
      (tryRequire('@tensorflow/tfjs-node-gpu') || tryRequire('@tensorflow/tfjs-node')) &&
      (await trySet('tensorflow'))
    )
      return 'tensorflow';
  }
  if (await loadWasm()) return 'wasm';
  if (await trySet('cpu')) return 'cpu';
  throw new Error('no tfjs backend could be initialised');
}

/**
 * Initialises the best backend once and returns its name as `tf.getBackend()` reports it. Safe to call many
 * times; a different `prefer` switches backend, no `prefer` keeps the current one.
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<string> {
  // A call without a preference keeps whatever backend an earlier call chose.
  if (!initPromise || (opts.prefer !== undefined && initPrefer !== opts.prefer)) {
    initPrefer = opts.prefer;
    initPromise = select(opts.prefer);
  }
  return initPromise;
}

/** True when batched and transposed matMuls are slow and the hand-split versions in ops/ should be used. */
export function needsSplitKernels(): boolean {
  return tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
}

export { tf };
