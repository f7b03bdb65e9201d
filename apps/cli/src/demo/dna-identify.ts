/**
 * Demo stage `dna-identify`: barcode identification (alignment against a reference, learned species threshold)
 * of queries of seen and of unseen species, beside the 4-mer 1-NN baseline and the majority-class floor.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createTableWriter } from '@bioscan5m/core';
import { embedded } from '../data.js';
import type { DemoStage } from '../commands/demo-stage.js';
import type { IdentifyResult } from '../report/results.js';
import { kmerNearestAccuracy, labelledRows, majorityAccuracy } from './kmer-baseline.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(2)}%`);
const SEED = 7;

export const identifyStage: DemoStage = {
  name: 'dna-identify',
  title: 'species identification of barcodes (seen species) and genus of unseen species, beside the k-mer baseline',
  seconds: { quick: 4, full: 4 },
  async run(ctx): Promise<IdentifyResult> {
    const dir = path.join(ctx.outDir, 'dna-identify');
    mkdirSync(dir, { recursive: true });
    const { buildIdentifyProtocol, runIdentifyJob } = await import('@bioscan5m/dna/identify');
    const p = await buildIdentifyProtocol(embedded.barcodes, SEED);
    const write = (name: string, rows: string[][]) => {
      const file = path.join(dir, name);
      const w = createTableWriter(file, p.header);
      for (const r of rows) w.write(r);
      w.close();
      return file;
    };
    const ref = write('reference.csv', p.reference);
    const closed = write('queries_seen_species.csv', p.closed);
    const open = write('queries_unseen_species.csv', p.open);
    ctx.log(
      `embedded barcodes split (seed ${SEED}, identical barcodes kept together): ${p.reference.length} reference, ` +
        `${p.closed.length} queries of seen species, ${p.open.length} of species absent from the reference`,
    );
    const seen = await runIdentifyJob({
      reference: ref,
      queries: closed,
      out: path.join(dir, 'predictions_seen_species.csv'),
    });
    ctx.onProgress?.(1, 3);
    const unseen = await runIdentifyJob({
      reference: ref,
      queries: open,
      out: path.join(dir, 'predictions_unseen_species.csv'),
    });
    ctx.onProgress?.(2, 3);
    const a = seen.accuracy!;
    const b = unseen.accuracy!;
    ctx.log(`species threshold learned from the reference: ${pct(seen.reference.speciesThreshold)} identity`);
    ctx.log(
      `seen species:   species accuracy ${pct(a.species.accuracy)} (${a.species.correct}/${a.species.total}), genus ${pct(a.genus.accuracy)}, ${seen.novel} called novel; ${seen.queriesPerSecond.toFixed(0)} queries/s`,
    );
    ctx.log(
      `unseen species: genus accuracy ${pct(b.genus.accuracy)} (${b.genus.correct}/${b.genus.total}), ${unseen.novel}/${unseen.queries} called novel; ${unseen.queriesPerSecond.toFixed(0)} queries/s`,
    );

    const ranks = ['species', 'genus'];
    const refSet = labelledRows(p.header, p.reference, ranks);
    const closedSet = labelledRows(p.header, p.closed, ranks);
    const openSet = labelledRows(p.header, p.open, ranks);
    const kSeen = await kmerNearestAccuracy(refSet, closedSet, ranks);
    const kUnseen = await kmerNearestAccuracy(refSet, openSet, ['genus']);
    ctx.onProgress?.(3, 3);
    ctx.log(
      `4-mer 1-NN baseline: seen species ${pct(kSeen.species)}, seen genus ${pct(kSeen.genus)}, unseen genus ${pct(kUnseen.genus)}`,
    );
    ctx.log(`predictions in ${dir}`);
    const tasks = ['seen: species', 'seen: genus', 'unseen: genus'];
    return {
      seed: SEED,
      reference: p.reference.length,
      queries: { seen: p.closed.length, unseen: p.open.length },
      speciesThreshold: seen.reference.speciesThreshold,
      tasks,
      methods: [
        {
          method: 'identifier (alignment + learned threshold)',
          kind: 'ours',
          scores: { [tasks[0]]: a.species.accuracy, [tasks[1]]: a.genus.accuracy, [tasks[2]]: b.genus.accuracy },
        },
        {
          method: '4-mer frequencies, 1-NN',
          kind: 'baseline',
          scores: { [tasks[0]]: kSeen.species, [tasks[1]]: kSeen.genus, [tasks[2]]: kUnseen.genus },
        },
        {
          method: 'most frequent label',
          kind: 'reference',
          scores: {
            [tasks[0]]: majorityAccuracy(refSet, closedSet, 'species'),
            [tasks[1]]: majorityAccuracy(refSet, closedSet, 'genus'),
            [tasks[2]]: majorityAccuracy(refSet, openSet, 'genus'),
          },
        },
      ],
      novel: { seen: seen.novel, unseen: unseen.novel },
      queriesPerSecond: (seen.queriesPerSecond + unseen.queriesPerSecond) / 2,
    };
  },
};
