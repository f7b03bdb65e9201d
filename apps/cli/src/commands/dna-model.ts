/**
 * `bioscan5m dna pretrain | finetune | probe | embed | export-onnx | benchmark`: BarcodeBERT-style DNA models. Argument
 * parsing and printing only; the jobs are in @bioscan5m/dna (imported when a command runs).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { TAXONOMIC_RANKS, UsageError } from '@bioscan5m/core';
import type { BackendName, DnaEncoderSpec, DnaEvalSummary, SequenceReport } from '@bioscan5m/dna';
import { embedded } from '../data.js';
import { choiceArg, choiceOption, intArg, numberArg, numberOption, pathArg } from '../options.js';
import { withProgressBar } from '../progress.js';

const dna = () => import('@bioscan5m/dna');

const ENGINES = ['onnx', 'tfjs'] as const;
const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
const LOSSES = ['masked', 'all'] as const;
const METHODS = ['linear', 'knn', 'finetuned', 'cnn'] as const;
const PRETRAIN_CORPORA = ['paper', 'non-test'] as const;
const SKIPPABLE = ['cnn', 'finetune', 'identify'] as const;

/** Parser of --skip: a comma-separated subset of SKIPPABLE. */
function skipArg(value: string): (typeof SKIPPABLE)[number][] {
  const parts = value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const x of parts)
    if (!(SKIPPABLE as readonly string[]).includes(x))
      throw new InvalidArgumentError(`unknown part '${x}' (expected ${SKIPPABLE.join(', ')})`);
  return parts as (typeof SKIPPABLE)[number][];
}
/** k-mer lengths the tokenizer supports (the vocabulary has 4^k + special tokens). */
const K_RANGE = { min: 1, max: 12 };
const POSITIVE_INT = { min: 1 };
const LEARNING_RATE = { min: 0, exclusiveMin: true };
const SEED = { min: 0 };

const backendOpt = (v: string | undefined): BackendName | undefined => choiceOption('backend', v, BACKENDS);

/** The encoder of --checkpoint / --onnx (exactly one), with --engine and --k. */
function encoderOpt(o: Opts): DnaEncoderSpec {
  if (!o.checkpoint === !o.onnx) throw new UsageError('give exactly one of --checkpoint or --onnx', '--checkpoint');
  if (o.onnx)
    return {
      kind: 'onnx',
      model: o.onnx as string,
      k: numberOption('k', o.k as string | undefined, { integer: true, ...K_RANGE }),
    };
  return {
    kind: 'checkpoint',
    checkpoint: o.checkpoint as string,
    engine: choiceOption('engine', (o.engine as string | undefined) ?? 'onnx', ENGINES)!,
  };
}

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

/** What happened to a file's sequences: rows without an A/C/G/T base skipped (first few listed), cuts to the model length. */
export function sequenceLines(file: string, s: SequenceReport): string[] {
  const out: string[] = [];
  if (s.skipped) {
    out.push(`${file}: ${s.skipped} of ${s.rows} rows skipped (no usable DNA sequence)`);
    for (const r of s.firstSkipped) out.push(`  line ${r.line}: ${r.reason}`);
    if (s.skipped > s.firstSkipped.length) out.push(`  ... and ${s.skipped - s.firstSkipped.length} more`);
  }
  if (s.truncated)
    out.push(
      `${file}: ${s.truncated} of ${s.used} sequences longer than the model's ${s.maxLen} nucleotides, cut to that length`,
    );
  return out;
}

function printEval(s: DnaEvalSummary, files: { train: string; test?: string }): void {
  console.log(`backend: ${s.backend}; method ${s.method}; rank ${s.rank}`);
  console.log(
    `train: ${s.train.rows} rows used (${s.train.skipped} without a ${s.rank} label or a usable sequence), ${s.train.classes} classes`,
  );
  for (const l of sequenceLines(files.train, s.train.sequences)) console.log(l);
  if (s.test) {
    console.log(
      `test: ${s.test.rows} rows used (${s.test.skipped} not used); ${s.test.unseenClasses} test classes absent from train`,
    );
    for (const l of sequenceLines(files.test ?? 'test', s.test.sequences)) console.log(l);
  }
  if (s.metrics)
    console.log(
      `accuracy ${pct(s.metrics.accuracy)}, balanced accuracy ${pct(s.metrics.balancedAccuracy)}, macro F1 ${pct(s.metrics.macroF1)} (n=${s.metrics.n})`,
    );
  console.log(`done in ${s.seconds.toFixed(1)} s`);
}

