// Every published package as a user meets it: `npm pack`, then installed ALONE from its tarball into an empty
// project outside the workspace (offline: third-party packages from the npm cache, siblings from their tarballs).
// There: the tarball's contents, ESM import and CJS require of every entry point, a strict type-check without
// skipLibCheck (with `--types node` and with every installed @types package) of a consumer file and of the README example, the README example
// run as compiled, and the CLI's bin. Install sizes are printed (and budgeted where issue 15 sets a goal).
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumerEnv,
  installableOptionalPeers,
  installAlone,
  packAll,
  PUBLISHED,
  workspaceRoot,
  type Packed,
  type PackedSet,
} from './consumer.js';
import { exportSpecifiers, manifestFiles } from './entry-points.js';
import { readmeExample, type ReadmeExample } from './readme-example.js';

/** Installed size goals (issue 15): a user of these packages alone should not download engines. */
const SIZE_BUDGET_MB: Record<string, number> = { core: 20, cluster: 20, dna: 20 };

const root = mkdtempSync(path.join(os.tmpdir(), 'bioscan5m-pack-install-'));
const sizes: Record<string, { mb: number; seconds: number }> = {};
let packed: PackedSet;
/** Per package, the entry points that loaded without its optional peers. */
const lightEntries: Record<string, string[]> = {};

