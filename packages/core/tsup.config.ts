import { defineConfig } from 'tsup';
import { libraryBuild } from '../../config/tsup.library';

export default defineConfig(
  libraryBuild({
    // internal: the unstable subpath for sibling packages; stats-worker: worker threads load it by path.
    entry: { index: 'src/index.ts', internal: 'src/internal.ts', 'stats-worker': 'src/stats/scan-worker.ts' },
    dts: { entry: { index: 'src/index.ts', internal: 'src/internal.ts' } },
  }),
);
