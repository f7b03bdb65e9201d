/**
 * Why the ONNX training engine's ratio to PyTorch falls at hidden 768 (issue 10): the step is ~80% dense-layer
 * GEMMs there (onnxruntime profile of k=4 4-4-768, batch 64), so the ratio is bounded by onnxruntime's own SGEMM
 * (MLAS) against PyTorch's (oneDNN) on the same shapes. This times both, same shapes, same thread count, in one run:
 * the dense layers of the 4-4-768 (k=4: 64 x 165 token rows) and 8-4-4-768 (k=8: 64 x 82 rows) configs.
 *
 *   npm run bench:gemm -w @bioscan5m/dna [-- --threads 2 --repeats 5]
 * Needs python3-torch (Debian) for the reference side; says so when missing.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { loadOnnxProto, loadOrt } from '../src/engines.js';
import { arg } from './bench-args.js';

const threads = Number(arg('threads', String(os.availableParallelism())));
const repeats = Number(arg('repeats', '5'));
/** [rows, in, out] of each dense layer: QKV, attention output, feed-forward up and down. */
const shapes: [string, number, number, number][] = [];
for (const [name, rows] of [
  ['k=4', 64 * 165],
  ['k=8', 64 * 82],
] as const)
  for (const [din, dout] of [
    [768, 2304],
    [768, 768],
    [768, 3072],
    [3072, 768],
  ])
    shapes.push([name, rows, din, dout]);

const ort = await loadOrt();
const onnx = await loadOnnxProto();
const dims = (d: number[]) => ({ dim: d.map((dimValue) => ({ dimValue })) });
const value = (name: string, d: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: dims(d) } } });

/** Median seconds of one [m, k] x [k, n] MatMul in onnxruntime-node. */
async function ortSeconds(m: number, k: number, n: number): Promise<number> {
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'gemm',
      node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'] }],
      input: [value('a', [m, k]), value('b', [k, n])],
      output: [value('c', [m, n])],
    },
  }).finish();
  const s = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const rand = (len: number) => Float32Array.from({ length: len }, () => Math.random() - 0.5);
  const feeds = {
    a: new ort.Tensor('float32', rand(m * k), [m, k]),
    b: new ort.Tensor('float32', rand(k * n), [k, n]),
  };
  const times: number[] = [];
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    await s.run(feeds);
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  await s.release();
  return times.sort((a, b) => a - b)[times.length >> 1];
}

const torchCode = `
import json, sys, time, torch
torch.set_num_threads(${threads})
out = []
for m, k, n in json.loads(sys.argv[1]):
    a, b = torch.rand(m, k) - 0.5, torch.rand(k, n) - 0.5
    t = []
    for r in range(${repeats} + 1):
        t0 = time.perf_counter(); a @ b; t.append(time.perf_counter() - t0)
    t = sorted(t[1:]); out.append(t[len(t) // 2])
print(json.dumps({"version": torch.__version__, "seconds": out}))
`;
/** Median seconds of the same MatMul in PyTorch (a fresh process per shape, so the two sides alternate). */
function torchSeconds(m: number, k: number, n: number): { version: string; seconds: number } {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', torchCode, JSON.stringify([[m, k, n]])], { encoding: 'utf8' });
    const r = JSON.parse(out) as { version: string; seconds: number[] };
    return { version: r.version, seconds: r.seconds[0] };
  } catch {
    console.error('PyTorch reference unavailable: apt-get install -y python3-torch, then rerun');
    process.exit(1);
  }
}

console.log(
  `SGEMM [rows x in] x [in x out], ${threads} threads each side, median of ${repeats}; load ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  `| config | rows x in x out | onnxruntime GFLOP/s | PyTorch ${torchSeconds(8, 8, 8).version} GFLOP/s | ratio |`,
);
console.log('|---|---|---:|---:|---:|');
let oursTotal = 0;
let refTotal = 0;
for (const [name, m, k, n] of shapes) {
  const s = await ortSeconds(m, k, n);
  const ref = torchSeconds(m, k, n).seconds;
  const flop = 2 * m * k * n;
  oursTotal += s;
  refTotal += ref;
  console.log(
    `| ${name} | ${m} x ${k} x ${n} | ${(flop / s / 1e9).toFixed(1)} | ${(flop / ref / 1e9).toFixed(1)} | ${(ref / s).toFixed(2)}x |`,
  );
}
console.log(`all shapes: time ratio (PyTorch / onnxruntime) ${(refTotal / oursTotal).toFixed(2)}x`);