const EX = (cmd: string) => `\nExample (embedded sample data):\n  $ bioscan5m dna ${cmd}\n`;

type Opts = Record<string, string | number | boolean | undefined>;

/** Declares the encoder shape flags that modelConfigOptions parses, with the command's own defaults. */
function withModelConfigFlags(
  cmd: Command,
  defaults: { k: number; layers: number; heads: number; hidden: number },
): Command {
  return cmd
    .option('--k <n>', 'k-mer length, 1..12', intArg(K_RANGE), defaults.k)
    .option('--layers <n>', 'transformer layers', intArg(POSITIVE_INT), defaults.layers)
    .option('--heads <n>', 'attention heads (must divide --hidden)', intArg(POSITIVE_INT), defaults.heads)
    .option('--hidden <n>', 'hidden size', intArg(POSITIVE_INT), defaults.hidden)
    .option('--intermediate <n>', 'feed-forward size (default 4 x hidden)', intArg(POSITIVE_INT));
}

/** The encoder shape flags shared by pretrain and benchmark (--k, --layers, --heads, --hidden, --intermediate). */
function modelConfigOptions(o: Opts) {
  return {
    k: numberOption('k', o.k as string, { integer: true, ...K_RANGE })!,
    layers: numberOption('layers', o.layers as string, { integer: true, min: 1 }),
    heads: numberOption('heads', o.heads as string, { integer: true, min: 1 }),
    hidden: numberOption('hidden', o.hidden as string, { integer: true, min: 1 }),
    intermediate: numberOption('intermediate', o.intermediate as string | undefined, { integer: true, min: 1 }),
  };
}

