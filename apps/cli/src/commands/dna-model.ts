/**
 * `bioscan5m dna pretrain | finetune | probe | embed | export-onnx`: BarcodeBERT-style DNA models. Argument
 * parsing and printing only; the work is in @bioscan5m/dna.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Bioscan5mError, readTable } from '@bioscan5m/core';
import type { EvalSummary } from '@bioscan5m/dna';
import { embedded } from '../data.js';
import { numberOption } from '../options.js';
import { loadDna } from '../lazy-packages.js';
import { progressBar } from '../progress.js';
import type { DemoStage } from './demo-stage.js';


function engineOpt(e: string): 'onnx' | 'tfjs' {
  if (e !== 'onnx' && e !== 'tfjs') throw new Bioscan5mError(`--engine: expected 'onnx' or 'tfjs', got '${e}'`);
  return e;
}

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

function printEval(s: EvalSummary): void {
  console.log(`backend: ${s.backend}; method ${s.method}; rank ${s.rank}`);
  console.log(`train: ${s.train.rows} rows (${s.train.skipped} without a ${s.rank} label or sequence, not used), ${s.train.classes} classes`);
  if (s.test) console.log(`test: ${s.test.rows} rows (${s.test.skipped} not used); ${s.test.unseenClasses} test classes absent from train`);
  if (s.metrics) console.log(`accuracy ${pct(s.metrics.accuracy)}, balanced accuracy ${pct(s.metrics.balancedAccuracy)}, macro F1 ${pct(s.metrics.macroF1)} (n=${s.metrics.n})`);
  console.log(`done in ${s.seconds.toFixed(1)} s`);
}

const EX = (cmd: string) => `\nExample (embedded sample data):\n  $ bioscan5m dna ${cmd}\n`;

interface ModelOpts {
  json?: boolean;
  quiet?: boolean;
  backend?: string;
}

export function registerDnaModelCommands(dna: Command): void {
  dna
    .command('pretrain')
    .description('masked-language-model pretraining of a BarcodeBERT-style encoder (50% masking, AdamW + OneCycle)')
    .requiredOption('--data <file>', 'barcodes CSV/TSV with a dna_barcode column')
    .option('--k <n>', 'k-mer length', '6')
    .option('--layers <n>', 'transformer layers', '2')
    .option('--heads <n>', 'attention heads', '4')
    .option('--hidden <n>', 'hidden size', '256')
    .option('--intermediate <n>', 'feed-forward size (default 4 x hidden)')
    .option('--batch <n>', 'sequences per step', '64')
    .option('--steps <n>', 'optimizer steps', '100')
    .option('--lr <x>', 'peak learning rate (default 1e-4 per 64 sequences of batch)')
    .option('--loss <which>', "'masked' (masked tokens only) or 'all' (every position, as the reference code)", 'masked')
    .option('--seed <n>', 'random seed', '0')
    .option('--checkpoint <file>', 'checkpoint file (.safetensors), written atomically')
    .option('--checkpoint-every <n>', 'steps between checkpoints', '50')
    .option('--resume', 'continue from --checkpoint if it exists')
    .option('--backend <name>', "force a tfjs backend: 'tensorflow', 'wasm' or 'cpu'")
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EX(`pretrain --data ${embedded.barcodes} --k 4 --layers 1 --heads 2 --hidden 32 --batch 16 --steps 10 --checkpoint enc.safetensors --json`))
    .action(async (o: ModelOpts & Record<string, string | boolean | undefined>) => {
      if (o.backend) await (await loadDna()).initBackend({ prefer: o.backend as string });
      const loss = o.loss as string;
      if (loss !== 'masked' && loss !== 'all') throw new Bioscan5mError(`--loss: expected 'masked' or 'all', got '${loss}'`);
      const bar = progressBar('pretrain', { quiet: o.quiet || o.json });
      const s = await (await loadDna()).pretrainFile({
        data: o.data as string,
        config: {
          k: numberOption('k', o.k as string, { integer: true, min: 1 })!,
          layers: numberOption('layers', o.layers as string, { integer: true, min: 1 }),
          heads: numberOption('heads', o.heads as string, { integer: true, min: 1 }),
          hidden: numberOption('hidden', o.hidden as string, { integer: true, min: 1 }),
          intermediate: numberOption('intermediate', o.intermediate as string | undefined, { integer: true, min: 1 }),
        },
        batchSize: numberOption('batch', o.batch as string, { integer: true, min: 1 }),
        steps: numberOption('steps', o.steps as string, { integer: true, min: 1 })!,
        maxLr: numberOption('lr', o.lr as string | undefined, { min: 0 }),
        loss,
        seed: numberOption('seed', o.seed as string, { integer: true }),
        checkpoint: o.checkpoint as string | undefined,
        checkpointEvery: numberOption('checkpoint-every', o.checkpointEvery as string, { integer: true, min: 1 }),
        resume: Boolean(o.resume),
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      if (o.json) return console.log(JSON.stringify(s));
      console.log(`backend: ${s.backend}`);
      console.log(`data: ${s.sequences} sequences from ${s.data}${s.skippedRows ? ` (${s.skippedRows} rows without a sequence skipped)` : ''}`);
      console.log(`model: k=${s.config.k}, ${s.config.layers} layers, ${s.config.heads} heads, hidden ${s.config.hidden}, vocabulary ${s.config.vocabSize}`);
      console.log(`steps ${s.startStep}..${s.steps} (batch ${s.batchSize}); loss ${s.firstLoss?.toFixed(4)} -> ${s.finalLoss?.toFixed(4)}`);
      console.log(`throughput: ${s.sequencesPerSecond === null ? '-' : s.sequencesPerSecond.toFixed(2)} sequences/s (after the warm-up step); ${s.seconds.toFixed(1)} s`);
      if (s.checkpoint) console.log(`checkpoint: ${s.checkpoint}`);
    });

  dna
    .command('finetune')
    .description('fine-tune a pretrained encoder with a mean-pool + linear species head')
    .requiredOption('--checkpoint <file>', 'pretrained encoder (from `dna pretrain`)')
    .requiredOption('--train <file>', 'labelled barcodes CSV')
    .option('--test <file>', 'labelled barcodes to evaluate on')
    .option('--rank <rank>', 'label rank', 'species')
    .requiredOption('--out <file>', 'fine-tuned checkpoint (.safetensors)')
    .option('--epochs <n>', 'epochs', '3')
    .option('--batch <n>', 'batch size', '32')
    .option('--lr <x>', 'peak learning rate', '1e-4')
    .option('--seed <n>', 'random seed', '0')
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EX(`finetune --checkpoint enc.safetensors --train ${embedded.barcodes} --out ft.safetensors --epochs 1`))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const bar = progressBar('finetune', { quiet: Boolean(o.quiet || o.json) });
      const s = await (await loadDna()).finetuneFile({
        checkpoint: o.checkpoint as string,
        train: o.train as string,
        test: o.test as string | undefined,
        rank: (await loadDna()).checkRank(o.rank as string),
        out: o.out as string,
        epochs: numberOption('epochs', o.epochs as string, { integer: true, min: 1 }),
        batchSize: numberOption('batch', o.batch as string, { integer: true, min: 1 }),
        maxLr: numberOption('lr', o.lr as string, { min: 0 }),
        seed: numberOption('seed', o.seed as string, { integer: true }),
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      if (o.json) return console.log(JSON.stringify(s));
      printEval(s);
      console.log(`wrote ${s.out}`);
    });

  dna
    .command('probe')
    .description('evaluate embeddings: linear probe (frozen encoder), cosine 1-NN (genus of unseen species), a fine-tuned head, or the CNN baseline')
    .requiredOption('--train <file>', 'labelled barcodes to fit on (the 1-NN keys)')
    .requiredOption('--test <file>', 'labelled barcodes to evaluate')
    .option('--method <m>', "'linear', 'knn', 'finetuned' or 'cnn'", 'knn')
    .option('--checkpoint <file>', 'encoder checkpoint (ours)')
    .option('--onnx <file>', 'ONNX encoder (ours, or BERT-style exported elsewhere: then give --k)')
    .option('--k <n>', 'k-mer length of an ONNX model without bioscan5m metadata')
    .option('--rank <rank>', 'label rank (default genus for knn, species otherwise)')
    .option('--epochs <n>', 'epochs for linear / cnn')
    .option('--seed <n>', 'random seed', '0')
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EX(`probe --checkpoint enc.safetensors --train ${embedded.barcodes} --test ${embedded.barcodes} --method knn`))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const method = o.method as string;
      if (!['linear', 'knn', 'finetuned', 'cnn'].includes(method)) throw new Bioscan5mError(`--method: expected linear, knn, finetuned or cnn, got '${method}'`);
      if (method !== 'cnn' && !o.checkpoint && !o.onnx) throw new Bioscan5mError('give --checkpoint or --onnx');
      const bar = progressBar('probe', { quiet: Boolean(o.quiet || o.json) });
      const s = await (await loadDna()).probeFile({
        checkpoint: o.checkpoint as string | undefined,
        onnx: o.onnx as string | undefined,
        k: numberOption('k', o.k as string | undefined, { integer: true, min: 1 }),
        train: o.train as string,
        test: o.test as string,
        method: method as 'knn',
        rank: o.rank ? (await loadDna()).checkRank(o.rank as string) : undefined,
        epochs: numberOption('epochs', o.epochs as string | undefined, { integer: true, min: 1 }),
        seed: numberOption('seed', o.seed as string, { integer: true }),
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      if (o.json) return console.log(JSON.stringify(s));
      printEval(s);
    });

  dna
    .command('embed')
    .description('embed barcodes (attention-masked mean of the last layer) into a .npy [rows, hidden] float32 matrix')
    .requiredOption('--data <file>', 'barcodes CSV/TSV')
    .requiredOption('--out <file>', 'output .npy')
    .option('--checkpoint <file>', 'encoder checkpoint (tfjs)')
    .option('--onnx <file>', 'ONNX encoder (onnxruntime-node)')
    .option('--k <n>', 'k-mer length of an ONNX model without bioscan5m metadata')
    .option('--engine <e>', "run a --checkpoint with 'onnx' (onnxruntime, default) or 'tfjs'", 'onnx')
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EX(`embed --checkpoint enc.safetensors --data ${embedded.barcodes} --out emb.npy`))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      if (!o.checkpoint === !o.onnx) throw new Bioscan5mError('give exactly one of --checkpoint or --onnx');
      const bar = progressBar('embed', { quiet: Boolean(o.quiet || o.json) });
      const s = await (await loadDna()).embedFile({
        checkpoint: o.checkpoint as string | undefined,
        onnx: o.onnx as string | undefined,
        k: numberOption('k', o.k as string | undefined, { integer: true, min: 1 }),
        engine: engineOpt(o.engine as string),
        data: o.data as string,
        out: o.out as string,
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      if (o.json) return console.log(JSON.stringify(s));
      console.log(`backend: ${s.backend}`);
      console.log(`wrote ${s.out}: ${s.rows} x ${s.dim} float32${s.skippedRows ? `; ${s.skippedRows} rows without a sequence skipped` : ''} (${s.seconds.toFixed(1)} s)`);
    });

  dna
    .command('export-onnx')
    .description('export an encoder checkpoint to ONNX (inputs input_ids, attention_mask; outputs last_hidden_state, pooled_embedding)')
    .requiredOption('--checkpoint <file>', 'encoder checkpoint')
    .requiredOption('--out <file>', 'output .onnx')
    .option('--json', 'print one JSON summary')
    .addHelpText('after', EX('export-onnx --checkpoint enc.safetensors --out enc.onnx'))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const s = await (await loadDna()).exportOnnxFile(o.checkpoint as string, o.out as string);
      if (o.json) return console.log(JSON.stringify(s));
      console.log(`wrote ${s.out} (k=${s.config.k}, ${s.config.layers} layers, hidden ${s.config.hidden}, opset 17)`);
    });
}

/** Splits the embedded barcodes into train and unseen-species test files (genus seen) for the demo. */
async function writeOpenWorldSplit(outDir: string): Promise<{ train: string; test: string }> {
  const t = await readTable(embedded.barcodes);
  const col = (n: string) => t.header.indexOf(n);
  const split = (await loadDna()).openWorldSplit(
    t.rows.map((r) => r[col('species')]),
    t.rows.map((r) => r[col('genus')]),
    { seed: 1 },
  );
  const csv = (idx: number[]) =>
    [t.header, ...idx.map((i) => t.rows[i])].map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\n') + '\n';
  const train = path.join(outDir, 'dna-model-train.csv');
  const test = path.join(outDir, 'dna-model-unseen.csv');
  writeFileSync(train, csv(split.train));
  writeFileSync(test, csv(split.test));
  return { train, test };
}

