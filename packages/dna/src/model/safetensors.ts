/**
 * Named float32/int32 tensors in the safetensors layout (8-byte little-endian header length, JSON header,
 * raw data), written atomically. Readable by Python's `safetensors` and by hand; hand-written because the
 * format is a 20-line affair and the npm packages for it target browsers.
 */
import { readFileSync } from 'node:fs';
import { Bioscan5mError, writeFileAtomic } from '@bioscan5m/core';

export interface NamedArray {
  data: Float32Array | Int32Array;
  shape: number[];
}

export function encodeSafetensors(tensors: Map<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = {
      dtype: t.data instanceof Int32Array ? 'I32' : 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const hbytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

export function writeSafetensors(
  file: string,
  tensors: Map<string, NamedArray>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(file: string): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Bioscan5mError(
      `${file}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'BIOSCAN5M_IO',
    );
  }
  const bad = (why: string) =>
    new Bioscan5mError(`${file}: not a readable safetensors checkpoint: ${why}`, 'BIOSCAN5M_INPUT');
  if (buf.length < 8) throw bad('file too short');
  const hlen = Number(buf.readBigUInt64LE(0));
  if (hlen > buf.length - 8) throw bad('header length exceeds file size');
  let header: Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>
  >;
  try {
    header = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'));
  } catch {
    throw bad('header is not JSON');
  }
  const base = 8 + hlen;
  const tensors = new Map<string, NamedArray>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const [s, e] = data_offsets;
    if (base + e > buf.length) throw bad(`tensor ${name} is truncated`);
    const copy = new Uint8Array(e - s);
    copy.set(buf.subarray(base + s, base + e));
    if (dtype === 'F32') tensors.set(name, { data: new Float32Array(copy.buffer), shape });
    else if (dtype === 'I32') tensors.set(name, { data: new Int32Array(copy.buffer), shape });
    else throw bad(`tensor ${name} has unsupported dtype ${dtype}`);
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
