// Every published package as a user meets it: `npm pack`, then installed ALONE from its tarball into an empty
// project outside the workspace (offline: third-party packages from the npm cache, siblings from their tarballs).
// There: the tarball's contents, ESM import and CJS require of every entry point, a strict type-check without
// skipLibCheck (with `--types node` and with every installed @types package) of a consumer file and of the README example, the README example
// run as compiled, and the CLI's bin. Install sizes are printed (and budgeted where issue 15 sets a goal).
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerEnv, installAlone, packAll, PUBLISHED, workspaceRoot, type Packed, type PackedSet } from './consumer.js';
import { exportSpecifiers, manifestFiles } from './entry-points.js';
import { readmeExample } from './readme-example.js';

/** Installed size goals (issue 15): a user of these packages alone should not download engines. */
const SIZE_BUDGET_MB: Record<string, number> = { core: 20, cluster: 20, dna: 20 };

const root = mkdtempSync(path.join(os.tmpdir(), 'bioscan5m-pack-install-'));
const sizes: Record<string, { mb: number; seconds: number }> = {};
let packed: PackedSet;

beforeAll(() => {
  // The consumer projects must not see the workspace's node_modules through a parent folder.
  for (let dir = root; ; dir = path.dirname(dir)) {
    expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules would leak into the consumer`).toBe(false);
    if (dir === path.dirname(dir)) break;
  }
  packed = packAll(path.join(root, 'tarballs'));
});

afterAll(() => {
  const lines = Object.entries(sizes).map(([s, r]) => `  ${s.padEnd(8)} ${r.mb.toFixed(1).padStart(7)} MB  (${r.seconds.toFixed(1)} s)`);
  if (lines.length) console.log(`node_modules installed alone from the tarball:\n${lines.join('\n')}`);
  rmSync(root, { recursive: true, force: true });
});

/** Runs a command in a consumer project; resolves to its output, or rejects with both streams on a non-zero exit. */
function run(cwd: string, file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...consumerEnv(), NO_COLOR: '1' };
    execFile(file, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
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
    if (!existsSync(path.join(extra, 'node'))) symlinkSync(path.join(workspaceRoot, 'node_modules/@types/node'), path.join(extra, 'node'));
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

for (const short of Object.keys(PUBLISHED)) {
  describe(`${short}, installed alone from its tarball`, () => {
    const dir = path.join(root, short);
    let pkg: Packed;

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

    it('loads every entry point with import and with require', async () => {
      const specs = exportSpecifiers(pkg.manifest);
      if (short !== 'cli') expect(specs.length).toBeGreaterThan(0);
      for (const { specifier, esm, cjs } of specs) {
        const check = `if (Object.keys(m).length === 0) throw new Error(${JSON.stringify(specifier)} + ' exports nothing');`;
        if (esm) await run(dir, process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); ${check}`]);
        if (cjs) await run(dir, process.execPath, ['-e', `const m = require(${JSON.stringify(specifier)}); ${check}`]);
      }
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

    it('type-checks a strict consumer and its README example without skipLibCheck, with --types node and with every @types package, and the example runs', async () => {
      const specs = exportSpecifiers(pkg.manifest);
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
      const example = readmeExample(path.join(dir, 'node_modules', pkg.name, 'README.md'));
      expect(example, `${pkg.name} README: no example marked <!-- pack-install: example -->`).toBeDefined();
      writeFileSync(path.join(dir, 'example.mts'), example!.code + '\n');
      writeConsumerTsconfig(dir, ['esm.mts', 'cjs.cts', 'example.mts']);
      // TypeScript 6 includes no @types package unless listed: `--types node` is a Node project's setting, and
      // `--types *` is the pre-6 default that includes every @types package the install brought.
      await Promise.all([
        run(dir, process.execPath, [tsc, '-p', 'tsconfig.json', '--types', 'node'], 300_000),
        run(dir, process.execPath, [tsc, '-p', 'tsconfig.json', '--types', '*', '--noEmit'], 300_000),
      ]);
      // The compiled consumer files load the package as a user's build would.
      await Promise.all([run(dir, process.execPath, ['out/esm.mjs']), run(dir, process.execPath, ['out/cjs.cjs'])]);
      const work = path.join(dir, 'example');
      mkdirSync(work, { recursive: true });
      for (const [name, sample] of Object.entries(example!.samples)) {
        cpSync(path.join(workspaceRoot, 'apps/cli/data', sample), path.join(work, name), { recursive: true });
      }
      await run(work, process.execPath, ['../out/example.mjs'], 300_000);
    });
  });
}
