/**
 * The Ward nearest-neighbour scan compiled to WebAssembly with SIMD (wasm/ward-kernel.ts), optionally split
 * across worker threads that share the centroid memory. The slot arrays live in the module's (shared) linear
 * memory; ward.ts works on typed-array views of it.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { WARD_KERNEL_WASM_BASE64 } from './ward-kernel-wasm.js';

export interface ScanKernel {
  cent: Float64Array;
  size: Float64Array;
  invSize: Float64Array;
  ids: Int32Array;
  /** Threads scanning (1 = the calling thread only). */
  threads: number;
  /** Nearest live slot to sx among slots [0, m); returns its scipy index, squared distance in lastBest(). */
  nearest(m: number, d: number, sx: number, best: number, y0: number, prev: number): number;
  lastBest(): number;
  close(): void;
}

// The project's TypeScript lib (ES2022, no DOM) has no WebAssembly types: the few members used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike };
  Instance: new (m: object, imports: object) => { exports: object };
}
type KernelExports = { nearest: (...a: number[]) => number; lastBest: () => number };
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
let moduleCache: { mod: object; bytes: Uint8Array } | null | undefined;

/** Scans below this many live clusters stay on one thread (a hand-off costs tens of microseconds). */
const PARALLEL_MIN = 4096;

// Worker body: wait for a job in its control block, scan its slot range, post the result.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, ctrlAt, base, sizeAt, invAt, idsAt } = workerData;
const { nearest, lastBest } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctrl = new Int32Array(memory.buffer, ctrlAt, 8);
const f = new Float64Array(memory.buffer, ctrlAt + 32, 2);
for (;;) {
  let s = Atomics.load(ctrl, 0);
  while (s === 0 || s === 2) { Atomics.wait(ctrl, 0, s); s = Atomics.load(ctrl, 0); }
  if (s === -1) break;
  ctrl[7] = nearest(base, sizeAt, invAt, idsAt, ctrl[1], ctrl[2], ctrl[3], ctrl[4], f[0], ctrl[5], ctrl[6]);
  f[1] = lastBest();
  Atomics.store(ctrl, 0, 2);
  Atomics.notify(ctrl, 0);
}
`;

/** null where WebAssembly (SIMD, shared memory) is unavailable or the arrays would not fit its 4 GB. */
export function createScanKernel(n: number, d: number, threads?: number): ScanKernel | null {
  if (moduleCache === undefined) {
    try {
      const bytes = new Uint8Array(Buffer.from(WARD_KERNEL_WASM_BASE64, 'base64'));
      moduleCache = WA ? { mod: new WA.Module(bytes), bytes } : null;
    } catch {
      moduleCache = null;
    }
  }
  if (!moduleCache || !WA) return null;
  const ctrlBase = 256; // one 64-byte control block per worker below `base`
  const base = 4096;
  const centBytes = n * d * 8;
  const sizeAt = base + centBytes;
  const invAt = sizeAt + n * 8;
  const idsAt = invAt + n * 8;
  const pages = Math.ceil((idsAt + n * 4) / 65536);
  if (pages > 65536) return null;
  let memory: { buffer: ArrayBufferLike };
  let exp: KernelExports;
  try {
    memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
    exp = new WA.Instance(moduleCache.mod, { env: { memory } }).exports as KernelExports;
  } catch {
    return null;
  }
  const buf = memory.buffer;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const wanted = Math.max(1, Math.min(threads ?? (n >= 2 * PARALLEL_MIN ? cores : 1), 56));
  const workers: { worker: Worker; ctrl: Int32Array; f: Float64Array }[] = [];
  for (let w = 0; w < wanted - 1; w++) {
    const ctrlAt = ctrlBase + 64 * w;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, bytes: moduleCache.bytes, ctrlAt, base, sizeAt, invAt, idsAt },
      });
      worker.unref();
      workers.push({ worker, ctrl: new Int32Array(buf, ctrlAt, 8), f: new Float64Array(buf, ctrlAt + 32, 2) });
    } catch {
      break;
    }
  }
  let bestOut = 0;
  return {
    cent: new Float64Array(buf, base, n * d),
    size: new Float64Array(buf, sizeAt, n),
    invSize: new Float64Array(buf, invAt, n),
    ids: new Int32Array(buf, idsAt, n),
    threads: workers.length + 1,
    lastBest: () => bestOut,
    nearest(m, dd, sx, best, y0, prev) {
      if (workers.length === 0 || m < PARALLEL_MIN) {
        const y = exp.nearest(base, sizeAt, invAt, idsAt, 0, m, dd, sx, best, y0, prev);
        bestOut = exp.lastBest();
        return y;
      }
      const parts = workers.length + 1;
      const chunk = Math.ceil(m / parts);
      workers.forEach(({ ctrl, f }, w) => {
        const from = Math.min(m, (w + 1) * chunk);
        ctrl[1] = from;
        ctrl[2] = Math.min(m, from + chunk);
        ctrl[3] = dd;
        ctrl[4] = sx;
        ctrl[5] = y0;
        ctrl[6] = prev;
        f[0] = best;
        Atomics.store(ctrl, 0, 1);
        Atomics.notify(ctrl, 0);
      });
      let y = exp.nearest(base, sizeAt, invAt, idsAt, 0, Math.min(m, chunk), dd, sx, best, y0, prev);
      let b = exp.lastBest();
      for (const { ctrl, f } of workers) {
        while (Atomics.load(ctrl, 0) === 1) Atomics.wait(ctrl, 0, 1);
        const yw = ctrl[7];
        const bw = f[1];
        // Combine with scipy's tie rule: smaller distance; on a tie the previous chain element, else the lower index.
        if (bw < b || (bw === b && yw !== y && y !== prev && (yw === prev || yw < y))) {
          b = bw;
          y = yw;
        }
      }
      bestOut = b;
      return y;
    },
    close() {
      for (const { worker, ctrl } of workers) {
        Atomics.store(ctrl, 0, -1);
        Atomics.notify(ctrl, 0);
        void worker.terminate();
      }
      workers.length = 0;
    },
  };
}
