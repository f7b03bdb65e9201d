import { defineConfig } from 'tsup';
import { libraryBuild } from '../../config/tsup.library';

export default defineConfig(
  libraryBuild({
    // crop-worker is a separate entry: worker threads load it by path next to index.
    entry: ['src/index.ts', 'src/crop-worker.ts'],
    dts: { entry: 'src/index.ts' },
  }),
);
