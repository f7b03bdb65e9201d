import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url (createRequire, asset paths) must also work in the CommonJS build.
  shims: true,
  target: 'node20',
});
