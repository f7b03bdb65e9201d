import { defineConfig } from 'tsup';
import { libraryBuild } from '../../config/tsup.library';

export default defineConfig(
  libraryBuild({
    // crop-worker is a separate entry: worker threads load it by path next to index. args is the light subpath
    // entry (@bioscan5m/vision/args: argument parsers and defaults, no sharp).
    entry: { index: 'src/index.ts', args: 'src/args.ts', 'crop-worker': 'src/crop-worker.ts' },
    dts: { entry: { index: 'src/index.ts', args: 'src/args.ts' } },
  }),
);