export function registerDnaModelCommands(dnaCommand: Command): void {
  withModelConfigFlags(
    dnaCommand
      .command('pretrain')
      .description('masked-language-model pretraining of a BarcodeBERT-style encoder (50% masking, AdamW + OneCycle)')
      .requiredOption('--data <file>', 'barcodes CSV/TSV with a dna_barcode column', pathArg),
    { k: 6, layers: 2, heads: 4, hidden: 256 },
  )
    .option('--batch <n>', 'sequences per step', intArg(POSITIVE_INT), 64)
    .option('--steps <n>', 'optimizer steps', intArg(POSITIVE_INT), 100)
    .option('--lr <x>', 'peak learning rate (default 1e-4 per 64 sequences of batch)', numberArg(LEARNING_RATE))
    .option(
      '--loss <which>',
      "'masked' (masked tokens only) or 'all' (every position, as the reference code)",
      choiceArg(LOSSES),
      'masked',
    )
    .option('--seed <n>', 'random seed', intArg(SEED), 0)
    .option('--checkpoint <file>', 'checkpoint file (.safetensors), written atomically', pathArg)
    .option('--checkpoint-every <n>', 'steps between checkpoints', intArg(POSITIVE_INT), 50)
    .option('--resume', 'continue from --checkpoint if it exists')
    .option(
      '--engine <name>',
      "'onnx' (onnxruntime-node on every core; default when it loads) or 'tfjs'",
      choiceArg(ENGINES),
    )
    .option('--threads <n>', 'onnxruntime threads (default: every core)', intArg(POSITIVE_INT))
    .option(
      '--backend <name>',
      "force a tfjs backend (implies --engine tfjs): 'tensorflow', 'wasm' or 'cpu'",
      choiceArg(BACKENDS),
    )
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      EX(
        `pretrain --data ${embedded.barcodes} --k 4 --layers 1 --heads 2 --hidden 32 --batch 16 --steps 10 --checkpoint enc.safetensors --json`,
      ),
    )
    .action(async (o: Opts) => {
      const options = {
        data: o.data as string,
        config: modelConfigOptions(o),
        batchSize: numberOption('batch', o.batch as string, { integer: true, min: 1 }),
        steps: numberOption('steps', o.steps as string, { integer: true, min: 1 })!,
        maxLr: numberOption('lr', o.lr as string | undefined, LEARNING_RATE),
        loss: choiceOption('loss', o.loss as string, LOSSES)!,
        seed: numberOption('seed', o.seed as string, { integer: true, ...SEED }),
        checkpoint: o.checkpoint as string | undefined,
        checkpointEvery: numberOption('checkpoint-every', o.checkpointEvery as string, { integer: true, min: 1 }),
        resume: Boolean(o.resume),
        backend: backendOpt(o.backend as string | undefined),
        engine: choiceOption('engine', o.engine as string | undefined, ENGINES),
        threads: numberOption('threads', o.threads as string | undefined, { integer: true, min: 1 }),
      };
      const { encoderConfig, runPretrainJob } = await dna();
      encoderConfig(options.config); // --hidden / --heads checked before any work
      const s = await withProgressBar('pretrain', { quiet: Boolean(o.quiet || o.json) }, (onProgress) =>
        runPretrainJob({ ...options, onProgress }),
      );
      if (o.json) return console.log(JSON.stringify(s));
      console.log(`training backend: ${s.backend}`);
      console.log(`data: ${s.sequences.used} sequences from ${s.data}`);
      for (const l of sequenceLines(s.data, s.sequences)) console.log(l);
      console.log(
        `model: k=${s.config.k}, ${s.config.layers} layers, ${s.config.heads} heads, hidden ${s.config.hidden}, vocabulary ${s.config.vocabSize}`,
      );
      console.log(
        `steps ${s.startStep}..${s.steps} (batch ${s.batchSize}); loss ${s.firstLoss?.toFixed(4)} -> ${s.finalLoss?.toFixed(4)}`,
      );
      console.log(
        `throughput: ${s.sequencesPerSecond === null ? '-' : s.sequencesPerSecond.toFixed(2)} sequences/s (after the warm-up step); ${s.seconds.toFixed(1)} s`,
      );
      if (s.checkpoint) console.log(`checkpoint: ${s.checkpoint}`);
    });

  dnaCommand
    .command('finetune')
    .description('fine-tune a pretrained encoder with a mean-pool + linear species head')
    .requiredOption('--checkpoint <file>', 'pretrained encoder (from `dna pretrain`)', pathArg)
    .requiredOption('--train <file>', 'labelled barcodes CSV', pathArg)
    .option('--test <file>', 'labelled barcodes to evaluate on', pathArg)
    .option('--rank <rank>', 'label rank', choiceArg(TAXONOMIC_RANKS), 'species')
    .requiredOption('--out <file>', 'fine-tuned checkpoint (.safetensors)', pathArg)
    .option('--epochs <n>', 'epochs', intArg(POSITIVE_INT), 3)
    .option('--batch <n>', 'batch size', intArg(POSITIVE_INT), 32)
    .option(
      '--lr <x>',
      'peak learning rate of the encoder (the head starts from a linear probe: LP-FT)',
      numberArg(LEARNING_RATE),
      3e-4,
    )
    .option('--head-lr <x>', 'peak learning rate of the classifier head', numberArg(LEARNING_RATE), 1e-3)
    .option('--seed <n>', 'random seed', intArg(SEED), 0)
    .option('--backend <name>', "force a tfjs backend: 'tensorflow', 'wasm' or 'cpu'", choiceArg(BACKENDS))
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      EX(`finetune --checkpoint enc.safetensors --train ${embedded.barcodes} --out ft.safetensors --epochs 1`),
    )
    .action(async (o: Opts) => {
      const { parseRank, runFinetuneJob } = await dna();
      const options = {
        checkpoint: o.checkpoint as string,
        train: o.train as string,
        test: o.test as string | undefined,
        rank: parseRank(o.rank as string, '--rank'),
        out: o.out as string,
        epochs: numberOption('epochs', o.epochs as string, { integer: true, min: 1 }),
        batchSize: numberOption('batch', o.batch as string, { integer: true, min: 1 }),
        encoderLr: numberOption('lr', o.lr as string, LEARNING_RATE),
        headLr: numberOption('head-lr', o.headLr as string, LEARNING_RATE),
        seed: numberOption('seed', o.seed as string, { integer: true, ...SEED }),
        backend: backendOpt(o.backend as string | undefined),
      };
      const s = await withProgressBar('finetune', { quiet: Boolean(o.quiet || o.json) }, (onProgress) =>
        runFinetuneJob({ ...options, onProgress }),
      );
      if (o.json) return console.log(JSON.stringify(s));
      printEval(s, options);
      console.log(`wrote ${s.out}`);
    });

  dnaCommand
    .command('probe')
    .description(
      'evaluate embeddings: linear probe (frozen encoder), cosine 1-NN (genus of unseen species), a fine-tuned head, or the CNN baseline',
    )
    .requiredOption('--train <file>', 'labelled barcodes to fit on (the 1-NN keys)', pathArg)
    .requiredOption('--test <file>', 'labelled barcodes to evaluate', pathArg)
    .option('--method <m>', "'linear', 'knn', 'finetuned' or 'cnn'", choiceArg(METHODS), 'knn')
    .option('--checkpoint <file>', 'encoder checkpoint (ours)', pathArg)
    .option('--onnx <file>', 'ONNX encoder (ours, or BERT-style exported elsewhere: then give --k)', pathArg)
    .option('--k <n>', 'k-mer length of an ONNX model without bioscan5m metadata, 1..12', intArg(K_RANGE))
    .option(
      '--engine <e>',
      "run a --checkpoint with 'onnx' (onnxruntime, default) or 'tfjs'",
      choiceArg(ENGINES),
      'onnx',
    )
    .option('--rank <rank>', 'label rank (default genus for knn, species otherwise)', choiceArg(TAXONOMIC_RANKS))
    .option('--epochs <n>', 'epochs for linear / cnn', intArg(POSITIVE_INT))
    .option('--seed <n>', 'random seed', intArg(SEED), 0)
    .option('--backend <name>', "force a tfjs backend: 'tensorflow', 'wasm' or 'cpu'", choiceArg(BACKENDS))
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      EX(`probe --checkpoint enc.safetensors --train ${embedded.barcodes} --test ${embedded.barcodes} --method knn`),
    )
    .action(async (o: Opts) => {
      const method = choiceOption('method', o.method as string, METHODS)!;
      const { parseRank, runProbeJob } = await dna();
      const options = {
        train: o.train as string,
        test: o.test as string,
        method,
        encoder: method === 'cnn' && !o.checkpoint && !o.onnx ? undefined : encoderOpt(o),
        rank: o.rank ? parseRank(o.rank as string, '--rank') : undefined,
        epochs: numberOption('epochs', o.epochs as string | undefined, { integer: true, min: 1 }),
        seed: numberOption('seed', o.seed as string, { integer: true, ...SEED }),
        backend: backendOpt(o.backend as string | undefined),
      };
      const s = await withProgressBar('probe', { quiet: Boolean(o.quiet || o.json) }, (onProgress) =>
        runProbeJob({ ...options, onProgress }),
      );
      if (o.json) return console.log(JSON.stringify(s));
      printEval(s, options);
    });

  dnaCommand
    .command('embed')
    .description('embed barcodes (attention-masked mean of the last layer) into a .npy [rows, hidden] float32 matrix')
    .requiredOption('--data <file>', 'barcodes CSV/TSV', pathArg)
    .requiredOption('--out <file>', 'output .npy', pathArg)
    .option('--checkpoint <file>', 'encoder checkpoint (ours)', pathArg)
    .option('--onnx <file>', 'ONNX encoder (ours, or BERT-style exported elsewhere: then give --k)', pathArg)
    .option('--k <n>', 'k-mer length of an ONNX model without bioscan5m metadata, 1..12', intArg(K_RANGE))
    .option(
      '--engine <e>',
      "run a --checkpoint with 'onnx' (onnxruntime, default) or 'tfjs'",
      choiceArg(ENGINES),
      'onnx',
    )
    .option('--backend <name>', "tfjs backend for --engine tfjs: 'tensorflow', 'wasm' or 'cpu'", choiceArg(BACKENDS))
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EX(`embed --checkpoint enc.safetensors --data ${embedded.barcodes} --out emb.npy`))
    .action(async (o: Opts) => {
      const options = {
        encoder: encoderOpt(o),
        data: o.data as string,
        out: o.out as string,
        backend: backendOpt(o.backend as string | undefined),
      };
      const { runDnaEmbedJob } = await dna();
      const s = await withProgressBar('embed', { quiet: Boolean(o.quiet || o.json) }, (onProgress) =>
        runDnaEmbedJob({ ...options, onProgress }),
      );
      if (o.json) return console.log(JSON.stringify(s));
      console.log(`encoder: ${s.encoder} (${s.engine})`);
      for (const l of sequenceLines(options.data, s.sequences)) console.log(l);
      console.log(`wrote ${s.out}: ${s.rows} x ${s.dim} float32 (${s.seconds.toFixed(1)} s)`);
    });

  dnaCommand
    .command('export-onnx')
    .description(
      'export an encoder checkpoint to ONNX (inputs input_ids, attention_mask; outputs last_hidden_state, pooled_embedding)',
    )
    .requiredOption('--checkpoint <file>', 'encoder checkpoint', pathArg)
    .requiredOption('--out <file>', 'output .onnx', pathArg)
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'nothing but the result and errors (it shows no progress)')
    .addHelpText('after', EX('export-onnx --checkpoint enc.safetensors --out enc.onnx'))
    .action(async (o: Opts) => {
      const s = await (await dna()).runExportOnnxJob({ checkpoint: o.checkpoint as string, out: o.out as string });
      if (o.json) return console.log(JSON.stringify(s));
      console.log(
        `wrote ${s.out} (k=${s.config.k}, ${s.config.layers} layers, hidden ${s.config.hidden}, opset 17, ${s.bytes} bytes)`,
      );
    });

  withModelConfigFlags(
    dnaCommand
      .command('benchmark')
      .description(
        "the paper's Table 4 on a barcode table: pretrain, fine-tune and probe the encoder beside the CNN, 4-mer and identify baselines (resumable)",
      )
      .requiredOption('--data <file>', 'barcodes CSV/TSV with dna_barcode, genus and species columns', pathArg)
      .requiredOption(
        '--out <dir>',
        'working folder: split files, checkpoint, resume state, table4.md and table4.json',
        pathArg,
      ),
    { k: 4, layers: 2, heads: 2, hidden: 64 },
  )
    .option('--steps <n>', 'pretraining steps', intArg(POSITIVE_INT), 1200)
    .option('--batch <n>', 'pretraining sequences per step', intArg(POSITIVE_INT), 32)
    .option('--lr <x>', 'pretraining peak learning rate', numberArg(LEARNING_RATE), 1e-3)
    .option('--curve-points <n>', '1-NN probes (and checkpoints) along the pretraining', intArg(POSITIVE_INT), 4)
    .option(
      '--pretrain-on <which>',
      "'paper' (pretrain + other_heldout partitions) or 'non-test' (every barcode outside the test sets)",
      choiceArg(PRETRAIN_CORPORA),
      'paper',
    )
    .option(
      '--onnx <file>',
      'probe this ONNX encoder (e.g. an exported BarcodeBERT) instead of pretraining one',
      pathArg,
    )
    .option(
      '--onnx-k <n>',
      "k-mer length of --onnx (when its metadata does not say; BarcodeBERT's does not)",
      intArg(K_RANGE),
    )
    .option('--finetune-epochs <n>', 'fine-tuning epochs', intArg(POSITIVE_INT), 6)
    .option(
      '--encoder-lr <x>',
      'fine-tuning peak learning rate of the encoder (default 3e-4)',
      numberArg(LEARNING_RATE),
    )
    .option('--head-lr <x>', 'fine-tuning peak learning rate of the head (default 1e-3)', numberArg(LEARNING_RATE))
    .option('--linear-epochs <n>', 'linear-probe epochs', intArg(POSITIVE_INT), 100)
    .option('--cnn-epochs <n>', 'CNN baseline epochs', intArg(POSITIVE_INT), 5)
    .option('--skip <parts>', "comma-separated parts to leave out: 'cnn', 'finetune', 'identify'", skipArg, [])
    .option('--seed <n>', 'random seed', intArg(SEED), 0)
    .option('--fresh', "start over, discarding a previous run's state in --out (default: resume it)")
    .option('--backend <name>', "force a tfjs backend: 'tensorflow', 'wasm' or 'cpu'", choiceArg(BACKENDS))
    .option('--json', 'print the JSON summary')
    .option('--quiet', 'no progress bar or part lines')
    .addHelpText(
      'after',
      EX(
        `benchmark --data ${embedded.barcodes} --out bench-dna --layers 1 --hidden 32 --steps 20 --finetune-epochs 1 --cnn-epochs 1`,
      ),
    )
    .action(async (o: Opts) => {
      if (o.onnxK !== undefined && !o.onnx) throw new UsageError('--onnx-k needs --onnx', '--onnx-k');
      const options = {
        data: o.data as string,
        outDir: o.out as string,
        onnx: o.onnx
          ? {
              model: o.onnx as string,
              k: numberOption('onnx-k', o.onnxK as string | undefined, { integer: true, ...K_RANGE }),
            }
          : undefined,
        config: modelConfigOptions(o),
        pretrainSteps: numberOption('steps', o.steps as string, { integer: true, min: 1 }),
        batchSize: numberOption('batch', o.batch as string, { integer: true, min: 1 }),
        maxLr: numberOption('lr', o.lr as string, LEARNING_RATE),
        curvePoints: numberOption('curve-points', o.curvePoints as string, { integer: true, min: 1 }),
        pretrainOn: choiceOption('pretrain-on', o.pretrainOn as string, PRETRAIN_CORPORA),
        finetuneEpochs: numberOption('finetune-epochs', o.finetuneEpochs as string, { integer: true, min: 1 }),
        encoderLr: numberOption('encoder-lr', o.encoderLr as string | undefined, LEARNING_RATE),
        headLr: numberOption('head-lr', o.headLr as string | undefined, LEARNING_RATE),
        linearEpochs: numberOption('linear-epochs', o.linearEpochs as string, { integer: true, min: 1 }),
        cnnEpochs: numberOption('cnn-epochs', o.cnnEpochs as string, { integer: true, min: 1 }),
        skip: o.skip as unknown as (typeof SKIPPABLE)[number][],
        seed: numberOption('seed', o.seed as string, { integer: true, ...SEED }),
        fresh: Boolean(o.fresh),
        backend: backendOpt(o.backend as string | undefined),
      };
      const { encoderConfig, runDnaBenchmarkJob } = await dna();
      encoderConfig(options.config); // --hidden / --heads checked before any work
      const quiet = Boolean(o.quiet || o.json);
      const s = await withProgressBar('table 4', { quiet }, (onProgress) =>
        runDnaBenchmarkJob({ ...options, onProgress, onLog: quiet ? undefined : (line) => console.error(line) }),
      );
      if (o.json) return console.log(JSON.stringify(s));
      if (s.resumed.length)
        console.log(`resumed: ${s.resumed.join(', ')} taken from the previous run in ${options.outDir}`);
      console.log(readFileSync(s.markdown, 'utf8').trimEnd());
      console.log(`wrote ${s.markdown} and ${s.json} (${(s.seconds / 60).toFixed(1)} min)`);
    });
}
