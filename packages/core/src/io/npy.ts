/**
 * NumPy .npy read/write (format versions 1-3), the format every Python encoder writes embeddings in.
 * Hand-written: the format is a short text header plus raw little-endian data, and the npm readers found
 * either target browsers (fetch) or allocate per element.
 */
import { readFileSync } from 'node:fs';
import { Bioscan5mError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

export type NpyArray =
  Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array;
export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i2' | '|i1' | '|u1' | '<u2' | '<u4';

export interface Npy {
  data: NpyArray;
  shape: number[];
  dtype: NpyDtype;
}

const CTORS: Record<
  NpyDtype,
  { new (buf: ArrayBuffer, off: number, len: number): NpyArray; BYTES_PER_ELEMENT: number }
> = {
  '<f4': Float32Array,
  '<f8': Float64Array,
  '<i4': Int32Array,
  '<i2': Int16Array,
  '|i1': Int8Array,
  '|u1': Uint8Array,
  '<u2': Uint16Array,
  '<u4': Uint32Array,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(bytes: Uint8Array, file = '<buffer>'): Npy {
  const bad = (why: string) => new Bioscan5mError(`${file}: not a readable .npy file: ${why}`, 'BIOSCAN5M_INPUT');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else throw bad(`unsupported format version ${major}`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + offset, headerLen).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad(`malformed header ${header.trim()}`);
  const dtype = (descr === '<i1' ? '|i1' : descr === '<u1' ? '|u1' : descr) as NpyDtype;
  const Ctor = CTORS[dtype];
  if (!Ctor) throw bad(`dtype ${descr} is not supported (use float32, float64 or a little-endian integer type)`);
  if (fortran === 'True') throw bad('Fortran-ordered arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const need = count * Ctor.BYTES_PER_ELEMENT;
  if (bytes.length - dataStart < need)
    throw bad(`truncated: expected ${need} data bytes, found ${bytes.length - dataStart}`);
  // Copy so the typed array is aligned and owns its memory.
  const copy = new Uint8Array(need);
  copy.set(bytes.subarray(dataStart, dataStart + need));
  return { data: new Ctor(copy.buffer, 0, count), shape, dtype };
}

export function readNpy(file: string): Npy {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Bioscan5mError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'BIOSCAN5M_IO',
    );
  }
  return parseNpy(bytes, file);
}

function dtypeOf(data: NpyArray): NpyDtype {
  for (const [k, C] of Object.entries(CTORS))
    if (data instanceof (C as unknown as typeof Float32Array)) return k as NpyDtype;
  throw new Bioscan5mError('unsupported typed array for .npy');
}

export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new Bioscan5mError(`shape ${JSON.stringify(shape)} does not match ${data.length} values`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtypeOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, as numpy does.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Writes a C-ordered .npy atomically. */
export function writeNpy(file: string, data: NpyArray, shape: readonly number[]): void {
  writeFileAtomic(file, encodeNpy(data, shape));
}

/** A 2-D float matrix read from a .npy: `rows` x `dim`, row-major. */
export interface NpyMatrix {
  data: Float32Array | Float64Array;
  rows: number;
  dim: number;
}

/**
 * A 2-D float32/float64 C-ordered .npy (what Python encoders write) as a matrix. Rejects other dtypes, other
 * shapes and non-finite values with the file, row and dimension named. With `float32`, float64 data is converted
 * first and checked as float32 (a value that overflows float32 is named).
 */
export function readNpyMatrix(file: string, options: { float32?: boolean } = {}): NpyMatrix {
  const npy = readNpy(file);
  if (npy.dtype !== '<f4' && npy.dtype !== '<f8') {
    throw new Bioscan5mError(
      `${file}: embeddings must be float32 or float64, this .npy holds ${npy.dtype}`,
      'BIOSCAN5M_INPUT',
    );
  }
  if (npy.shape.length !== 2) {
    throw new Bioscan5mError(
      `${file}: embeddings must be a 2-D array (rows x dimensions), this .npy has shape (${npy.shape.join(', ')})`,
      'BIOSCAN5M_INPUT',
    );
  }
  const [rows, dim] = npy.shape;
  const raw = npy.data as Float32Array | Float64Array;
  const data = options.float32 && raw instanceof Float64Array ? Float32Array.from(raw) : raw;
  const converted = data !== raw;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Bioscan5mError(
        `${file}: row ${Math.floor(i / dim) + 1}, dimension ${(i % dim) + 1}: value ${raw[i]} is not finite${
          converted ? ' in float32' : ''
        }`,
        'BIOSCAN5M_INPUT',
      );
    }
  }
  return { data, rows, dim };
}
