/**
 * Exact search with onnxruntime's matrix multiply (MLAS, SIMD, its own threads): a two-node graph,
 * Gemm(Q, K, transB) -> TopK, scores blocks of queries against blocks of keys at several times the speed of the
 * JavaScript kernel. Its float32 scores only choose candidates: the best k + TIE_MARGIN of every block are
 * re-scored exactly (float64, dotRow) and ranked by the built-in rule (higher score, then lower index), so the
 * results equal ExactSearchIndex's, ties included, unless more than TIE_MARGIN keys of one block sit within
 * float32 rounding of the k-th score.
 */
import { createRequire } from 'node:module';
import { Bioscan5mError, optionalPackage, type Embeddings, type JobControl } from '@bioscan5m/core';
import type * as Ort from 'onnxruntime-node';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { loadOrt } from '../encoders/onnx-runtime.js';
import { checkSearchArgs, dotRow, searchInBlocks } from './exact-search.js';
import type { SearchHits, SearchIndex } from './search-index.js';

const TIE_MARGIN = 16;
/** Queries per pass over the keys: fewer passes over a large key set (1024 x 8192 scores = 32 MiB per call). */
const QUERY_BLOCK = 1024;
const KEY_BLOCK = 8192;
/** 2u of float32: a float32 dot product of length d is off by at most d * 2u * |q| * |k| (any summation order). */
const F32_DOT_ERROR = 2 ** -23;

const req = createRequire(import.meta.url);
const loadOnnxProto = optionalPackage('onnx-proto', 'onnx search', async () => {
  const m = req('onnx-proto') as { onnx?: typeof OnnxTypes; default?: { onnx: typeof OnnxTypes } };
  return m.onnx ?? m.default!.onnx;
});

/** The graph: scores = Q K^T, then the top `kk` of each row (values and int64 indices). */
function searchGraph(onnx: typeof OnnxTypes, d: number): Uint8Array {
  const INT = onnx.AttributeProto.AttributeType.INT;
  const F32 = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const t = (elemType: number, dims: (string | number)[]) => ({
    tensorType: {
      elemType,
      shape: { dim: dims.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })) },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: '@bioscan5m/clip',
    graph: {
      name: 'inner_product_topk',
      node: [
        {
          opType: 'Gemm',
          input: ['queries', 'keys'],
          output: ['scores'],
          name: 'gemm',
          attribute: [{ name: 'transB', type: INT, i: 1 }],
        },
        {
          opType: 'TopK',
          input: ['scores', 'k'],
          output: ['values', 'indices'],
          name: 'topk',
          attribute: [
            { name: 'axis', type: INT, i: 1 },
            { name: 'largest', type: INT, i: 1 },
            { name: 'sorted', type: INT, i: 1 },
          ],
        },
      ],
      input: [
        { name: 'queries', type: t(F32, ['n', d]) },
        { name: 'keys', type: t(F32, ['m', d]) },
        { name: 'k', type: t(I64, [1]) },
      ],
      output: [
        { name: 'values', type: t(F32, ['n', 'kk']) },
        { name: 'indices', type: t(I64, ['n', 'kk']) },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export class OnnxSearchIndex implements SearchIndex {
  readonly backend = 'onnx' as const;
  readonly dim: number;
  readonly size: number;
  private keys: Float32Array | null;
  /** Largest key norm, for the float32 error bound. */
  private readonly maxKeyNorm: number;
  private readonly ort: typeof Ort;
  private readonly session: Ort.InferenceSession;

  private constructor(keys: Embeddings, ort: typeof Ort, session: Ort.InferenceSession) {
    this.dim = keys.dim;
    this.size = keys.rows;
    this.keys = keys.data;
    let max = 0;
    for (let r = 0; r < keys.rows; r++)
      max = Math.max(max, dotRow(keys.data, r * keys.dim, keys.data, r * keys.dim, keys.dim));
    this.maxKeyNorm = Math.sqrt(max);
    this.ort = ort;
    this.session = session;
  }

  static async create(keys: Embeddings, threads?: number): Promise<OnnxSearchIndex> {
    const [ort, onnx] = await Promise.all([loadOrt(), loadOnnxProto()]);
    const session = await ort.InferenceSession.create(
      searchGraph(onnx, keys.dim),
      threads ? { intraOpNumThreads: threads } : {},
    );
    return new OnnxSearchIndex(keys, ort, session);
  }

  async search(queries: Embeddings, k: number, control: JobControl = {}): Promise<SearchHits> {
    const keys = this.keys;
    if (!keys) throw new Bioscan5mError('search: the index was disposed');
    checkSearchArgs(this.dim, queries, k);
    const d = queries.dim;
    return searchInBlocks(queries.rows, k, QUERY_BLOCK, control, async (q0, q1, heaps) => {
      const n = q1 - q0;
      const qt = new this.ort.Tensor('float32', queries.data.subarray(q0 * d, q1 * d), [n, d]);
      for (let k0 = 0; k0 < this.size; k0 += KEY_BLOCK) {
        const m = Math.min(KEY_BLOCK, this.size - k0);
        const kk = Math.min(m, k + TIE_MARGIN);
        const res = await this.session.run({
          queries: qt,
          keys: new this.ort.Tensor('float32', keys.subarray(k0 * d, (k0 + m) * d), [m, d]),
          k: new this.ort.Tensor('int64', BigInt64Array.of(BigInt(kk)), [1]),
        });
        const idx = res.indices.data as BigInt64Array;
        const val = res.values.data as Float32Array;
        for (let i = 0; i < n; i++) {
          const h = heaps[i];
          const qo = (q0 + i) * d;
          const bound = d * F32_DOT_ERROR * Math.sqrt(dotRow(queries.data, qo, queries.data, qo, d)) * this.maxKeyNorm;
          for (let j = 0; j < kk; j++) {
            // Sorted descending: once a candidate cannot reach the heap even with the error bound, none can.
            if (val[i * kk + j] + bound < h.threshold) break;
            const id = k0 + Number(idx[i * kk + j]);
            const s = dotRow(queries.data, qo, keys, id * d, d);
            // Candidates arrive out of index order: push applies the full (score, index) rule.
            h.push(s, id);
          }
        }
      }
    });
  }

  async dispose(): Promise<void> {
    if (!this.keys) return;
    this.keys = null;
    await this.session.release();
  }
}
