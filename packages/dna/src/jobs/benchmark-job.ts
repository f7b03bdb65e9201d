/**
 * runDnaBenchmarkJob: the paper's Table 4 on a barcode table, in one resumable job. Pretrains the encoder (masked
 * k-mers) on the pretraining partition, probes it along the way (1-NN genus of unseen species: the learning
 * curve), then the linear probe and fine-tuning (species of the seen test set); beside it the CNN baseline, the
 * 4-mer frequency baseline (the same probes on 4-mer vectors) and our identification engine; rows measured
 * elsewhere on the same split files (BLAST, from the bench script) are added as given.
 *
 * Every finished part is recorded in <outDir>/state.json (atomically) and pretraining checkpoints every chunk, so a
 * killed run started again with the same settings resumes where it stopped. The table is written atomically as
 * markdown and JSON.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  Bioscan5mError,
  checkOutputPaths,
  TAXONOMIC_RANKS,
  throwIfAborted,
  UsageError,
  writeFileAtomic,
} from '@bioscan5m/core';
import { readBarcodes } from '../data/barcodes.js';
import { encoderConfig } from '../model/config.js';
import { classificationMetrics } from '../eval/metrics.js';
import { table4Protocol } from '../eval/table4-protocol.js';
import { knnPredict } from '../heads/knn.js';
import { kmerFrequencyMatrix } from '../heads/kmer-features.js';
import { BarcodeIdentifier } from '../identify/identifier.js';
import { loadModelCode } from '../engines.js';
import { runPretrainJob } from './index.js';
import { createDnaEncoder } from '../encoder/create.js';
import { embedAll } from './embed.js';
import { formatTable4 } from './benchmark-format.js';
import type { DnaBenchmarkJobOptions, DnaBenchmarkJobSummary, DnaBenchmarkRow } from './types.js';

const DEFAULT_CONFIG = { k: 4, layers: 2, heads: 2, hidden: 64, intermediate: 256 };
const GENUS = TAXONOMIC_RANKS.indexOf('genus');
const SPECIES = TAXONOMIC_RANKS.indexOf('species');

interface State {
  settings: string;
  parts: Record<string, unknown>;
}

const acc = (truth: readonly string[], pred: readonly string[]) =>
  truth.length ? classificationMetrics(truth, pred).accuracy : null;

export async function runDnaBenchmarkJob(o: DnaBenchmarkJobOptions): Promise<DnaBenchmarkJobSummary> {
  const t0 = performance.now();
  const out = {
    markdown: path.join(o.outDir, 'table4.md'),
    json: path.join(o.outDir, 'table4.json'),
    state: path.join(o.outDir, 'state.json'),
    checkpoint: path.join(o.outDir, 'encoder.safetensors'),
  };
  checkOutputPaths({
    inputs: { data: o.data, ...(o.onnx ? { onnx: o.onnx.model } : {}) },
    outputs: { markdown: out.markdown, json: out.json },
  });
  const seed = o.seed ?? 0;
  const steps = o.pretrainSteps ?? 1200;
  const batchSize = o.batchSize ?? 32;
  const pretrainOn = o.pretrainOn ?? 'paper';
  const skip = new Set(o.skip ?? []);
  for (const [flag, v] of Object.entries({ pretrainSteps: steps, batchSize, curvePoints: o.curvePoints ?? 4 }))
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`${flag} must be a whole number >= 1, got ${v}`, flag);
  const config = encoderConfig({ ...DEFAULT_CONFIG, ...o.config });
  const model = await loadModelCode();
  const backend = await model.initTfjs(o.backend);
  const log = (line: string) => o.onLog?.(line);

  // Resume state: the settings that change results must match, or the run starts over only when asked to.
  const settings = JSON.stringify({
    data: path.resolve(o.data),
    config,
    steps,
    batchSize,
    maxLr: o.maxLr ?? 1e-3,
    curvePoints: o.curvePoints ?? 4,
    pretrainOn,
    seed,
    onnx: o.onnx ? { model: path.resolve(o.onnx.model), k: o.onnx.k } : null,
    ft: [o.finetuneEpochs, o.encoderLr, o.headLr, o.warmupFraction, o.linearEpochs, o.cnnEpochs],
  });
  mkdirSync(o.outDir, { recursive: true });
  let state: State = { settings, parts: {} };
  if (existsSync(out.state) && !o.fresh) {
    const prev = JSON.parse(readFileSync(out.state, 'utf8')) as State;
    if (prev.settings !== settings)
      throw new UsageError(
        `${o.outDir} holds a run with other settings; start over with --fresh or choose another --out`,
        'out',
      );
    state = prev;
  } else if (o.fresh) {
    rmSync(out.checkpoint, { force: true });
  }
  const resumed = Object.keys(state.parts);
  const save = () => writeFileAtomic(out.state, JSON.stringify(state, null, 1));
  async function part<T>(name: string, run: () => Promise<T> | T): Promise<T> {
    if (name in state.parts) return state.parts[name] as T;
    throwIfAborted(o.signal);
    const r = await run();
    state.parts[name] = r;
    save();
    return r;
  }

  // Data and protocol.
  const set = await readBarcodes(o.data);
  for (const rank of ['species', 'genus'] as const)
    if (!set.labels[rank]) throw new Bioscan5mError(`${o.data}: no '${rank}' column (Table 4 needs species and genus)`);
  const species = set.labels.species!;
  const genus = set.labels.genus!;
  const p = table4Protocol(
    { recordIds: set.recordIds, sequences: set.sequences, species, genus },
    { seed, pretrainOn },
  );
  if (p.train.length === 0 || p.test.length === 0)
    throw new Bioscan5mError(
      `${o.data}: the paper's partitions give ${p.train.length} train and ${p.test.length} test barcodes of seen species ` +
        '(test needs species with >= 2 barcodes and >= 8 samples under real, non-placeholder names)',
    );
  const seqs = (rows: number[]) => rows.map((i) => set.sequences[i]);
  const labs = (rows: number[], l: readonly string[]) => rows.map((i) => l[i]);
  const train = { sequences: seqs(p.train), labels: labs(p.train, species) };
  const testSeqs = seqs(p.test);
  const testY = labs(p.test, species);
  const keySeqs = seqs(p.keys);
  const keyY = labs(p.keys, genus);
  const querySeqs = seqs(p.queries);
  const queryY = labs(p.queries, genus);
  const splitFiles = writeSplitFiles(o.outDir, set, {
    train: p.train,
    test: p.test,
    keys: p.keys,
    queries: p.queries,
    pretrain: p.pretrain,
  });
  const protocol = {
    pretrain: p.pretrain.length,
    train: p.train.length,
    test: p.test.length,
    keys: p.keys.length,
    queries: p.queries.length,
    trainSpecies: new Set(train.labels).size,
    pretrainOn,
  };
  log(
    `protocol: pretrain ${protocol.pretrain} barcodes (${pretrainOn}), seen species ${protocol.train} train / ${protocol.test} test ` +
      `(${protocol.trainSpecies} species), unseen species ${protocol.queries} queries against ${protocol.keys} keys`,
  );

  // Progress: pretraining steps, then one unit per fine-tuning step, CNN step and each small part.
  const ftEpochs = o.finetuneEpochs ?? 6;
  const external = Boolean(o.onnx);
  if (external) skip.add('finetune');
  const ftSteps = skip.has('finetune') ? 0 : ftEpochs * Math.ceil(p.train.length / 32);
  const total = (external ? 0 : steps) + ftSteps + 4;
  let base = 0;
  const progress = (done: number) => o.onProgress?.(Math.min(total, base + done), total);

  // Baselines that need no pretraining.
  const kmer = await part('kmer', async () => {
    const start = performance.now();
    const f = (s: string[]) => kmerFrequencyMatrix(s, 4);
    const kq = f(querySeqs);
    const kk = f(keySeqs);
    const knnGenus = acc(queryY, knnPredict(kk.data, keyY, kq.data, kk.dim));
    const lin = await model.linearProbe(f(train.sequences).data, 256, train.labels, f(testSeqs).data, {
      epochs: o.linearEpochs,
      seed,
      signal: o.signal,
    });
    const nnSpecies = acc(testY, knnPredict(f(train.sequences).data, train.labels, f(testSeqs).data, 256));
    return { knnGenus, linearProbe: acc(testY, lin), nnSpecies, seconds: (performance.now() - start) / 1000 };
  });
  log(`4-mer frequencies: linear probe species ${pct(kmer.linearProbe)}, 1-NN genus of unseen ${pct(kmer.knnGenus)}`);
  const identify = skip.has('identify') ? null : await part('identify', () => identifyRows(set, p, testY, queryY));
  if (identify)
    log(`identify (closed world): species ${pct(identify.species)}, genus of unseen ${pct(identify.genus)}`);
  const cnn = skip.has('cnn')
    ? null
    : await part('cnn', async () => {
        const start = performance.now();
        const pred = await model.cnnProbe(train, testSeqs, { epochs: o.cnnEpochs ?? 5, seed, signal: o.signal });
        return { species: acc(testY, pred), seconds: (performance.now() - start) / 1000, epochs: o.cnnEpochs ?? 5 };
      });
  if (cnn) log(`CNN baseline (${cnn.epochs} epochs, ${cnn.seconds.toFixed(0)} s): species ${pct(cnn.species)}`);

  const curve: DnaBenchmarkJobSummary['pretrain']['curve'] = [];
  const engines = new Set<string>();
  let firstLoss: number | null = null;
  let ourRow: DnaBenchmarkRow;
  let closedLosses: number[] = [];
  if (o.onnx) {
    const onnx = o.onnx;
    const r = await part('onnx', async () => {
      const start = performance.now();
      const enc = await createDnaEncoder({ kind: 'onnx', model: onnx.model, k: onnx.k });
      try {
        const x = await embedAll(enc, [...keySeqs, ...querySeqs, ...train.sequences, ...testSeqs], {
          signal: o.signal,
        });
        const d = x.dim;
        const at = (from: number, n: number) => x.data.subarray(from * d, (from + n) * d);
        const nk = keySeqs.length;
        const nq = querySeqs.length;
        const nt = train.sequences.length;
        const knnGenus = acc(queryY, knnPredict(at(0, nk), keyY, at(nk, nq), d));
        const lin = await model.linearProbe(at(nk + nq, nt), d, train.labels, at(nk + nq + nt, testSeqs.length), {
          epochs: o.linearEpochs,
          seed,
          signal: o.signal,
        });
        return { knnGenus, linear: acc(testY, lin), dim: d, seconds: (performance.now() - start) / 1000 };
      } finally {
        await enc.dispose();
      }
    });
    log(`${path.basename(onnx.model)}: linear probe species ${pct(r.linear)}, 1-NN genus of unseen ${pct(r.knnGenus)}`);
    ourRow = {
      method: `${path.basename(onnx.model)} (ONNX, ${r.dim}-d, frozen)`,
      kind: 'ours',
      finetuned: null,
      linearProbe: r.linear,
      knnGenus: r.knnGenus,
      seconds: { probes: r.seconds },
      note: 'given encoder: not pretrained or fine-tuned here',
    };
  } else {
    // Pretraining in chunks (checkpoint after each), the 1-NN probe after each chunk.
    const points = o.curvePoints ?? 4;
    for (let c = 1; c <= points; c++) {
      const stopAfter = Math.round((steps * c) / points);
      const point = await part(`pretrain-${c}`, async () => {
        const start = performance.now();
        // The public pretraining job (onnxruntime's training step when installed, else tfjs) on the corpus file.
        const r = await runPretrainJob({
          data: splitFiles.pretrain,
          config,
          steps,
          stopAfter,
          resume: c > 1,
          batchSize,
          maxLr: o.maxLr ?? 1e-3,
          seed,
          checkpoint: out.checkpoint,
          checkpointEvery: Math.max(10, Math.round(steps / (points * 4))),
          engine: o.engine,
          signal: o.signal,
          onProgress: (d) => progress(d),
        });
        const trainSeconds = (performance.now() - start) / 1000;
        // Embeddings through onnxruntime (the checkpoint exported in memory): several times faster than tfjs.
        const enc = await createDnaEncoder({ kind: 'checkpoint', checkpoint: out.checkpoint });
        const x = (await embedAll(enc, [...keySeqs, ...querySeqs], { signal: o.signal }).finally(() => enc.dispose()))
          .data;
        const d = config.hidden;
        const knnGenus = acc(
          queryY,
          knnPredict(x.subarray(0, keySeqs.length * d), keyY, x.subarray(keySeqs.length * d), d),
        );
        engines.add(r.backend);
        return {
          step: r.steps,
          loss: r.finalLoss ?? NaN,
          knnGenus,
          seconds: trainSeconds,
          firstLoss: r.firstLoss,
          engine: r.backend,
        };
      });
      firstLoss ??= point.firstLoss;
      curve.push({ step: point.step, loss: point.loss, knnGenus: point.knnGenus, seconds: point.seconds });
      engines.add(point.engine);
      log(
        `pretraining step ${point.step}/${steps}: masked-token loss ${point.loss.toFixed(3)}, 1-NN genus of unseen ${pct(point.knnGenus)} (${point.seconds.toFixed(0)} s)`,
      );
    }
    base = steps;
    const pretrainSeconds = curve.reduce((a, c) => a + c.seconds, 0);

    // Linear probe and fine-tuning (LP-FT) of the pretrained encoder.
    const closed = await part('closed', async () => {
      const r = await model.probeAndFinetune(out.checkpoint, train, testSeqs, {
        finetune: !skip.has('finetune'),
        linearEpochs: o.linearEpochs,
        epochs: ftEpochs,
        encoderLr: o.encoderLr,
        headLr: o.headLr,
        warmupFraction: o.warmupFraction,
        seed,
        signal: o.signal,
        onFinetuneProgress: (d) => progress(d),
      });
      return {
        linear: acc(testY, r.linear.pred),
        linearSeconds: r.linear.seconds,
        finetuned: r.finetuned ? acc(testY, r.finetuned.pred) : null,
        finetuneSeconds: r.finetuned?.seconds ?? null,
        epochLosses: r.finetuned?.epochLosses ?? [],
      };
    });
    log(
      `linear probe species ${pct(closed.linear)}; fine-tuned species ${pct(closed.finetuned)}` +
        (closed.finetuneSeconds !== null ? ` (${ftEpochs} epochs, ${closed.finetuneSeconds.toFixed(0)} s)` : ''),
    );
    closedLosses = closed.epochLosses;
    ourRow = {
      note: `pretraining engine: ${[...engines].join(', ')}`,
      method: `ours k=${config.k} ${config.layers}-${config.heads}-${config.hidden} (pretrained ${steps} steps x ${batchSize})`,
      kind: 'ours',
      finetuned: closed.finetuned,
      linearProbe: closed.linear,
      knnGenus: curve.at(-1)!.knnGenus,
      seconds: {
        pretrain: pretrainSeconds,
        ...(closed.finetuneSeconds !== null ? { finetune: closed.finetuneSeconds } : {}),
        linearProbe: closed.linearSeconds,
      },
    };
  }
  base = total;
  progress(0);

  const rows: DnaBenchmarkRow[] = [
    ourRow,
    ...(cnn
      ? [
          {
            method: `CNN baseline (${cnn.epochs} epochs)`,
            kind: 'baseline' as const,
            finetuned: cnn.species,
            linearProbe: null,
            knnGenus: null,
            seconds: { train: cnn.seconds },
            note: 'supervised from scratch; 1-NN on its features not run',
          },
        ]
      : []),
    {
      method: '4-mer frequencies (256-d, no training)',
      kind: 'baseline',
      finetuned: null,
      linearProbe: kmer.linearProbe,
      knnGenus: kmer.knnGenus,
      seconds: { linearProbe: kmer.seconds },
      note: `1-NN species ${pct(kmer.nnSpecies)}`,
    },
    ...(identify
      ? [
          {
            method: 'bioscan5m identify (closed world, top hit)',
            kind: 'reference' as const,
            finetuned: identify.species,
            linearProbe: null,
            knnGenus: identify.genus,
            seconds: { index: identify.seconds },
          },
        ]
      : []),
    ...(o.extraRows ?? []),
  ];
  const summary: DnaBenchmarkJobSummary = {
    backend,
    rows,
    protocol,
    config: external ? null : config,
    pretrain: {
      steps: external ? 0 : steps,
      batchSize,
      seconds: curve.reduce((a, c) => a + c.seconds, 0),
      curve,
      firstLoss,
    },
    finetune: skip.has('finetune')
      ? null
      : {
          epochs: ftEpochs,
          encoderLr: o.encoderLr ?? model.FINETUNE_DEFAULTS.encoderLr,
          headLr: o.headLr ?? model.FINETUNE_DEFAULTS.headLr,
          epochLosses: closedLosses,
        },
    resumed,
    markdown: out.markdown,
    json: out.json,
    splitFiles,
    seconds: (performance.now() - t0) / 1000,
  };
  writeFileAtomic(out.json, JSON.stringify(summary, null, 2) + '\n');
  writeFileAtomic(out.markdown, formatTable4(summary));
  return summary;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(2)}%`);

/** Our identification engine in closed-world mode (never "novel"): the top hit's species / genus, as BLAST's. */
function identifyRows(
  set: Awaited<ReturnType<typeof readBarcodes>>,
  p: ReturnType<typeof table4Protocol>,
  testY: string[],
  queryY: string[],
) {
  const start = performance.now();
  const refs = (rows: number[]) =>
    rows.map((i) => ({
      id: set.recordIds[i] || `row${i}`,
      barcode: set.sequences[i],
      lineage: TAXONOMIC_RANKS.map((r) => set.labels[r]?.[i] ?? ''),
    }));
  const closed = BarcodeIdentifier.build(refs(p.train), { speciesThreshold: 0, seed: 0 });
  const sp = closed.identifyMany(p.test.map((i) => set.sequences[i])).map((r) => r.lineage[SPECIES]);
  const ge = p.keys.length
    ? BarcodeIdentifier.build(refs(p.keys), { speciesThreshold: 0, seed: 0 })
        .identifyMany(p.queries.map((i) => set.sequences[i]))
        .map((r) => r.lineage[GENUS])
    : [];
  return { species: acc(testY, sp), genus: acc(queryY, ge), seconds: (performance.now() - start) / 1000 };
}

/** The split's rows as small CSVs (record_id, genus, species, dna_barcode) for tools run outside the job. */
function writeSplitFiles(
  dir: string,
  set: Awaited<ReturnType<typeof readBarcodes>>,
  parts: Record<keyof DnaBenchmarkJobSummary['splitFiles'], number[]>,
): DnaBenchmarkJobSummary['splitFiles'] {
  const field = (f: string) => (/[",\n\r]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  const files = {} as DnaBenchmarkJobSummary['splitFiles'];
  for (const [name, rows] of Object.entries(parts) as [keyof typeof parts, number[]][]) {
    const file = path.join(dir, `${name}.csv`);
    const lines = rows.map((i) =>
      [set.recordIds[i] || `row${i}`, set.labels.genus![i], set.labels.species![i], set.sequences[i]]
        .map(field)
        .join(','),
    );
    writeFileAtomic(file, ['record_id,genus,species,dna_barcode', ...lines].join('\n') + '\n');
    files[name] = file;
  }
  return files;
}
