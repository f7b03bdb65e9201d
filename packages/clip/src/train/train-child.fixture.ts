// Child process for kill-resume.test.ts: trains on synthetic pairs with a checkpoint every step until killed.
import { syntheticPairs } from './synthetic-pairs.js';
import { trainClip } from './train-clip.js';

const [checkpoint, steps] = process.argv.slice(2);
await trainClip({
  data: syntheticPairs({ seed: 3 }),
  steps: Number(steps),
  batchSize: 32,
  dim: 32,
  lr: 2e-3,
  seed: 9,
  checkpoint,
  checkpointEvery: 1,
  resume: true,
});