beforeAll(() => {
  // The consumer projects must not see the workspace's node_modules through a parent folder.
  for (let dir = root; ; dir = path.dirname(dir)) {
    expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules would leak into the consumer`).toBe(false);
    if (dir === path.dirname(dir)) break;
  }
  packed = packAll(path.join(root, 'tarballs'));
});

afterAll(() => {
  const lines = Object.entries(sizes).map(
    ([s, r]) => `  ${s.padEnd(8)} ${r.mb.toFixed(1).padStart(7)} MB  (${r.seconds.toFixed(1)} s)`,
  );
  if (lines.length) console.log(`node_modules installed alone from the tarball:\n${lines.join('\n')}`);
  rmSync(root, { recursive: true, force: true });
});

/** Runs a command in a consumer project; resolves to its output, or rejects with both streams on a non-zero exit. */
function run(cwd: string, file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...consumerEnv(), NO_COLOR: '1' };
    execFile(
      file,
      args,
      { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `${path.basename(file)} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${stdout}\n${stderr}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

const tsc = path.join(workspaceRoot, 'node_modules/typescript/bin/tsc');

/** A tsconfig for a strict consumer: nodenext resolution, no skipLibCheck, @types/node available. */
function writeConsumerTsconfig(dir: string, files: string[]): void {
  const typeRoots = [path.join(dir, 'node_modules/@types')];
  if (!existsSync(path.join(dir, 'node_modules/@types/node'))) {
    // A TypeScript user on Node has @types/node; the package alone does not bring it.
    const extra = path.join(dir, '.types');
    mkdirSync(extra, { recursive: true });
    if (!existsSync(path.join(extra, 'node')))
      symlinkSync(path.join(workspaceRoot, 'node_modules/@types/node'), path.join(extra, 'node'));
    typeRoots.push(extra);
  }
  const compilerOptions = {
    strict: true,
    skipLibCheck: false,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    outDir: 'out',
    typeRoots,
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }, null, 2));
}

type Spec = ReturnType<typeof exportSpecifiers>[number];

/** Loads one entry point in a consumer project with import (ESM) or require (CJS); rejects with node's output. */
function load(dir: string, specifier: string, how: 'import' | 'require'): Promise<string> {
  const check = `if (Object.keys(m).length === 0) throw new Error(${JSON.stringify(specifier)} + ' exports nothing');`;
  const args =
    how === 'import'
      ? ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); ${check}`]
      : ['-e', `const m = require(${JSON.stringify(specifier)}); ${check}`];
  return run(dir, process.execPath, args);
}

/**
 * Type-checks (strict, no skipLibCheck, with `--types node` and with every installed @types package) consumer
 * files that import every given entry point in ESM and CJS, and the README example when given; then runs the
 * compiled consumer files, and the example on its sample files.
 */
async function typeCheckAndRun(dir: string, specs: Spec[], example?: ReadmeExample): Promise<void> {
  const esm = specs.filter((s) => s.esm);
  const cjs = specs.filter((s) => s.cjs);
  writeFileSync(
    path.join(dir, 'esm.mts'),
    esm.map((s, i) => `import * as e${i} from '${s.specifier}';\n`).join('') +
      `export const names: string[][] = [${esm.map((_, i) => `Object.keys(e${i})`).join(', ')}];\n`,
  );
  writeFileSync(
    path.join(dir, 'cjs.cts'),
    cjs.map((s, i) => `import c${i} = require('${s.specifier}');\n`).join('') +
      `export const names: string[][] = [${cjs.map((_, i) => `Object.keys(c${i})`).join(', ')}];\n`,
  );
  const files = ['esm.mts', 'cjs.cts'];
  if (example) {
    writeFileSync(path.join(dir, 'example.mts'), example.code + '\n');
    files.push('example.mts');
  }
  writeConsumerTsconfig(dir, files);
  // TypeScript 6 includes no @types package unless listed: `--types node` is a Node project's setting, and
  // `--types *` is the pre-6 default that includes every @types package the install brought.
  // When the install brought no @types package, both settings make the same program: check it once.
  const typesDir = path.join(dir, 'node_modules/@types');
  const others = existsSync(typesDir) ? readdirSync(typesDir).filter((n) => n !== 'node') : [];
  await Promise.all([
    run(dir, process.execPath, [tsc, '-p', 'tsconfig.json', '--types', 'node'], 300_000),
    ...(others.length > 0
      ? [run(dir, process.execPath, [tsc, '-p', 'tsconfig.json', '--types', '*', '--noEmit'], 300_000)]
      : []),
  ]);
  // The compiled consumer files load the package as a user's build would.
  await Promise.all([run(dir, process.execPath, ['out/esm.mjs']), run(dir, process.execPath, ['out/cjs.cjs'])]);
  if (!example) return;
  const work = path.join(dir, 'example');
  mkdirSync(work, { recursive: true });
  for (const [name, sample] of Object.entries(example.samples)) {
    cpSync(path.join(workspaceRoot, 'apps/cli/data', sample), path.join(work, name), { recursive: true });
  }
  await run(work, process.execPath, ['../out/example.mjs'], 300_000);
}

for (const short of Object.keys(PUBLISHED)) {
  describe(`${short}, installed alone from its tarball`, () => {
    const dir = path.join(root, short);
    let pkg: Packed;
    /** Entry points that load without the package's optional peers. */
    let light: Spec[] = [];

    beforeAll(() => {
      pkg = packed[short];
      const r = installAlone(packed, short, dir);
      sizes[short] = { mb: r.bytes / 1e6, seconds: r.seconds };
    });

    it('ships LICENSE, README, CHANGELOG and every file its package.json names, and no tests', () => {
      for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) expect(pkg.files).toContain(f);
      const license = execFileSync('tar', ['-xzOf', pkg.tarball, 'package/LICENSE'], { encoding: 'utf8' });
      expect(license).toBe(readFileSync(path.join(workspaceRoot, 'LICENSE'), 'utf8'));
      for (const f of manifestFiles(pkg.manifest)) expect(pkg.files, `${f} named in package.json`).toContain(f);
      expect(pkg.files.filter((f) => /\.test\.[cm]?[jt]s$/.test(f))).toEqual([]);
    });

    it('names its sibling packages with caret ranges that its siblings satisfy', () => {
      const deps = { ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies };
      for (const [name, range] of Object.entries(deps).filter(([n]) => n.startsWith('@bioscan5m/'))) {
        const sibling = Object.values(packed).find((p) => p.name === name);
        expect(range, name).toBe(`^${sibling?.version}`);
      }
    });

    if (SIZE_BUDGET_MB[short] !== undefined) {
      it(`installs in under ${SIZE_BUDGET_MB[short]} MB`, () => {
        expect(sizes[short].mb).toBeLessThan(SIZE_BUDGET_MB[short]);
      });
    }

    it('loads every entry point with import and require, or fails naming the optional package it needs', async () => {
      const specs = exportSpecifiers(pkg.manifest);
      if (short !== 'cli') expect(specs.length).toBeGreaterThan(0);
      const optional = Object.keys(pkg.manifest.peerDependenciesMeta ?? {});
      light = [];
      for (const spec of specs) {
        const hows = [...(spec.esm ? ['import' as const] : []), ...(spec.cjs ? ['require' as const] : [])];
        const results = await Promise.allSettled(hows.map((how) => load(dir, spec.specifier, how)));
        const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
        if (failures.length === 0) {
          light.push(spec);
          continue;
        }
        // An entry that needs an engine must say which package to install.
        for (const f of failures) {
          expect(
            optional.some((name) => f.includes(`'${name}'`) || f.includes(`"${name}"`) || f.includes(` ${name} `)),
            f,
          ).toBe(true);
        }
      }
      lightEntries[short] = light.map((s) => s.specifier);
      if (short !== 'cli') expect(lightEntries[short]).toContain(pkg.name);
    });

    if (short === 'cli') {
      it('runs the bioscan5m bin: --help and a command on its embedded sample', async () => {
        const bin = path.join(dir, 'node_modules/.bin/bioscan5m');
        expect(await run(dir, bin, ['--help'])).toContain('Usage: bioscan5m');
        const sample = path.join(dir, 'node_modules/@bioscan5m/cli/data/metadata.csv');
        const table2 = JSON.parse(await run(dir, bin, ['stats', '--metadata', sample, '--json', '--quiet']));
        expect(table2.rows).toBeGreaterThan(0);
        expect(Object.keys(table2.ranks)).toContain('species');
      });
      return;
    }

    it('type-checks a strict consumer of its light entry points and its README example (no skipLibCheck), and the example runs', async () => {
      const example = readmeExample(path.join(dir, 'node_modules', pkg.name, 'README.md'));
      expect(example, `${pkg.name} README: no example marked <!-- pack-install: example -->`).toBeDefined();
      await typeCheckAndRun(dir, light, example);
    });
  });

  // Known when tests are collected, before packing: the workspace package.json is the one packed.
  const peers = installableOptionalPeers(
    JSON.parse(readFileSync(path.join(workspaceRoot, PUBLISHED[short], 'package.json'), 'utf8')),
  );
  if (peers.length === 0) continue;
  describe(`${short} with its optional peers (${peers.join(', ')})`, () => {
    it('loads the entry points that need them, with import and require, and a strict consumer of every entry point type-checks', async (ctx) => {
      const specs = exportSpecifiers(packed[short].manifest);
      const heavy = specs.filter((s) => !lightEntries[short]?.includes(s.specifier));
      // Only worth a second (large) install when some entry point did not load alone.
      if (lightEntries[short] === undefined || heavy.length === 0) ctx.skip();
      const dir = path.join(root, `${short}+peers`);
      const r = installAlone(packed, short, dir, peers);
      sizes[`${short}+peers`] = { mb: r.bytes / 1e6, seconds: r.seconds };
      await Promise.all(
        heavy.flatMap((s) => [
          ...(s.esm ? [load(dir, s.specifier, 'import')] : []),
          ...(s.cjs ? [load(dir, s.specifier, 'require')] : []),
        ]),
      );
      await typeCheckAndRun(dir, specs);
    });
  });
}
