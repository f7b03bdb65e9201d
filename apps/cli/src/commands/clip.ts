/**
 * `bioscan5m clip eval|train|embed`: contrastive alignment (CLIBD) and retrieval evaluation. Argument parsing and
 * printing only; the work is in @bioscan5m/clip, imported when a clip command runs.
 */
import type { Command } from 'commander';
import { UsageError } from '@bioscan5m/core';
import type * as ClipPackage from '@bioscan5m/clip';
import { choiceArg, collect, intArg, numberArg, numberOption, pathArg } from '../options.js';
import { withProgressBar } from '../progress.js';
import { evalReport, formatRetrievalTable } from './clip-format.js';

let clip: Promise<typeof ClipPackage> | undefined;
export const loadClip = (): Promise<typeof ClipPackage> => (clip ??= import('@bioscan5m/clip'));

interface EvalOpts {
  keys: string;
  keyLabels: string;
  queries: string;
  queryLabels: string;
  rank?: string[];
  k?: string[];
  search: string;
  normalize: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface TrainOpts {
  labels: string;
  imageFeatures?: string;
  dnaFeatures?: string;
  textFeatures?: string;
  dnaEncoder?: string;
  sequenceColumn: string;
  loraRank: number;
  loraAlpha?: number;
  text?: string;
  vocab?: string;
  pairs?: string;
  trainSplit?: string[];
  dim: number;
  steps: number;
  batch: number;
  lr: number;
  weightDecay: number;
  temperature: string;
  seed: number;
  checkpoint: string;
  checkpointEvery: number;
  resume?: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface EmbedOpts {
  checkpoint: string;
  modality: string;
  features?: string;
  labels?: string;
  out: string;
  normalize: boolean;
  json?: boolean;
}

const MODALITIES = ['image', 'dna', 'text'] as const;
type ModalityName = (typeof MODALITIES)[number];

function parsePairs(value: string | undefined): [ModalityName, ModalityName][] | undefined {
  if (!value) return undefined;
  return value.split(',').map((p) => {
    const [a, b] = p.trim().split('-') as ModalityName[];
    if (!MODALITIES.includes(a) || !MODALITIES.includes(b) || a === b)
      throw new UsageError(`expected pairs like image-dna,image-text,dna-text, got '${p}'`, '--pairs');
    return [a, b];
  });
}

function parseKs(values: string[] | undefined): number[] | undefined {
  if (!values) return undefined;
  const ks = values
    .flatMap((v) => v.split(','))
    .map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000)
        throw new UsageError(`expected integers in 1..1000, got '${v}'`, '--k');
      return n;
    });
  return [...new Set(ks)].sort((a, b) => a - b);
}

/** Parser of --text: 'tokens' or 'onnx:MODEL.onnx'. */
function textArg(v: string): string {
  if (v !== 'tokens' && !/^onnx:./.test(v))
    throw new UsageError(`expected tokens or onnx:MODEL.onnx, got '${v}'`, '--text');
  return v;
}

