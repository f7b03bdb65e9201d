import type { Options } from 'tsup';

/** The build every @bioscan5m library shares: ESM + CJS + .d.ts for node20. */
export function libraryBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // import.meta.url (createRequire, asset paths) must also work in the CommonJS build.
    shims: true,
    target: 'node20',
    ...overrides,
  };
}
