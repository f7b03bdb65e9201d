/**
 * Demo stage `dna-model`: the paper's Table 4 on the embedded barcodes. A BarcodeBERT-style encoder is pretrained
 * (masked k-mers) on the barcodes outside both test sets, fine-tuned for species, and probed: a linear probe
 * (species of seen species) and 1-NN genus of species held out of training. Beside it the same tasks with the
 * 4-mer 1-NN baseline and the CNN baseline. It says whether the learned model beats the k-mer baseline and why not.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTable } from '@bioscan5m/core';
import { embedded } from '../data.js';
import type { DemoStage } from '../commands/demo-stage.js';
import type { DnaModelResult, MethodScore } from '../report/results.js';
import { kmerNearestAccuracy, labelledRows } from './kmer-baseline.js';

/** The pretrained encoder, relative to the demo folder (the cluster stage embeds with it). */
export const DNA_ENCODER_FILE = path.join('dna-model', 'encoder.safetensors');

/** Budgets: `quick` keeps the tests fast; `full` is sized for the demo's 10 minutes on 2 busy cores. */
const BUDGET = {
  quick: {
    config: { k: 4, layers: 1, heads: 2, hidden: 32, intermediate: 64 },
    steps: 8,
    chunks: 1,
    batchSize: 16,
    finetuneEpochs: 1,
    cnnEpochs: 0,
  },
  full: {
    config: { k: 4, layers: 2, heads: 4, hidden: 64, intermediate: 128 },
    steps: 200,
    chunks: 4,
    batchSize: 32,
    finetuneEpochs: 8,
    cnnEpochs: 5,
  },
};
const SEED = 1;
const TASKS = ['seen: species (fine-tuned)', 'seen: species (linear probe)', 'unseen: genus (1-NN probe)'] as const;
const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(1)}%`);

function csv(header: readonly string[], rows: readonly string[][]): string {
  const field = (f: string) => (/[",\n\r]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

export const dnaModelStage: DemoStage = {
  name: 'dna-model',
  title: 'DNA encoder: masked-k-mer pretraining, fine-tuning and probes (Table 4) beside the k-mer and CNN baselines',
  seconds: { quick: 15, full: 180 },
  async run(ctx): Promise<DnaModelResult> {
    const budget = ctx.quick ? BUDGET.quick : BUDGET.full;
    const dir = path.join(ctx.outDir, 'dna-model');
    mkdirSync(dir, { recursive: true });
    const dna = await import('@bioscan5m/dna');
    const t = await readTable(embedded.barcodes);
    const col = (n: string) => t.header.indexOf(n);
    // Closed world: species seen in training, test barcodes new. Open world: species absent from training.
    const closed = dna.closedWorldSplit(
      t.rows.map((r) => r[col('dna_barcode')]),
      t.rows.map((r) => r[col('species')]),
      { seed: SEED },
    );
    const open = dna.openWorldSplit(
      t.rows.map((r) => r[col('species')]),
      t.rows.map((r) => r[col('genus')]),
      { seed: SEED },
    );
    const inTest = new Set([...closed.test, ...open.test]);
    const files = {
      pretrain: t.rows.filter((_, i) => !inTest.has(i)),
      closedTrain: closed.train.map((i) => t.rows[i]),
      closedTest: closed.test.map((i) => t.rows[i]),
      openTrain: open.train.map((i) => t.rows[i]),
      openTest: open.test.map((i) => t.rows[i]),
    };
    const paths = Object.fromEntries(Object.keys(files).map((k) => [k, path.join(dir, `${k}.csv`)])) as Record<
      keyof typeof files,
      string
    >;
    for (const [k, rows] of Object.entries(files)) writeFileSync(paths[k as keyof typeof files], csv(t.header, rows));
    ctx.log(
      `barcodes: ${files.pretrain.length} for pretraining (no test barcode), seen species ${files.closedTrain.length} train / ${files.closedTest.length} test, ` +
        `unseen species ${files.openTrain.length} train / ${files.openTest.length} test`,
    );

    const checkpoint = path.join(ctx.outDir, DNA_ENCODER_FILE);
    rmSync(checkpoint, { force: true }); // a fresh schedule: the chunks below resume only from each other
    const encoder = { kind: 'checkpoint' as const, checkpoint };
    const totalSteps = budget.steps;
    const progressTotal = totalSteps + 4;
    // Pretraining in chunks of one schedule (checkpoint, resume), with the open-world 1-NN probe after each:
    // the learning curve is the evidence for the verdict below.
    const curve: DnaModelResult['curve'] = [];
    let pre: Awaited<ReturnType<typeof dna.runPretrainJob>> | undefined;
    let firstLoss: number | null = null;
    let seconds = 0;
    for (let c = 1; c <= budget.chunks; c++) {
      const stopAfter = Math.round((budget.steps * c) / budget.chunks);
      pre = await dna.runPretrainJob({
        data: paths.pretrain,
        config: budget.config,
        steps: budget.steps,
        stopAfter,
        resume: c > 1,
        batchSize: budget.batchSize,
        maxLr: 2e-3,
        seed: SEED,
        checkpoint,
        onProgress: (d) => ctx.onProgress?.(d, progressTotal),
      });
      firstLoss ??= pre.firstLoss;
      seconds += pre.seconds;
      const probe = await dna.runProbeJob({
        encoder,
        train: paths.openTrain,
        test: paths.openTest,
        method: 'knn',
        rank: 'genus',
      });
      curve.push({ steps: pre.steps, loss: pre.finalLoss, knnGenus: probe.metrics?.accuracy ?? null });
      ctx.log(
        `pretraining step ${pre.steps}/${budget.steps}: masked-token loss ${pre.finalLoss?.toFixed(3)}, 1-NN genus of unseen species ${pct(probe.metrics?.accuracy)}`,
      );
    }
    pre = pre!;
    const tokensSeen = pre.steps * pre.batchSize * Math.ceil(pre.config.maxLen / pre.config.k);
    ctx.log(
      `pretrained k=${pre.config.k}, ${pre.config.layers} layers, ${pre.config.heads} heads, hidden ${pre.config.hidden} on ${pre.backend}: ${pre.steps} steps of ${pre.batchSize}, ` +
        `loss ${firstLoss?.toFixed(3)} -> ${pre.finalLoss?.toFixed(3)}, ${seconds.toFixed(0)} s`,
    );
    const ft = await dna.runFinetuneJob({
      checkpoint,
      train: paths.closedTrain,
      test: paths.closedTest,
      out: path.join(dir, 'finetuned.safetensors'),
      epochs: budget.finetuneEpochs,
      seed: SEED,
    });
    ctx.onProgress?.(totalSteps + 1, progressTotal);
    ctx.log(
      `fine-tuned for species (${budget.finetuneEpochs} epochs, ${ft.seconds.toFixed(0)} s): ${pct(ft.metrics?.accuracy)} of ${ft.test?.rows} test barcodes of seen species`,
    );
    const lin = await dna.runProbeJob({
      encoder,
      train: paths.closedTrain,
      test: paths.closedTest,
      method: 'linear',
      rank: 'species',
      seed: SEED,
    });
    const knnGenus = curve.at(-1)!.knnGenus;
    ctx.onProgress?.(totalSteps + 2, progressTotal);
    ctx.log(
      `linear probe (frozen encoder), species of seen species: ${pct(lin.metrics?.accuracy)} (${lin.seconds.toFixed(0)} s)`,
    );
    // The CNN trains from scratch (several minutes): left out of the quick run.
    const cnn = budget.cnnEpochs
      ? await dna.runProbeJob({
          train: paths.closedTrain,
          test: paths.closedTest,
          method: 'cnn',
          rank: 'species',
          epochs: budget.cnnEpochs,
          seed: SEED,
        })
      : null;
    ctx.onProgress?.(totalSteps + 3, progressTotal);
    const ranks = ['species', 'genus'];
    const kClosed = await kmerNearestAccuracy(
      labelledRows(t.header, files.closedTrain, ranks),
      labelledRows(t.header, files.closedTest, ranks),
      ['species'],
    );
    const kOpen = await kmerNearestAccuracy(
      labelledRows(t.header, files.openTrain, ranks),
      labelledRows(t.header, files.openTest, ranks),
      ['genus'],
    );
    ctx.onProgress?.(progressTotal, progressTotal);
    ctx.log(
      `baselines: CNN species ${cnn ? `${pct(cnn.metrics?.accuracy)} (${cnn.seconds.toFixed(0)} s)` : 'not run (--quick)'}; 4-mer 1-NN species ${pct(kClosed.species)}, genus of unseen species ${pct(kOpen.genus)}`,
    );

    const methods: MethodScore[] = [
      {
        method: `ours (k=${pre.config.k}, ${pre.config.layers}-${pre.config.heads}-${pre.config.hidden})`,
        kind: 'ours',
        scores: {
          [TASKS[0]]: ft.metrics?.accuracy ?? null,
          [TASKS[1]]: lin.metrics?.accuracy ?? null,
          [TASKS[2]]: knnGenus,
        },
      },
      {
        method: 'CNN baseline',
        kind: 'baseline',
        scores: { [TASKS[0]]: cnn?.metrics?.accuracy ?? null, [TASKS[1]]: null, [TASKS[2]]: null },
        note: cnn ? 'trained from scratch as a species classifier' : 'not run in --quick',
      },
      {
        method: '4-mer frequencies, 1-NN',
        kind: 'baseline',
        scores: { [TASKS[0]]: kClosed.species, [TASKS[1]]: null, [TASKS[2]]: kOpen.genus },
        note: 'no training',
      },
    ];
    const verdict = judge(
      knnGenus,
      kOpen.genus,
      tokensSeen,
      { steps: pre.steps, firstLoss, finalLoss: pre.finalLoss },
      curve,
    );
    ctx.log(verdict.text);
    return {
      quick: Boolean(ctx.quick),
      config: pre.config,
      pretrain: {
        steps: pre.steps,
        batchSize: pre.batchSize,
        firstLoss,
        finalLoss: pre.finalLoss,
        seconds,
        sequences: pre.sequences.used ?? files.pretrain.length,
        tokensSeen,
      },
      finetune: { epochs: budget.finetuneEpochs, seconds: ft.seconds },
      data: { train: files.closedTrain.length, testSeen: files.closedTest.length, testUnseen: files.openTest.length },
      tasks: [...TASKS],
      methods,
      curve,
      kmerKnnGenus: kOpen.genus,
      verdict,
    };
  },
};

/** The open-world comparison the issue asks for, said plainly with its evidence (the learning curve). */
function judge(
  ours: number | null,
  kmer: number | null,
  tokensSeen: number,
  pre: { steps: number; firstLoss: number | null; finalLoss: number | null },
  curve: DnaModelResult['curve'],
): DnaModelResult['verdict'] {
  if (ours === null || kmer === null)
    return { beatsKmer: false, text: 'no comparison: a test set had no labelled barcode' };
  if (ours > kmer)
    return {
      beatsKmer: true,
      text: `The learned encoder beats the 4-mer baseline on genus of unseen species: ${pct(ours)} vs ${pct(kmer)} (1-NN).`,
    };
  const paperTokens = 7e9;
  const trend =
    curve.length > 1
      ? ` Along the pretraining the 1-NN accuracy went ${curve.map((p) => pct(p.knnGenus)).join(' -> ')} (steps ${curve.map((p) => p.steps).join(', ')}).`
      : '';
  return {
    beatsKmer: false,
    text:
      `The learned encoder does not beat the 4-mer baseline on genus of unseen species: ${pct(ours)} vs ${pct(kmer)} (1-NN). ` +
      `It saw ${tokensSeen.toLocaleString('en-US')} tokens in ${pre.steps} steps; the paper's model saw about ${(paperTokens / 1e9).toFixed(0)} billion ` +
      `(${(paperTokens / Math.max(1, tokensSeen)).toExponential(1)} times more) from 2.3 million barcodes, here a few hundred. Its masked-token loss went ${pre.firstLoss?.toFixed(2)} -> ${pre.finalLoss?.toFixed(2)} ` +
      `(chance: ${Math.log(256).toFixed(2)} for 4-mers).${trend} Minutes of CPU on a few hundred barcodes do not yet teach the encoder more than the k-mer counts it reads.`,
  };
}