export function registerClipCommands(program: Command): void {
  const cmd = program
    .command('clip')
    .description('contrastive alignment of images, DNA and taxonomy text (CLIBD) and retrieval evaluation');
  cmd
    .command('train')
    .description(
      'align frozen encoder features of paired records: projection heads trained with symmetric InfoNCE over modality pairs',
    )
    .requiredOption(
      '--labels <file>',
      'CSV/TSV of the paired records: order, family, genus, species and (optionally) split',
      pathArg,
    )
    .option(
      '--image-features <file.npy>',
      'frozen image features, one row per label row (e.g. `bioscan5m vision embed`, an ONNX ViT)',
      pathArg,
    )
    .option(
      '--dna-features <file.npy>',
      'frozen DNA features, one row per label row (e.g. `bioscan5m dna embed`, BarcodeBERT ONNX)',
      pathArg,
    )
    .option('--text-features <file.npy>', 'frozen text features, one row per label row', pathArg)
    .option(
      '--dna-encoder <checkpoint>',
      'instead of --dna-features: run DNA through this `bioscan5m dna pretrain` checkpoint at every step, with LoRA on attention Q and V',
      pathArg,
    )
    .option('--sequence-column <name>', 'barcode column of --labels for --dna-encoder', 'dna_barcode')
    .option('--lora-rank <n>', 'LoRA rank for --dna-encoder (0: keep the encoder frozen)', intArg({ min: 0 }), 4)
    .option(
      '--lora-alpha <x>',
      'LoRA alpha (default: the rank, a scale of 1)',
      numberArg({ min: 0, exclusiveMin: true }),
    )
    .option(
      '--text <encoder>',
      'make text features from the labels: tokens (WordPiece counts, vocabulary built from the labels) | onnx:MODEL.onnx (a BERT, with --vocab)',
      textArg,
    )
    .option('--vocab <vocab.txt>', 'BERT vocabulary for --text onnx:MODEL', pathArg)
    .option(
      '--pairs <list>',
      'modality pairs of the loss, e.g. image-dna,image-text,dna-text (default: every pair given)',
      (v: string) => (parsePairs(v), v),
    )
    .option(
      '--train-split <name>',
      'split value of the rows to train on (repeatable; default train; rows of other splits are left out)',
      collect,
    )
    .option('--dim <n>', 'width of the aligned space', intArg({ min: 1 }), 768)
    .option('--steps <n>', 'training steps', intArg({ min: 1 }), 500)
    .option('--batch <n>', 'pairs per batch, >= 2', intArg({ min: 2 }), 64)
    .option('--lr <x>', 'AdamW learning rate', numberArg({ min: 0, exclusiveMin: true }), 1e-3)
    .option('--weight-decay <x>', 'AdamW weight decay (weights only)', numberArg({ min: 0 }), 0.01)
    .option(
      '--temperature <mode>',
      "learnable (from 1/0.07, clamped at 100) | fixed (1/0.07, the paper's run)",
      choiceArg(['learnable', 'fixed'] as const),
      'learnable',
    )
    .option('--seed <n>', 'seed of the heads and of the batch order', intArg({ min: 0 }), 0)
    .requiredOption(
      '--checkpoint <file>',
      'checkpoint (safetensors), written atomically every --checkpoint-every steps and at the end',
      pathArg,
    )
    .option('--checkpoint-every <n>', 'steps between checkpoints', intArg({ min: 1 }), 50)
    .option('--resume', 'continue from --checkpoint (same settings)')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  bioscan5m clip train --labels pairs.csv --image-features img.npy --dna-features dna.npy --text tokens \\
    --steps 2000 --checkpoint clip.safetensors
  # the demo writes a paired set to try it on
  bioscan5m demo --only clip --out demo-out && bioscan5m clip train --labels demo-out/clip-synth-labels.csv \\
    --image-features demo-out/clip-synth-image.npy --dna-features demo-out/clip-synth-dna.npy --text tokens \\
    --dim 64 --steps 200 --checkpoint demo-out/my-clip.safetensors
`,
    )
    .action(async (opts: TrainOpts) => {
      const int = (name: string, v: number, min = 1) => numberOption(name, v, { integer: true, min }) as number;
      if (!['learnable', 'fixed'].includes(opts.temperature))
        throw new UsageError(`expected learnable or fixed, got '${opts.temperature}'`, '--temperature');
      let text: ClipPackage.TextFeatureSpec | undefined;
      if (opts.text === 'tokens') text = { kind: 'tokens' };
      else if (opts.text?.startsWith('onnx:')) {
        if (!opts.vocab) throw new UsageError('--text onnx:MODEL needs --vocab vocab.txt', '--vocab');
        text = { kind: 'onnx', model: opts.text.slice(5), vocab: opts.vocab };
      } else if (opts.text !== undefined)
        throw new UsageError(`expected tokens or onnx:MODEL.onnx, got '${opts.text}'`, '--text');
      const features = Object.fromEntries(
        (
          [
            ['image', opts.imageFeatures],
            ['dna', opts.dnaFeatures],
            ['text', opts.textFeatures],
          ] as const
        ).filter(([, f]) => f !== undefined),
      ) as Partial<Record<ModalityName, string>>;
      const { runClipTrainJob } = await loadClip();
      const s = await withProgressBar('train', { quiet: opts.quiet || opts.json }, (onProgress) =>
        runClipTrainJob({
          labels: opts.labels,
          features,
          text,
          dnaEncoder: opts.dnaEncoder
            ? {
                checkpoint: opts.dnaEncoder,
                sequenceColumn: opts.sequenceColumn,
                lora:
                  int('lora-rank', opts.loraRank, 0) === 0
                    ? false
                    : {
                        rank: int('lora-rank', opts.loraRank, 0),
                        alpha: numberOption('lora-alpha', opts.loraAlpha, { min: 0 }),
                      },
              }
            : undefined,
          trainSplits: opts.trainSplit,
          pairs: parsePairs(opts.pairs),
          dim: int('dim', opts.dim),
          steps: int('steps', opts.steps),
          batchSize: int('batch', opts.batch, 2),
          lr: numberOption('lr', opts.lr, { min: 0 }),
          weightDecay: numberOption('weight-decay', opts.weightDecay, { min: 0 }),
          temperature: opts.temperature as 'learnable' | 'fixed',
          seed: int('seed', opts.seed, 0),
          checkpoint: opts.checkpoint,
          checkpointEvery: int('checkpoint-every', opts.checkpointEvery),
          resume: opts.resume,
          onProgress,
        }),
      );
      if (opts.json) console.log(JSON.stringify(s, null, 2));
      else {
        console.log(
          `trained ${s.modalities.join(' + ')} heads on ${s.trainRows.toLocaleString('en-US')} of ${s.rows.toLocaleString('en-US')} records: steps ${s.startStep}..${s.steps}, loss ${s.firstLoss?.toFixed(4) ?? '-'} -> ${s.lastLoss?.toFixed(4) ?? '-'}, logit scale ${s.logitScale.toFixed(2)}`,
        );
        console.log(`${s.pairsPerSecond.toFixed(0)} pairs/s on tfjs-${s.backend}; checkpoint ${s.checkpoint}`);
      }
    });
  cmd
    .command('lora')
    .description(
      'from a checkpoint trained with --dna-encoder: write the LoRA adapters alone and/or the merged DNA encoder (a dna checkpoint for `dna embed` / `dna export-onnx`)',
    )
    .requiredOption('--checkpoint <file>', 'alignment checkpoint (bioscan5m clip train --dna-encoder)', pathArg)
    .requiredOption('--dna-encoder <checkpoint>', 'the DNA encoder checkpoint it was trained on', pathArg)
    .option('--adapters-out <file>', 'write the adapters (safetensors, A/B per layer for Q and V)', pathArg)
    .option('--merged-out <file>', 'write base + adapters as a DNA encoder checkpoint', pathArg)
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'nothing but the result and errors (it shows no progress)')
    .action(
      async (opts: {
        checkpoint: string;
        dnaEncoder: string;
        adaptersOut?: string;
        mergedOut?: string;
        json?: boolean;
      }) => {
        if (!opts.adaptersOut && !opts.mergedOut)
          throw new UsageError('give --adapters-out and/or --merged-out', '--adapters-out');
        const { runClipLoraJob } = await loadClip();
        const s = await runClipLoraJob({
          checkpoint: opts.checkpoint,
          dnaCheckpoint: opts.dnaEncoder,
          adaptersOut: opts.adaptersOut,
          mergedOut: opts.mergedOut,
        });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else
          console.log(
            `LoRA rank ${s.rank}, alpha ${s.alpha}, ${s.adapterTensors} adapter tensors${s.adaptersOut ? `; adapters -> ${s.adaptersOut}` : ''}${s.mergedOut ? `; merged encoder -> ${s.mergedOut}` : ''}`,
          );
      },
    );
  cmd
    .command('embed')
    .description(
      'project frozen features (or taxonomy text) into the aligned space of a trained checkpoint; writes L2-normalised float32 .npy',
    )
    .requiredOption('--checkpoint <file>', 'checkpoint written by `bioscan5m clip train`', pathArg)
    .requiredOption('--modality <m>', 'image | dna | text', choiceArg(MODALITIES))
    .option('--features <file.npy>', 'frozen features of that modality (made the same way as for training)', pathArg)
    .option(
      '--labels <file>',
      'for --modality text: CSV with order, family, genus, species (text features are made as in training)',
      pathArg,
    )
    .requiredOption('--out <file.npy>', 'output embeddings (rows x dim, float32)', pathArg)
    .option('--no-normalize', 'keep the raw projections (default: L2-normalised rows)')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'nothing but the result and errors (it shows no progress)')
    .addHelpText(
      'after',
      `
Example (after the \`bioscan5m clip train\` example, which writes demo-out/my-clip.safetensors):
  bioscan5m clip embed --checkpoint demo-out/my-clip.safetensors --modality image \\
    --features demo-out/clip-synth-image.npy --out demo-out/my-image-aligned.npy
`,
    )
    .action(async (opts: EmbedOpts) => {
      if (!(MODALITIES as readonly string[]).includes(opts.modality))
        throw new UsageError(`expected image, dna or text, got '${opts.modality}'`, '--modality');
      const { runClipEmbedJob } = await loadClip();
      const s = await runClipEmbedJob({
        checkpoint: opts.checkpoint,
        modality: opts.modality as ModalityName,
        features: opts.features,
        labels: opts.labels,
        out: opts.out,
        normalize: opts.normalize,
      });
      if (opts.json) console.log(JSON.stringify(s, null, 2));
      else console.log(`wrote ${s.rows.toLocaleString('en-US')} ${s.modality} embeddings of ${s.dim} dims to ${s.out}`);
    });
  cmd
    .command('eval')
    .description(
      'retrieval accuracy of query embeddings against key embeddings: top-k micro/macro per rank, seen/unseen and harmonic mean (paper Table 5)',
    )
    .requiredOption('--keys <file.npy>', 'key embeddings: 2-D float32/float64 .npy (e.g. train + key_unseen)', pathArg)
    .requiredOption('--key-labels <file>', 'CSV/TSV with the rank columns, one row per key row', pathArg)
    .requiredOption(
      '--queries <file.npy>',
      'query embeddings (e.g. test + test_unseen), same dimension as the keys',
      pathArg,
    )
    .requiredOption(
      '--query-labels <file>',
      'CSV/TSV with the rank columns and `split`; rows whose split contains "unseen" form the unseen set',
      pathArg,
    )
    .option('--rank <name>', 'rank column to score (repeatable; default order, family, genus, species)', collect)
    .option(
      '--k <n>',
      'top-k depths (repeatable or comma-separated; default 1,3,5)',
      (v: string, prev?: string[]) => (parseKs([v]), collect(v, prev)),
    )
    .option(
      '--search <engine>',
      'auto (faiss-node when installed, else onnx, else exact) | onnx (onnxruntime Gemm + exact re-scoring) | exact (JavaScript) | faiss',
      choiceArg(['auto', 'onnx', 'exact', 'faiss'] as const),
      'auto',
    )
    .option('--no-normalize', 'do not L2-normalise the embeddings (default: normalise, as the reference does)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  bioscan5m clip eval --keys dna_keys.npy --key-labels keys.csv --queries img_test.npy --query-labels test.csv
  # the demo writes embeddings you can score yourself
  bioscan5m demo --only clip --out demo-out && bioscan5m clip eval --keys demo-out/clip-aligned-dna-keys.npy \\
    --key-labels demo-out/clip-key-labels.csv --queries demo-out/clip-aligned-image-queries.npy \\
    --query-labels demo-out/clip-query-labels.csv --json
`,
    )
    .action(async (opts: EvalOpts) => {
      if (!['auto', 'exact', 'onnx', 'faiss'].includes(opts.search))
        throw new UsageError(`expected auto, onnx, exact or faiss, got '${opts.search}'`, '--search');
      const ks = parseKs(opts.k);
      const { runClipEvalJob, DEFAULT_RANKS, DEFAULT_KS } = await loadClip();
      const summary = await withProgressBar('search', { quiet: opts.quiet || opts.json }, (onProgress) =>
        runClipEvalJob({
          keys: opts.keys,
          keyLabels: opts.keyLabels,
          queries: opts.queries,
          queryLabels: opts.queryLabels,
          ranks: opts.rank,
          ks,
          search: opts.search as 'auto' | 'exact' | 'onnx' | 'faiss',
          normalize: opts.normalize,
          onProgress,
        }),
      );
      if (opts.json) {
        console.log(JSON.stringify(evalReport(summary), null, 2));
        return;
      }
      const n = (x: number) => x.toLocaleString('en-US');
      console.log(
        `${n(summary.queries.rows)} queries (${n(summary.queries.seen)} seen, ${n(summary.queries.unseen)} unseen) against ${n(summary.keys.rows)} keys of ${summary.keys.dim} dims; ${summary.backend} inner-product search${summary.normalized ? ' on L2-normalised embeddings' : ''}, ${summary.seconds.search.toFixed(2)} s`,
      );
      const unlabelled = summary.rows.filter((r) => r.unlabelled > 0 && r.k === summary.ks[0]);
      for (const r of unlabelled)
        console.log(`(${r.unlabelled} ${r.set} queries without a ${r.rank} label left out of the ${r.rank} rows)`);
      console.log('');
      for (const line of formatRetrievalTable(summary, summary.ks ?? DEFAULT_KS, summary.ranks ?? DEFAULT_RANKS))
        console.log(line);
    });
}
