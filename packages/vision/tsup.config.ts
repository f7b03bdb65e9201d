import { defineConfig } from 'tsup';

export default defineConfig({
  // crop-worker is a separate entry: worker threads load it by path next to index.
  entry: ['src/index.ts', 'src/crop-worker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
});
