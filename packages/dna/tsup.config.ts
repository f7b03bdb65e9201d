import { defineConfig } from 'tsup';
import { libraryBuild } from '../../config/tsup.library';

export default defineConfig(
  libraryBuild({
    // identify, model and serve are subpath entries; search-worker is the worker-thread entry SearchPool starts by path
    // next to the other files of dist/ (it imports only the search code, so a worker starts fast).
    entry: {
      index: 'src/index.ts',
      identify: 'src/identify/index.ts',
      model: 'src/model/index.ts',
      serve: 'src/serve/index.ts',
      'search-worker': 'src/identify/search-worker.ts',
    },
    dts: {
      entry: {
        index: 'src/index.ts',
        identify: 'src/identify/index.ts',
        model: 'src/model/index.ts',
        serve: 'src/serve/index.ts',
      },
    },
  }),
);
