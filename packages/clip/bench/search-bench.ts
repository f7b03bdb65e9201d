/**
 * Exact inner-product search: built-in ExactSearchIndex (and faiss-node when installed) against Python faiss
 * IndexFlatIP on the same data in the same run. Keys and queries are random unit vectors (seeded), float32.
 *
 *   apt-get install -y python3-faiss python3-numpy
 *   npx tsx packages/clip/bench/search-bench.ts            # 300k keys x 768, 10k queries for faiss;
 *   KEYS=300000 DIM=768 QUERIES=10000 OURS_QUERIES=200 K=5 npx tsx packages/clip/bench/search-bench.ts
 *
 * OURS_QUERIES (default 200) is the number of queries ours runs (its time is scaled per query); faiss runs the
 * same subset too, so the ratio compares equal work, and also the full QUERIES for its own throughput.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, readNpy, writeNpy } from '@bioscan5m/core';
import { createSearchIndex, ExactSearchIndex, l2NormalizeInPlace } from '../src/index.js';

const env = (n: string, d: number) => Number(process.env[n] ?? d);
const nk = env('KEYS', 300_000);
const d = env('DIM', 768);
const nq = env('QUERIES', 10_000);
const nqOurs = Math.min(nq, env('OURS_QUERIES', 200));
const k = env('K', 5);
const dir = mkdtempSync(path.join(tmpdir(), 'clip-search-bench-'));
try {
  const rng = createRng(1);
  const rand = (rows: number) => {
    const data = new Float32Array(rows * d);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    return l2NormalizeInPlace({ rows, dim: d, data });
  };
  const keys = rand(nk);
  const queries = rand(nq);
  const kf = path.join(dir, 'keys.npy');
  writeNpy(kf, keys.data, [nk, d]);
  const qSub = { rows: nqOurs, dim: d, data: queries.data.slice(0, nqOurs * d) };
  const qf = path.join(dir, 'q.npy');
  const qsf = path.join(dir, 'qsub.npy');
  writeNpy(qf, queries.data, [nq, d]);
  writeNpy(qsf, qSub.data, [nqOurs, d]);
  const py = (q: string, out: string) =>
    JSON.parse(
      execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'search_faiss.py'), kf, q, String(k), out], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop()!,
    );
  const faissSub = py(qsf, path.join(dir, 'isub.npy'));
  const faissAll = py(qf, path.join(dir, 'iall.npy'));

  const t0 = performance.now();
  const hits = await new ExactSearchIndex(keys).search(qSub, k);
  const ours = (performance.now() - t0) / 1000;
  const ref = readNpy(path.join(dir, 'isub.npy')).data as Int32Array;
  let same = 0;
  for (let i = 0; i < ref.length; i++) same += ref[i] === hits.indices[i] ? 1 : 0;

  const oi = await createSearchIndex(keys, { backend: 'onnx' });
  const t2 = performance.now();
  const oHits = await oi.search(qSub, k);
  const onnxSub = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  await oi.search(queries, k);
  const onnxAll = (performance.now() - t3) / 1000;
  await oi.dispose();
  let oSame = 0;
  for (let i = 0; i < ref.length; i++) oSame += oHits.indices[i] === hits.indices[i] ? 1 : 0;
  let faissNode = 'not installed';
  const fi = await createSearchIndex(keys, { backend: 'auto' });
  if (fi.backend === 'faiss') {
    const t1 = performance.now();
    await fi.search(qSub, k);
    faissNode = `${((performance.now() - t1) / 1000).toFixed(2)} s`;
  }
  const perQ = (s: number, n: number) => ((1000 * s) / n).toFixed(2);
  const gflop = (s: number, n: number) => ((2 * nk * d * n) / s / 1e9).toFixed(1);
  console.log(`exact inner-product search, ${nk.toLocaleString('en-US')} keys x ${d} dims, top-${k}`);
  console.log(
    `  ours (ExactSearchIndex, 1 thread): ${nqOurs} queries in ${ours.toFixed(2)} s = ${perQ(ours, nqOurs)} ms/query (${gflop(ours, nqOurs)} GFLOP/s)`,
  );
  console.log(
    `  ${faissSub.tool} (${faissSub.threads} threads): same ${nqOurs} queries in ${faissSub.search.toFixed(2)} s = ${perQ(faissSub.search, nqOurs)} ms/query; add ${faissSub.add.toFixed(2)} s`,
  );
  console.log(
    `  ${faissAll.tool}: all ${nq.toLocaleString('en-US')} queries in ${faissAll.search.toFixed(2)} s = ${perQ(faissAll.search, nq)} ms/query (${gflop(faissAll.search, nq)} GFLOP/s)`,
  );
  console.log(
    `  ours (OnnxSearchIndex, onnxruntime Gemm + TopK, exact re-scoring): same ${nqOurs} queries in ${onnxSub.toFixed(2)} s; all ${nq.toLocaleString('en-US')} in ${onnxAll.toFixed(2)} s = ${perQ(onnxAll, nq)} ms/query (${gflop(onnxAll, nq)} GFLOP/s); identical to the JavaScript kernel on ${((100 * oSame) / ref.length).toFixed(3)} % of slots`,
  );
  console.log(`  faiss-node: ${faissNode}`);
  console.log(
    `  ratio onnx / Python faiss (all ${nq.toLocaleString('en-US')} queries): ${(onnxAll / faissAll.search).toFixed(2)}x the time`,
  );
  console.log(
    `  ratio ours / Python faiss (same ${nqOurs} queries): ${(ours / faissSub.search).toFixed(2)}x the time; same neighbour lists ${((100 * same) / ref.length).toFixed(3)} % of slots`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
