import { defineConfig } from 'tsup';
import { libraryBuild } from '../../config/tsup.library';

export default defineConfig(
  libraryBuild({
    // stats-worker is a separate entry: the stats job starts worker threads on it by path, next to index.
    entry: { index: 'src/index.ts', 'stats-worker': 'src/stats/scan-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
);
