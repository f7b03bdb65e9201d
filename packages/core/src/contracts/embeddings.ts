/**
 * The one embedding contract of the toolkit. An Encoder turns a batch of inputs of one modality (DNA barcodes,
 * images, taxonomy text) into an Embeddings matrix; @bioscan5m/dna, /vision and /clip implement it, and
 * @bioscan5m/cluster and /clip consume Embeddings. Each package has a factory, `create<Modality>Encoder(spec)`,
 * beside vision's `createDetector(spec)` (the shape of tfjs-models' createDetector and transformers.js' pipeline).
 */
import { Bioscan5mError } from '../errors.js';

export type Modality = 'dna' | 'image' | 'text';

/** A dense row-major float matrix: `rows` embeddings of `dim` values each. */
export interface Embeddings {
  readonly rows: number;
  readonly dim: number;
  readonly data: Float32Array;
}

export interface Encoder<Input> {
  /** Short human-readable name ("barcodebert-onnx", "descriptor", ...). */
  readonly name: string;
  readonly modality: Modality;
  /** Length of every embedding. */
  readonly dim: number;
  /** Embeds a batch, in order: row i of the result is inputs[i]. */
  embed(batch: readonly Input[]): Promise<Embeddings>;
  /** Frees native resources (ONNX sessions, tensors). Safe to call twice. */
  dispose(): Promise<void>;
}

/** Wraps a flat buffer as Embeddings, checking that it holds rows x dim values. */
export function embeddings(data: Float32Array, rows: number, dim: number): Embeddings {
  if (!Number.isInteger(rows) || !Number.isInteger(dim) || rows < 0 || dim < 0 || data.length !== rows * dim) {
    throw new Bioscan5mError(`embeddings: ${data.length} values do not make ${rows} rows of ${dim}`);
  }
  return { data, rows, dim };
}

/** Row i of an Embeddings matrix (a view, not a copy). */
export function embeddingRow(e: Embeddings, i: number): Float32Array {
  return e.data.subarray(i * e.dim, (i + 1) * e.dim);
}

/** Stacks Embeddings of equal dim, in order (e.g. the batches of a long job). */
export function concatEmbeddings(parts: readonly Embeddings[]): Embeddings {
  if (parts.length === 0) return { data: new Float32Array(0), rows: 0, dim: 0 };
  const dim = parts[0].dim;
  let rows = 0;
  for (const p of parts) {
    if (p.dim !== dim) throw new Bioscan5mError(`embeddings: cannot stack dim ${p.dim} under dim ${dim}`);
    rows += p.rows;
  }
  const data = new Float32Array(rows * dim);
  let o = 0;
  for (const p of parts) {
    data.set(p.data, o);
    o += p.data.length;
  }
  return { data, rows, dim };
}
