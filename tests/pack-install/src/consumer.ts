// Packs the workspace packages and installs one tarball ALONE into an empty project outside the workspace, offline.
//
// A consumer project has no lockfile, so `npm install --offline` would need registry metadata (packuments) that
// `npm ci` never caches. We therefore write the consumer's lockfile ourselves: the packed package's own
// dependencies (from its tarball's package.json), resolved to the versions the workspace lockfile pins, following
// Node's resolution through the workspace tree. Sibling @bioscan5m packages resolve to their tarballs. Then
// `npm ci --offline` reifies exactly that tree from the npm cache. A dependency the package uses but does not
// declare is therefore missing in the consumer, as it would be for a user.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The workspace root (this file is tests/pack-install/src/consumer.ts). */
export const workspaceRoot = path.resolve(import.meta.dirname, '../../..');

/** Short names of the published packages and their workspace folders. */
export const PUBLISHED: Record<string, string> = {
  core: 'packages/core',
  dna: 'packages/dna',
  vision: 'packages/vision',
  cluster: 'packages/cluster',
  clip: 'packages/clip',
  cli: 'apps/cli',
};

/**
 * The environment for npm and node in a consumer project: without the npm_* variables `npm test` sets (they would
 * point npm at the workspace) and without NODE_OPTIONS/NODE_PATH (they would let the consumer see the workspace).
 */
export function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_OPTIONS' || key === 'NODE_PATH') continue;
    if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

/** A package.json or package-lock.json entry, as far as this file reads it. */
export interface Manifest {
  name?: string;
  version?: string;
  link?: boolean;
  resolved?: string;
  inBundle?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: string | Record<string, string>;
  main?: string;
  types?: string;
  exports?: unknown;
  [field: string]: unknown;
}

/** One packed package: its tarball, the files in it and the package.json inside. */
export interface Packed {
  short: string;
  name: string;
  version: string;
  tarball: string;
  files: string[];
  manifest: Manifest;
}

export type PackedSet = Record<string, Packed>;

/** Runs `npm pack` for every published package into `dir`. */
export function packAll(dir: string): PackedSet {
  mkdirSync(dir, { recursive: true });
  const out: PackedSet = {};
  for (const [short, folder] of Object.entries(PUBLISHED)) {
    const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: path.join(workspaceRoot, folder),
      env: consumerEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(json) as { name: string; version: string; filename: string; files: { path: string }[] }[];
    const tarball = path.join(dir, info.filename);
    const manifest: Manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    );
    out[short] = {
      short,
      name: info.name,
      version: info.version,
      tarball,
      files: info.files.map((f) => f.path),
      manifest,
    };
  }
  return out;
}

function sha512File(file: string): string {
  return 'sha512-' + createHash('sha512').update(readFileSync(file)).digest('base64');
}

/** The folder Node resolves `dep` to from workspace folder `from`, in the workspace lockfile; undefined if none. */
function resolveInWorkspace(lock: Record<string, Manifest>, from: string, dep: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = (dir ? `${dir}/` : '') + `node_modules/${dep}`;
    if (lock[candidate]) return candidate;
    if (!dir) return undefined;
    const parts = dir.split('/');
    parts.pop();
    if (parts.at(-1) === 'node_modules') parts.pop();
    dir = parts.join('/');
  }
}

/** Required and optional edges of a manifest or lockfile entry (optional peers are not installed by npm). */
function edges(entry: Manifest): { name: string; optional: boolean }[] {
  const meta = entry.peerDependenciesMeta ?? {};
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    ...Object.keys(entry.peerDependencies ?? {})
      .filter((name) => !meta[name]?.optional)
      .map((name) => ({ name, optional: false })),
  ];
}

const LOCK_FIELDS = [
  'version',
  'integrity',
  'license',
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'libc',
  'hasInstallScript',
  'inBundle',
  'bundleDependencies',
];

/**
 * The package-lock.json of a consumer project whose only dependency is `packed[short]`.
 * `consumerDir` is where the project lives (tarballs are referenced relative to it).
 */
