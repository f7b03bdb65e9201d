import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, readNpy, writeNpy } from './npy.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bioscan5m-npy-'));

describe('npy', () => {
  it('round-trips float32 and float64 2-D arrays with 64-byte aligned data', () => {
    const f = path.join(dir, 'x.npy');
    const data = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 1);
    writeNpy(f, data, [3, 4]);
    const back = readNpy(f);
    expect(back.shape).toEqual([3, 4]);
    expect(back.dtype).toBe('<f4');
    expect(Array.from(back.data)).toEqual(Array.from(data));
    const bytes = encodeNpy(new Float64Array([1, 2]), [2]);
    expect((bytes.length - 16) % 64).toBe(0);
    expect(parseNpy(bytes).shape).toEqual([2]);
  });

  it('reads a file written by numpy (bytes of np.save(np.arange(6, dtype="<f4").reshape(2,3)))', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
    const head = Buffer.concat([
      Buffer.from([0x93]),
      Buffer.from('NUMPY'),
      Buffer.from([1, 0]),
      Buffer.from([padded.length, 0]),
      Buffer.from(padded, 'latin1'),
    ]);
    const body = Buffer.from(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
    const f = path.join(dir, 'np.npy');
    writeFileSync(f, Buffer.concat([head, body]));
    const r = readNpy(f);
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects non-npy, Fortran order, unsupported dtypes and truncated data with the file name', () => {
    const f = path.join(dir, 'bad.npy');
    writeFileSync(f, 'hello world');
    expect(() => readNpy(f)).toThrow(`${f}: not a readable .npy file: missing \\x93NUMPY magic`);
    const good = encodeNpy(new Float32Array(4), [2, 2]);
    const fortran = Buffer.from(
      Buffer.from(good).toString('latin1').replace("'fortran_order': False", "'fortran_order': True "),
      'latin1',
    );
    expect(() => parseNpy(fortran, 'f.npy')).toThrow(/Fortran-ordered/);
    const bigEndian = Buffer.from(Buffer.from(good).toString('latin1').replace('<f4', '>f4'), 'latin1');
    expect(() => parseNpy(bigEndian, 'b.npy')).toThrow(/dtype >f4 is not supported/);
    expect(() => parseNpy(good.subarray(0, good.length - 1), 't.npy')).toThrow(/truncated/);
  });
});
