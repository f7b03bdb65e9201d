/**
 * The built package as a user gets it (dist/), in child processes: importing it loads no onnxruntime-node, the
 * built-in detector and the descriptor encoder work without it, and asking for an ONNX model without it is a
 * MissingDependencyError naming the package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedImages } from './test-helpers.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'vision-entries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A resolve hook standing in for an install without onnxruntime-node: resolving it fails as a missing package does.
const hook = path.join(dir, 'no-ort.mjs');
writeFileSync(
  hook,
  `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('onnxruntime')) throw Object.assign(new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}
`,
);
const index = pathToFileURL(path.join(pkg, 'dist', 'index.js')).href;

function runEsm(code: string): { status: number | null; out: string; err: string } {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    file,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n${code}`,
  );
  const r = spawnSync(process.execPath, [file], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('built entry', () => {
  it('dist is built (turbo builds this package before its tests)', () => {
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'args.js', 'args.cjs', 'args.d.ts', 'crop-worker.js'])
      expect(existsSync(path.join(pkg, 'dist', f)), f).toBe(true);
  });

  it('works without onnxruntime-node until an ONNX model is asked for, then names the package', () => {
    const img = JSON.stringify(path.join(embeddedImages, 'CRALA13917-21.1024px.jpg'));
    const r = runEsm(`const v = await import(${JSON.stringify(index)});
const det = await v.createDetector({ kind: 'builtin' });
const found = await det.detect(await v.decodeImage(${img}));
const enc = await v.createImageEncoder({ kind: 'descriptor' });
const e = await enc.embed([${img}]);
const errs = [];
for (const f of [() => v.createDetector({ kind: 'onnx', model: ${JSON.stringify(path.join(pkg, 'models', 'tiny-detr.onnx'))} }), () => v.createImageEncoder({ kind: 'onnx', model: ${JSON.stringify(path.join(pkg, 'models', 'tiny-vit.onnx'))} })]) {
  try { await f(); } catch (err) { errs.push([err.code, err.packageName, err.message]); }
}
console.log(JSON.stringify({ boxes: found.boxes.length, rows: e.rows, dim: e.dim, errs }));`);
    expect(r.err).toBe('');
    const o = JSON.parse(r.out);
    expect(o.boxes).toBeGreaterThan(0);
    expect([o.rows, o.dim]).toEqual([1, 688]);
    expect(o.errs).toHaveLength(2);
    for (const [code, name, message] of o.errs) {
      expect(code).toBe('BIOSCAN5M_MISSING_DEPENDENCY');
      expect(name).toBe('onnxruntime-node');
      expect(message).toMatch(/npm install onnxruntime-node/);
    }
  });

  it('the args entry loads neither sharp nor onnxruntime (a CLI parses arguments with it)', () => {
    const script = `require(${JSON.stringify(path.join(pkg, 'dist', 'args.cjs'))});console.log(Object.keys(require.cache).filter((k) => /sharp|onnxruntime/.test(k)).length);`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: pkg, encoding: 'utf8' }).trim()).toBe('0');
    const r = runEsm(
      `const a = await import(${JSON.stringify(pathToFileURL(path.join(pkg, 'dist', 'args.js')).href)});\nconsole.log(a.MM_PER_PIXEL, a.DEFAULT_TRAINING.hidden, a.parseDetectorArg('x.onnx').kind);`,
    );
    expect(r.out.trim()).toBe('0.1554 16 onnx');
  });

  it('the CommonJS entry requires no onnxruntime either', () => {
    const script = `require(${JSON.stringify(path.join(pkg, 'dist', 'index.cjs'))});console.log(Object.keys(require.cache).filter((k) => /onnxruntime/.test(k)).length);`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: pkg, encoding: 'utf8' }).trim()).toBe('0');
  });
});