export const dnaModelDemoStages: DemoStage[] = [
  {
    name: 'dna-model',
    async run(ctx) {
      mkdirSync(ctx.outDir, { recursive: true });
      const ck = path.join(ctx.outDir, 'dna-encoder.safetensors');
      const s = await (await loadDna()).pretrainFile({
        data: embedded.barcodes,
        config: { k: 4, layers: 1, heads: 2, hidden: 32, intermediate: 64 },
        steps: 8,
        batchSize: 16,
        maxLr: 2e-3,
        checkpoint: ck,
      });
      ctx.log(`pretrained a tiny encoder on the ${s.backend} backend: ${s.steps} steps, loss ${s.firstLoss?.toFixed(3)} -> ${s.finalLoss?.toFixed(3)}, ${s.sequencesPerSecond?.toFixed(1)} sequences/s`);
      const npy = path.join(ctx.outDir, 'dna-embeddings.npy');
      const e = await (await loadDna()).embedFile({ checkpoint: ck, data: embedded.barcodes, out: npy });
      ctx.log(`embedded ${e.rows} barcodes -> ${npy} (${e.rows} x ${e.dim})`);
      const { train, test } = await writeOpenWorldSplit(ctx.outDir);
      const p = await (await loadDna()).probeFile({ checkpoint: ck, train, test, method: 'knn', rank: 'genus' });
      ctx.log(`1-NN genus of unseen species: ${pct(p.metrics?.accuracy)} accuracy over ${p.test?.rows} barcodes of species held out of training (test genera missing from training: ${p.test?.unseenClasses})`);
    },
  },
];
