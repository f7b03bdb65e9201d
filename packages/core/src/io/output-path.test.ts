import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Bioscan5mError } from '../errors.js';
import { checkOutputPaths, describeFsError, type OutputPathCheck } from './output-path.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'outpath-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (...parts: string[]) => path.join(dir, ...parts);
writeFileSync(p('in.csv'), 'a\n1\n');
mkdirSync(p('images'));
writeFileSync(p('images', 'x.jpg'), 'jpg');

function refusal(check: OutputPathCheck): string {
  try {
    checkOutputPaths(check);
  } catch (err) {
    if (Bioscan5mError.isInstance(err) && err.code === 'BIOSCAN5M_OUTPUT') return err.message;
    throw err;
  }
  return '';
}

describe('checkOutputPaths', () => {
  it('accepts a new name, an existing regular file and a missing folder chain (creating nothing)', () => {
    writeFileSync(p('old.csv'), 'x');
    expect(
      refusal({ inputs: { '--data': p('in.csv') }, outputs: { '--out': p('new.csv'), '--changes': p('old.csv') } }),
    ).toBe('');
    expect(refusal({ outputs: { '--out': p('a', 'b', 'c.csv') }, folders: { '--dir': p('d', 'e') } })).toBe('');
    expect(existsSync(p('a'))).toBe(false);
    expect(existsSync(p('d'))).toBe(false);
  });

  it('refuses an output that is an input: same path, relative path, symlink, hard link', () => {
    const rel = path.relative(process.cwd(), p('in.csv'));
    symlinkSync(p('in.csv'), p('link.csv'));
    linkSync(p('in.csv'), p('hard.csv'));
    for (const out of [p('in.csv'), rel, p('link.csv'), p('hard.csv'), p('images', '..', 'in.csv')]) {
      expect(refusal({ inputs: { '--data': p('in.csv') }, outputs: { '--checkpoint': out } })).toMatch(
        /--checkpoint is the same file as the input .*in\.csv \(--data\)/,
      );
    }
    // the input given through the link, the output by its real name
    expect(
      refusal({ inputs: { '--data': [p('other.csv'), p('link.csv')] }, outputs: { '--out': p('in.csv') } }),
    ).toMatch(/same file as the input/);
  });

  it('refuses folders, devices and FIFOs as output files', () => {
    execFileSync('mkfifo', [p('fifo')]);
    expect(refusal({ outputs: { '--out': p('images') } })).toMatch(/is a folder/);
    expect(refusal({ outputs: { '--out': `${p('newdir')}/` } })).toMatch(/names a folder/);
    expect(refusal({ outputs: { '--out': '/dev/null' } })).toMatch(/character device/);
    expect(refusal({ outputs: { '--out': p('fifo') } })).toMatch(/FIFO/);
    expect(refusal({ outputs: { '--out': '' } })).toMatch(/no output file name/);
  });

  it('refuses a parent path through a file, and a folder output that is a file', () => {
    expect(refusal({ outputs: { '--out': p('in.csv', 'x.csv') } })).toMatch(/not a folder/);
    expect(refusal({ folders: { '--out': p('in.csv') } })).toMatch(/not a folder/);
  });

  it('refuses two outputs on one path, and a folder output that is (or contains, for trees) an input', () => {
    expect(refusal({ outputs: { '--out': p('o.csv'), '--changes': p('o.csv') } })).toMatch(
      /--changes is the same path as --out/,
    );
    expect(refusal({ inputs: { '--images': p('images') }, folders: { '--out': p('images') } })).toMatch(
      /same file as the input/,
    );
    expect(refusal({ inputs: { '--images': p('images') }, trees: { '--out': dir } })).toMatch(/contains the input/);
    expect(refusal({ inputs: { '--images': p('images') }, trees: { '--out': p('crops') } })).toBe('');
  });

  it('names the reason of file-system errors', () => {
    expect(describeFsError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('no space left on device');
    expect(describeFsError(new Error('odd'))).toBe('odd');
  });
});

describe('read-only folders', () => {
  const ro = p('ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  const check = { outputs: { '--out': path.join(ro, 'sub', 'o.csv') }, folders: { '--dir': path.join(ro, 'd') } };

  it.skipIf(process.getuid?.() === 0)('refuses an output under a folder it cannot write (not root)', () => {
    expect(refusal(check)).toMatch(/is not writable \(permission denied\)/);
  });

  // As root every folder is writable, so the same check runs as 'nobody' in a child process.
  it.runIf(process.getuid?.() === 0)('refuses an output under a folder it cannot write (as nobody)', () => {
    const src = fileURLToPath(new URL('./output-path.ts', import.meta.url));
    const script = `import('${src}').then((m) => { try { m.checkOutputPaths(${JSON.stringify(check)}); console.log('accepted'); } catch (e) { console.log(e.code, e.message); } })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    expect(r.stdout).toMatch(/^BIOSCAN5M_OUTPUT .*is not writable \(permission denied\)/);
    expect(readdirSync(ro)).toEqual([]);
  });
});
