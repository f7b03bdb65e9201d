/**
 * The built package as a user gets it (dist/, through package.json "exports"), in child processes: the main and
 * identify entries load neither tfjs nor onnxruntime, identification works with both engines missing, a missing
 * engine is a MissingDependencyError naming the package, and identification workers start from their own entry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-entries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = '@tensorflow|onnxruntime|onnx-proto|protobufjs';
// A resolve hook standing in for an install without the engines: resolving one fails as a missing package does.
const hook = path.join(dir, 'no-engines.mjs');
writeFileSync(
  hook,
  `export async function resolve(specifier, context, next) {
  const m = /^(@tensorflow\\/[^/]+|onnxruntime-node|onnx-proto|protobufjs)/.exec(specifier);
  if (m) throw Object.assign(new Error("Cannot find package '" + m[1] + "' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}
`,
);

/** Runs an ES module script in a child process in the package folder, optionally without the engines. */
function runEsm(code: string, noEngines: boolean): { status: number | null; out: string; err: string } {
  const pre = noEngines
    ? `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`
    : '';
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  // The script lives in the temp folder; it imports the package by absolute file URL of the exports it names.
  writeFileSync(file, pre + code);
  const r = spawnSync(process.execPath, [file], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const entry = (name: string) => pathToFileURL(path.join(pkg, 'dist', `${name}.js`)).href;

describe('built entries', () => {
  it('dist is built (turbo builds this package before its tests)', () => {
    for (const f of [
      'index.js',
      'index.cjs',
      'identify.js',
      'identify.cjs',
      'model.js',
      'search-worker.js',
      'index.d.ts',
      'identify.d.ts',
    ]) {
      expect(existsSync(path.join(pkg, 'dist', f)), f).toBe(true);
    }
  });

  it('the main and identify entries import without tfjs, onnxruntime or onnx-proto (ESM); the model entry needs tfjs', () => {
    const r = runEsm(
      `await import(${JSON.stringify(entry('index'))});\nawait import(${JSON.stringify(entry('identify'))});\nconsole.log('ok');`,
      true,
    );
    expect(r.err).toBe('');
    expect(r.out.trim()).toBe('ok');
    // The same check catches tfjs when an entry does load it.
    const m = runEsm(`await import(${JSON.stringify(entry('model'))});`, true);
    expect(m.status).not.toBe(0);
    expect(m.err).toContain("Cannot find package '@tensorflow/tfjs'");
  });

  it('no declaration file names an engine: every entry type-checks without tfjs, onnxruntime or their typings', () => {
    const decls = readdirSync(path.join(pkg, 'dist')).filter((f) => /\.d\.c?ts$/.test(f));
    expect(decls).toContain('model.d.ts');
    expect(decls).toContain('model.d.cts');
    const engineImport = new RegExp(`(?:from|import|require)\\s*\\(?\\s*['"](?:${HEAVY})`);
    for (const f of decls) expect(readFileSync(path.join(pkg, 'dist', f), 'utf8'), f).not.toMatch(engineImport);
  });

  it('the CommonJS main and identify entries require no engine; the model entry does', () => {
    const script = (names: string[]) =>
      `${names.map((n) => `require(${JSON.stringify(path.join(pkg, 'dist', `${n}.cjs`))});`).join('')}` +
      `console.log(Object.keys(require.cache).filter((k) => /${HEAVY}/.test(k)).length);`;
    expect(
      execFileSync(process.execPath, ['-e', script(['index', 'identify'])], { cwd: pkg, encoding: 'utf8' }).trim(),
    ).toBe('0');
    expect(
      Number(execFileSync(process.execPath, ['-e', script(['model'])], { cwd: pkg, encoding: 'utf8' }).trim()),
    ).toBeGreaterThan(0);
  });

  it('identifies barcodes with no engine installed, on worker threads started from the built worker entry', () => {
    const r = runEsm(
      `const { runIdentifyJob } = await import(${JSON.stringify(entry('identify'))});
import { writeFileSync } from 'node:fs';
let x = 7;
const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 22);
const rnd = (n) => Array.from({ length: n }, () => 'ACGT'[next() % 4]).join('');
const mutate = (s, k) => { const a = s.split(''); for (let i = 0; i < k; i++) { const p = next() % a.length; a[p] = a[p] === 'A' ? 'C' : 'A'; } return a.join(''); };
const roots = Array.from({ length: 12 }, () => rnd(658));
const head = 'record_id,phylum,class,order,family,subfamily,genus,species,dna_barcode';
const ref = [head], q = [head];
roots.forEach((r, i) => { for (let j = 0; j < 4; j++) ref.push(['r' + i + '_' + j, 'P', 'C', 'O', 'F', '', 'G' + (i % 4), 'S' + i, mutate(r, 3)].join(',')); q.push(['q' + i, 'P', 'C', 'O', 'F', '', 'G' + (i % 4), 'S' + i, mutate(r, 4)].join(',')); });
writeFileSync(${JSON.stringify(path.join(dir, 'ref.csv'))}, ref.join('\\n') + '\\n');
writeFileSync(${JSON.stringify(path.join(dir, 'q.csv'))}, q.join('\\n') + '\\n');
const t0 = performance.now();
const s = await runIdentifyJob({ reference: ${JSON.stringify(path.join(dir, 'ref.csv'))}, queries: ${JSON.stringify(path.join(dir, 'q.csv'))}, out: ${JSON.stringify(path.join(dir, 'pred.csv'))}, threads: 2 });
console.log(JSON.stringify({ threads: s.threads, identified: s.identified, genus: s.accuracy.genus.accuracy, species: s.accuracy.species.accuracy, ms: performance.now() - t0 }));`,
      true,
    );
    expect(r.err).toBe('');
    const s = JSON.parse(r.out);
    expect(s.threads).toBe(2);
    expect(s.identified).toBe(12);
    expect(s.genus).toBe(1);
    expect(s.species).toBe(1);
  });

  it('running an ONNX encoder leaves no file behind where HOME is not a writable folder (onnxruntime telemetry off)', () => {
    // onnxruntime-node's telemetry falls back to an in-memory store whose session file, `:memory:.ses`, it writes
    // into the working directory when it cannot make ~/.cache; HOME here is a plain file, so that fallback is taken.
    const cwd = mkdtempSync(path.join(dir, 'cwd-'));
    const home = path.join(dir, 'home-is-a-file');
    writeFileSync(home, '');
    const model = fileURLToPath(new URL('./onnx/fixtures/tiny-bert-k4.onnx', import.meta.url));
    const script = `const { createDnaEncoder } = await import(${JSON.stringify(entry('index'))});
const enc = await createDnaEncoder({ kind: 'onnx', model: ${JSON.stringify(model)}, k: 4 });
const e = await enc.embed(['ACGTACGTACGTAACCGGTT']);
await enc.dispose();
console.log(e.rows, e.dim);`;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.XDG_CACHE_HOME;
    delete env.ORT_DISABLE_TELEMETRY;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^1 \d+$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a missing engine is a MissingDependencyError naming the package to install', () => {
    const r = runEsm(
      `const dna = await import(${JSON.stringify(entry('index'))});
const out = [];
for (const f of [
  () => dna.createDnaEncoder({ kind: 'onnx', model: 'x.onnx', k: 4 }),
  () => dna.runPretrainJob({ data: 'x.csv', config: { k: 4 }, steps: 1 }),
  () => dna.runExportOnnxJob({ checkpoint: 'x.safetensors', out: 'x.onnx' }),
]) {
  try { await f(); out.push('no error'); } catch (e) { out.push([e.name, e.code, e.packageName, e.message]); }
}
console.log(JSON.stringify(out));`,
      true,
    );
    expect(r.err).toBe('');
    const [ort, tfjs, proto] = JSON.parse(r.out) as string[][];
    expect(ort.slice(0, 3)).toEqual(['MissingDependencyError', 'BIOSCAN5M_MISSING_DEPENDENCY', 'onnxruntime-node']);
    expect(ort[3]).toContain('npm install onnxruntime-node');
    // Pretraining runs on onnxruntime or tfjs: with neither installed it names the fast engine and the other.
    expect(tfjs.slice(0, 3)).toEqual(['MissingDependencyError', 'BIOSCAN5M_MISSING_DEPENDENCY', 'onnxruntime-node']);
    expect(tfjs[3]).toMatch(/npm install onnxruntime-node/);
    expect(tfjs[3]).toMatch(/@tensorflow\/tfjs/);
    // export reads the checkpoint first: a missing file is reported before the missing engine.
    expect(proto[3]).toMatch(/x\.safetensors: cannot read checkpoint|onnx-proto/);
  });
});
