import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Bioscan5mError, MissingDependencyError } from './errors.js';
import { loadOptional, missingPackage, optionalPackage } from './optional.js';

const dir = mkdtempSync(join(tmpdir(), 'bioscan5m-optional-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const absent = 'bioscan5m-absent-package-for-tests';

describe('loadOptional', () => {
  it('returns the module when the package is installed', async () => {
    const hyparquet = await loadOptional('hyparquet', 'tests', () => import('hyparquet'));
    expect(typeof hyparquet.parquetReadObjects).toBe('function');
  });

  it('turns a missing ESM package into MissingDependencyError naming it and the feature', async () => {
    const err = await loadOptional(absent, 'ONNX export', () => import(/* @vite-ignore */ absent)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect(Bioscan5mError.isInstance(err)).toBe(true);
    const e = err as MissingDependencyError;
    expect(e.code).toBe('BIOSCAN5M_MISSING_DEPENDENCY');
    expect(e.packageName).toBe(absent);
    expect(e.message).toContain(`npm install ${absent}`);
    expect(e.message).toContain('ONNX export');
  });

  it('handles CommonJS require and scoped package subpaths', async () => {
    const require = createRequire(import.meta.url);
    const err = await loadOptional(
      '@bioscan5m-absent/x',
      'training',
      async () => require('@bioscan5m-absent/x/dist/sub.js') as unknown,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).packageName).toBe('@bioscan5m-absent/x');
  });

  it('names a missing package that the optional package itself imports', async () => {
    const entry = join(dir, 'needs-peer.mjs');
    writeFileSync(entry, `import '${absent}-peer';\nexport const x = 1;\n`);
    const err = await loadOptional(
      'needs-peer',
      'training',
      () => import(/* @vite-ignore */ pathToFileURL(entry).href),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).packageName).toBe(`${absent}-peer`);
    expect((err as Error).message).toContain('training (through needs-peer)');
  });

  it('rethrows a missing file and any other failure unchanged', async () => {
    const missingFile = pathToFileURL(join(dir, 'no-such-file.mjs')).href;
    const notFound = await loadOptional('x', 'y', () => import(/* @vite-ignore */ missingFile)).catch(
      (e: unknown) => e,
    );
    expect(notFound).not.toBeInstanceOf(MissingDependencyError);
    expect((notFound as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    const boom = new Error('boom');
    await expect(loadOptional('x', 'y', () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('optionalPackage memoises a success and retries after a failure', async () => {
    let calls = 0;
    let fail = true;
    const load = optionalPackage('pkg', 'feature', async () => {
      calls++;
      if (fail)
        throw Object.assign(new Error("Cannot find package 'pkg' imported from here"), {
          code: 'ERR_MODULE_NOT_FOUND',
        });
      return { ok: true };
    });
    await expect(load()).rejects.toBeInstanceOf(MissingDependencyError);
    fail = false;
    const a = await load();
    const b = await load();
    expect(a).toBe(b);
    expect(calls).toBe(2);
  });
});

describe('missingPackage', () => {
  it.each([
    [
      { code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find package 'onnxruntime-node' imported from /x.js" },
      'onnxruntime-node',
    ],
    [
      { code: 'MODULE_NOT_FOUND', message: "Cannot find module '@tensorflow/tfjs-core/dist/base'\nRequire stack:" },
      '@tensorflow/tfjs-core',
    ],
    [
      { code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find module '/abs/dist/index.js' imported from /x.js" },
      undefined,
    ],
    [{ code: 'MODULE_NOT_FOUND', message: "Cannot find module './local'" }, undefined],
    [{ code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find module 'file:///tmp/x.mjs'" }, undefined],
    [{ code: 'MODULE_NOT_FOUND', message: "Cannot find module 'C:\\pkg\\x.js'" }, undefined],
    [{ code: 'EACCES', message: "Cannot find package 'x'" }, undefined],
    ['not an error', undefined],
  ])('%j -> %s', (err, name) => {
    expect(missingPackage(err)).toBe(name);
  });
});