export function consumerLockfile(
  packed: PackedSet,
  short: string,
  consumerDir: string,
  extras: readonly string[] = [],
): { packages: Record<string, Manifest> } & Manifest {
  const wsLock: Record<string, Manifest> = JSON.parse(
    readFileSync(path.join(workspaceRoot, 'package-lock.json'), 'utf8'),
  ).packages;
  const byName: Record<string, Packed> = Object.fromEntries(Object.values(packed).map((p) => [p.name, p]));
  const folderOf: Record<string, string> = Object.fromEntries(
    Object.entries(PUBLISHED).map(([s, f]) => [packed[s].name, f]),
  );
  const rel = (file: string): string => 'file:' + path.relative(consumerDir, file);
  const wsToConsumer = (wsPath: string): string => {
    for (const [name, folder] of Object.entries(folderOf)) {
      if (wsPath === folder) return `node_modules/${name}`;
      if (wsPath.startsWith(folder + '/')) return `node_modules/${name}` + wsPath.slice(folder.length);
    }
    return wsPath;
  };
  const root = packed[short];
  const packages: Record<string, Manifest> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { [root.name]: rel(root.tarball) } },
  };
  // Extras (a package's optional peers, as a user who wants them adds them) at the workspace's versions.
  for (const name of extras) {
    const found = wsLock[`node_modules/${name}`];
    if (!found?.version) throw new Error(`${name} is not installed in the workspace`);
    packages[''].dependencies![name] = found.version;
  }
  const required = new Set<string>();
  // Breadth-first over (workspace folder, entry, reached-through-required-edges-only).
  const queue: { wsPath: string; entry: Manifest; required: boolean }[] = [
    { wsPath: folderOf[root.name], entry: root.manifest, required: true },
    ...extras.map((name) => ({
      wsPath: `node_modules/${name}`,
      entry: wsLock[`node_modules/${name}`],
      required: true,
    })),
  ];
  const seen = new Map<string, boolean>();
  while (queue.length) {
    const { wsPath, entry, required: req } = queue.shift()!;
    const key = wsPath;
    if (seen.has(key) && (seen.get(key) || !req)) continue;
    seen.set(key, req);
    const target = wsToConsumer(wsPath);
    if (req) required.add(target);
    if (!packages[target]) {
      const sibling = entry.name ? byName[entry.name] : undefined;
      if (sibling && folderOf[sibling.name] === wsPath) {
        const m = sibling.manifest;
        packages[target] = Object.fromEntries([
          ['name', m.name],
          ['version', m.version],
          ['resolved', rel(sibling.tarball)],
          ['integrity', sha512File(sibling.tarball)],
          ...LOCK_FIELDS.filter((f) => f !== 'version' && f !== 'integrity' && m[f] !== undefined).map((f) => [
            f,
            m[f],
          ]),
        ]);
      } else {
        packages[target] = Object.fromEntries(
          LOCK_FIELDS.filter((f) => entry[f] !== undefined).map((f) => [f, entry[f]]),
        );
      }
    }
    if (entry.inBundle) continue;
    for (const e of edges(entry)) {
      const found = resolveInWorkspace(wsLock, wsPath, e.name);
      if (!found) {
        if (e.optional) continue;
        throw new Error(`${entry.name ?? wsPath}: dependency ${e.name} is not in the workspace lockfile`);
      }
      let next = wsLock[found];
      let nextPath = found;
      if (next.link) {
        nextPath = next.resolved ?? '';
        const sibling = Object.values(packed).find((p) => folderOf[p.name] === nextPath);
        if (!sibling) throw new Error(`${e.name} links to ${nextPath}, which is not a published package`);
        next = sibling.manifest;
      }
      queue.push({ wsPath: nextPath, entry: next, required: req && !e.optional });
    }
  }
  for (const [p, entry] of Object.entries(packages)) if (p && !required.has(p)) entry.optional = true;
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** Size of a folder tree in bytes (apparent size, symlinks not followed). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

/**
 * Installs `packed[short]` alone into `dir` (emptied first) with `npm ci --offline`: the consumer holds the package
 * and nothing else, or the package plus `extras` (e.g. its optional peers) when given.
 * onnxruntime-node's install script downloads CUDA from the network; it is skipped as the workspace root skips it.
 */
export function installAlone(
  packed: PackedSet,
  short: string,
  dir: string,
  extras: readonly string[] = [],
): { seconds: number; bytes: number } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lock = consumerLockfile(packed, short, dir, extras);
  const pkg = { ...lock.packages[''], private: true, type: 'module', allowScripts: { 'onnxruntime-node': false } };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
  const started = Date.now();
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env: consumerEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { seconds: (Date.now() - started) / 1000, bytes: treeBytes(path.join(dir, 'node_modules')) };
}

/** The optional peer dependencies of a package that the workspace has installed (so a consumer can have them). */
export function installableOptionalPeers(m: Manifest): string[] {
  const wsLock: Record<string, Manifest> = JSON.parse(
    readFileSync(path.join(workspaceRoot, 'package-lock.json'), 'utf8'),
  ).packages;
  return Object.keys(m.peerDependencies ?? {})
    .filter((name) => m.peerDependenciesMeta?.[name]?.optional)
    .filter((name) => wsLock[`node_modules/${name}`]?.version !== undefined)
    .sort();
}
