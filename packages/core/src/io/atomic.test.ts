import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Bioscan5mError } from '../errors.js';
import {
  AtomicFile,
  isTempName,
  liveTempFiles,
  removeStaleTemps,
  TempFile,
  tempPathFor,
  writeFileAtomic,
} from './atomic.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = fileURLToPath(new URL('./atomic-child.fixture.ts', import.meta.url));
const temps = (d: string) => readdirSync(d).filter(isTempName);
const fresh = (name: string) => {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
};

describe('AtomicFile', () => {
  it('nothing appears under the output name before close; close replaces the old file', () => {
    const d = fresh('basic');
    const out = path.join(d, 'a.csv');
    writeFileSync(out, 'old\n');
    const f = new AtomicFile(out, { bufferSize: 16 });
    f.text('x,y\n');
    f.bytes(Buffer.from('..1,2..'), 2, 5);
    f.text('\n' + 'é'.repeat(100) + '\n');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(temps(d)).toHaveLength(1);
    expect(liveTempFiles()).toContain(f.tempPath);
    f.close();
    expect(readFileSync(out, 'utf8')).toBe(`x,y\n1,2\n${'é'.repeat(100)}\n`);
    expect(f.bytesWritten).toBe(Buffer.byteLength(readFileSync(out, 'utf8')));
    expect(temps(d)).toEqual([]);
    expect(liveTempFiles()).not.toContain(f.tempPath);
  });

  it('abort leaves the old output and no temp; writing after close is an error', () => {
    const d = fresh('abort');
    const out = path.join(d, 'a.bin');
    writeFileSync(out, 'keep');
    const f = new AtomicFile(out);
    f.write(new Uint8Array(3 << 20)); // bigger than the buffer: written straight through
    f.abort();
    f.abort();
    expect(readFileSync(out, 'utf8')).toBe('keep');
    expect(temps(d)).toEqual([]);
    const g = new AtomicFile(out);
    g.close();
    expect(() => g.text('late')).toThrow(/write after close/);
  });

  it('creates missing folders and writes through a symlink, keeping the link', () => {
    const d = fresh('mkdir');
    writeFileAtomic(path.join(d, 'x', 'y', 'z.txt'), 'deep');
    expect(readFileSync(path.join(d, 'x', 'y', 'z.txt'), 'utf8')).toBe('deep');
    writeFileSync(path.join(d, 'real.txt'), 'before');
    symlinkSync(path.join(d, 'real.txt'), path.join(d, 'link.txt'));
    writeFileAtomic(path.join(d, 'link.txt'), 'after');
    expect(readFileSync(path.join(d, 'real.txt'), 'utf8')).toBe('after');
    expect(statSync(path.join(d, 'link.txt')).isFile()).toBe(true);
    expect(readdirSync(d).sort()).toEqual(['link.txt', 'real.txt', 'x']);
  });

  it('refuses special files and folders with an OutputPathError, before creating a temp', () => {
    const d = fresh('special');
    execFileSync('mkfifo', [path.join(d, 'fifo')]);
    for (const bad of ['/dev/null', path.join(d, 'fifo'), d, `${d}/`]) {
      let err: unknown;
      try {
        writeFileAtomic(bad, 'x');
      } catch (e) {
        err = e;
      }
      expect(Bioscan5mError.isInstance(err) && err.code).toBe('BIOSCAN5M_OUTPUT');
    }
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(statSync(path.join(d, 'fifo')).isFIFO()).toBe(true);
    expect(temps(d)).toEqual([]);
    expect(temps('/dev')).toEqual([]);
  });

  it('TempFile hands a path to an external writer and commits it', () => {
    const d = fresh('tempfile');
    const t = new TempFile(path.join(d, 'p.parquet'));
    writeFileSync(t.tempPath, 'PAR1');
    t.commit();
    t.discard();
    expect(readFileSync(path.join(d, 'p.parquet'), 'utf8')).toBe('PAR1');
    expect(temps(d)).toEqual([]);
  });

  it('temp names come from the output name and pid; long names stay legal', () => {
    const t = tempPathFor('/x/out.csv');
    expect(path.basename(t)).toMatch(new RegExp(`^\\.out\\.csv\\.tmp-${process.pid}-[0-9a-z]+$`));
    expect(isTempName(path.basename(t))).toBe(true);
    const long = `${'n'.repeat(250)}.csv`;
    expect(path.basename(tempPathFor(`/x/${long}`)).length).toBeLessThan(255);
    const d = fresh('long');
    writeFileAtomic(path.join(d, long), 'ok');
    expect(readdirSync(d)).toEqual([long]);
  });

  it('removes stale temps of its own output whose process is dead, keeping live ones and other outputs', () => {
    const d = fresh('stale');
    const out = path.join(d, 'o.csv');
    const dead = path.join(d, '.o.csv.tmp-999999999-abc');
    const alive = path.join(d, `.o.csv.tmp-${process.ppid}-abc`);
    const other = path.join(d, '.p.csv.tmp-999999999-abc');
    for (const f of [dead, alive, other]) writeFileSync(f, 'x');
    expect(removeStaleTemps(out)).toEqual([dead]);
    writeFileAtomic(out, 'new');
    expect(readdirSync(d).sort()).toEqual(
      ['.o.csv.tmp-' + process.ppid + '-abc', '.p.csv.tmp-999999999-abc', 'o.csv'].sort(),
    );
  });
});

function runChild(out: string, mode = 'hold') {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, out, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c) => {
      buf += c;
      const m = /ready (\S+)\n/.exec(buf);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', () => reject(new Error('child exited early')));
  });
  ready.catch(() => {}); // awaited where the test needs it
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  return { proc, ready, exit };
}

describe('temp files and signals (child process)', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} removes the live temp and exits ${code}`, async () => {
      const d = fresh(signal);
      const out = path.join(d, 'o.csv');
      const c = runChild(out);
      const tmp = await c.ready;
      expect(existsSync(tmp)).toBe(true);
      c.proc.kill(signal);
      expect(await c.exit).toEqual({ code, signal: null });
      expect(readdirSync(d)).toEqual([]);
    });
  }

  it('after SIGKILL the next write of the same output removes the dead temp', async () => {
    const d = fresh('SIGKILL');
    const out = path.join(d, 'o.csv');
    const c = runChild(out);
    const tmp = await c.ready;
    c.proc.kill('SIGKILL');
    await c.exit;
    expect(readdirSync(d)).toEqual([path.basename(tmp)]);
    const again = runChild(out, 'commit');
    expect((await again.exit).code).toBe(0);
    expect(readdirSync(d)).toEqual(['o.csv']);
    expect(readFileSync(out, 'utf8')).toBe('partial row\n'.repeat(1000));
  });
});
