/**
 * Table-4-style accuracy on the real barcodes (../shared/data/dna/coi_barcodes.csv), small models, a few
 * minutes on 2 cores: closed world (species seen in train: CNN baseline, fine-tuned encoder, linear probe) and
 * open world (unseen species: genus by cosine 1-NN on the pretrained encoder's embeddings).
 *
 *   npm run bench:table4 -w @bioscan5m/dna
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  classificationMetrics,
  closedWorldSplit,
  createDnaEncoder,
  knnPredict,
  openWorldSplit,
  readBarcodes,
  type ClassificationMetrics,
} from '../src/index.js';
import {
  fineTune,
  initBackend,
  predictCnn,
  predictWithHead,
  pretrainMlm,
  tensorArrays,
  trainCnn,
  trainLinearProbe,
} from '../src/model/index.js';
import { encoderToOnnx } from '../src/onnx/export.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.resolve(here, '../../..', '../shared/data/dna/coi_barcodes.csv');
if (!existsSync(data)) throw new Error(`needs ${data}`);
const arg = (n: string, d: number) =>
  process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d;
const backend = await initBackend();
const set = await readBarcodes(data);
const species = set.labels.species!;
const genus = set.labels.genus!;
const fmt = (m: ClassificationMetrics) =>
  `acc ${(100 * m.accuracy).toFixed(2)}%  bal-acc ${(100 * m.balancedAccuracy).toFixed(2)}%  macro-F1 ${(100 * m.macroF1).toFixed(2)}%  (n=${m.n})`;
const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(0);

const closed = closedWorldSplit(set.sequences, species, { seed: 0 });
const pick = (idx: number[], arr: readonly string[]) => idx.map((i) => arr[i]);
const trS = pick(closed.train, set.sequences);
const trY = pick(closed.train, species);
const teS = pick(closed.test, set.sequences);
const teY = pick(closed.test, species);
console.log(
  `backend ${backend}; closed world: ${trS.length} train / ${teS.length} test barcodes, ${new Set(trY).size} species`,
);

const cnn = trainCnn(trS, trY, { epochs: arg('cnn-epochs', 3), batchSize: 32, maxLr: 2e-3 });
console.log(
  `[${secs()} s] CNN baseline (species, closed world): ${fmt(classificationMetrics(teY, predictCnn(cnn, teS)))}`,
);

const cfg = { k: arg('k', 4), layers: arg('layers', 2), heads: arg('heads', 2), hidden: arg('hidden', 64) };
const pre = await pretrainMlm({
  sequences: set.sequences,
  config: cfg,
  steps: arg('pretrain-steps', 150),
  batchSize: 32,
  maxLr: 1e-3,
  seed: 0,
});
console.log(
  `[${secs()} s] pretrained k=${cfg.k} ${cfg.layers}x${cfg.heads} hidden ${cfg.hidden}: ${pre.step} steps, loss ${pre.losses[0].toFixed(3)} -> ${pre.losses.at(-1)!.toFixed(3)}`,
);

// Embeddings through onnxruntime (the same graph as tfjs within 1e-4, faster).
const embed = async (seqs: string[]) => {
  const enc = await createDnaEncoder({
    kind: 'onnx',
    model: await encoderToOnnx(pre.config, tensorArrays(pre.params)),
  });
  const { data } = await enc.embed(seqs);
  await enc.dispose();
  return data;
};
const xTr = await embed(trS);
const xTe = await embed(teS);
const probe = trainLinearProbe(xTr, cfg.hidden, trY, { epochs: 100, maxLr: 1e-2 });
console.log(
  `[${secs()} s] linear probe (species, closed world): ${fmt(classificationMetrics(teY, predictWithHead(probe, xTe, cfg.hidden)))}`,
);

const open = openWorldSplit(species, genus, { seed: 0 });
const keysX = await embed(pick(open.train, set.sequences));
const qX = await embed(pick(open.test, set.sequences));
const gPred = knnPredict(keysX, pick(open.train, genus), qX, cfg.hidden);
console.log(
  `[${secs()} s] 1-NN genus of unseen species (open world, ${open.test.length} queries): ${fmt(classificationMetrics(pick(open.test, genus), gPred))}`,
);

const head = fineTune(pre.config, pre.params, trS, trY, {
  epochs: arg('finetune-epochs', 2),
  batchSize: 32,
  maxLr: 1e-3,
});
// (fineTune updated pre.params in place, so embed() now exports the fine-tuned encoder.)
const ft = predictWithHead(head, await embed(teS), cfg.hidden);
console.log(`[${secs()} s] fine-tuned (species, closed world): ${fmt(classificationMetrics(teY, ft))}`);
