/**
 * Interrupting the long jobs, against the built CLI (apps/cli/bin/bioscan5m.js) on small generated inputs:
 * SIGINT and SIGTERM mid-run leave no temp file (exit 130 / 143), and SIGKILL followed by a rerun leaves none and
 * gives the same output as an uninterrupted run (rerun with the job's resume where it has one).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTempName } from '@bioscan5m/core/internal';

const BIN = fileURLToPath(new URL('../bin/bioscan5m.js', import.meta.url));
const DATA = fileURLToPath(new URL('../data', import.meta.url));
const root = mkdtempSync(path.join(os.tmpdir(), 'bioscan5m-interrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  err: string;
  /** The job had finished before the trigger fired (then nothing was interrupted). */
  early: boolean;
}

/** Runs the CLI in `cwd`; sends `signal` once `trigger(stderr so far)` holds (polled every 5 ms). */
function run(
  cwd: string,
  args: string[],
  signal?: NodeJS.Signals,
  trigger: (err: string) => boolean = () => true,
): Promise<Exit> {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (c) => (err += c));
  let sent = false;
  const poll = signal
    ? setInterval(() => {
        if (!sent && trigger(err)) {
          sent = true;
          proc.kill(signal);
        }
      }, 5)
    : undefined;
  return new Promise((resolve) => {
    proc.once('exit', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, err, early: Boolean(signal) && !sent });
    });
  });
}

/** Every file under `dir` (relative paths), temp files included. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}
const temps = (dir: string) => tree(dir).filter((f) => isTempName(path.basename(f)));
const hasTemp = (dir: string) => () => temps(dir).length > 0;
const read = (f: string) => readFileSync(f);

function interruptedBy(e: Exit, signal: 'SIGINT' | 'SIGTERM'): void {
  expect(e.early, `the job finished before ${signal}: make its input bigger`).toBe(false);
  // 130/143 from the temp-file handler; killed by the signal itself when no write had started yet.
  const ok = e.code === (signal === 'SIGINT' ? 130 : 143) || e.signal === signal;
  expect(ok, `exit ${e.code} / ${e.signal}: ${e.err}`).toBe(true);
  expect(e.err).not.toMatch(/unexpected error/);
}

interface Job {
  name: string;
  /** Arguments writing into `out` (a folder of its own per run). */
  args: (out: string) => string[];
  /** Rerun arguments after SIGKILL (default: the same). */
  rerun?: (out: string) => string[];
  /** Files compared with the uninterrupted run. */
  outputs: string[];
  /** When to send the signal (default: a temp file exists in `out`). */
  when?: (out: string) => () => boolean;
  signal: 'SIGINT' | 'SIGTERM';
}

/** Signal once the job's journal `name` in `out` has more than `lines` lines (work done, more in flight). */
const journalLonger = (name: string, lines: number) => (out: string) => () => {
  const file = path.join(out, name);
  return existsSync(file) && readFileSync(file, 'utf8').split('\n').length > lines;
};
/** Signal `ms` after the run starts (jobs whose temp file lives too briefly to catch). */
const afterMs = (ms: number) => () => {
  const t0 = Date.now();
  return () => Date.now() - t0 > ms;
};

let synthCsv = '';
let queriesCsv = '';
let embedCsv = '';

beforeAll(async () => {
  // Inputs: a synthetic metadata table (clean/split input), query barcodes (identify), nothing else generated.
  synthCsv = path.join(root, 'synth-in.csv');
  embedCsv = path.join(root, 'embed-in.csv');
  for (const [file, rows, seed] of [
    [synthCsv, 40000, 1],
    [embedCsv, 9000, 2],
  ] as const) {
    const e = await run(root, [
      'synth',
      '--rows',
      String(rows),
      '--seed',
      String(seed),
      '--noise',
      '0.05',
      '--out',
      file,
      '--quiet',
    ]);
    expect(e.code, e.err).toBe(0);
  }
  // identify: the embedded real barcodes against themselves, ten times over (a few seconds of searching)
  queriesCsv = path.join(root, 'queries.csv');
  const [head, ...rows] = readFileSync(path.join(DATA, 'barcodes.csv'), 'utf8').trimEnd().split('\n');
  writeFileSync(queriesCsv, [head, ...Array.from({ length: 10 }, () => rows).flat()].join('\n') + '\n');
}, 120_000);

const pretrain = [
  'dna',
  'pretrain',
  '--data',
  path.join(DATA, 'barcodes.csv'),
  '--k',
  '4',
  '--layers',
  '1',
  '--heads',
  '2',
  '--hidden',
  '16',
  '--batch',
  '8',
  '--steps',
  '24',
  '--checkpoint-every',
  '4',
  '--quiet',
];

const jobs: Job[] = [
  {
    name: 'synth',
    args: (o) => ['synth', '--rows', '30000', '--seed', '3', '--out', path.join(o, 's.csv'), '--quiet'],
    outputs: ['s.csv'],
    signal: 'SIGINT',
  },
  {
    name: 'clean',
    args: (o) => [
      'clean',
      '--metadata',
      synthCsv,
      '--out',
      path.join(o, 'c.csv'),
      '--changes',
      path.join(o, 'changes.csv'),
      '--quiet',
    ],
    outputs: ['c.csv', 'changes.csv'],
    signal: 'SIGTERM',
  },
  {
    name: 'split',
    args: (o) => ['split', '--metadata', synthCsv, '--out', path.join(o, 'split.csv'), '--quiet'],
    outputs: ['split.csv'],
    signal: 'SIGINT',
  },
  {
    name: 'dna pretrain',
    args: (o) => [...pretrain, '--checkpoint', path.join(o, 'ck.safetensors')],
    rerun: (o) => [...pretrain, '--checkpoint', path.join(o, 'ck.safetensors'), '--resume'],
    outputs: ['ck.safetensors'],
    // mid-training, once a checkpoint exists (its temp lives only while it is written)
    when: (o) => () => existsSync(path.join(o, 'ck.safetensors')),
    signal: 'SIGTERM',
  },
  {
    name: 'vision crop',
    args: (o) => ['vision', 'crop', '--images', path.join(DATA, 'images'), '--out', o, '--workers', '2', '--quiet'],
    outputs: ['boxes.csv'],
    // two crops done (journal rows), others in flight in the worker threads
    when: journalLonger('boxes.csv.partial', 3),
    signal: 'SIGINT',
  },
  {
    name: 'vision embed',
    args: (o) => [
      'vision',
      'embed',
      '--images',
      path.join(DATA, 'images'),
      '--encoder',
      'descriptor',
      '--out',
      path.join(o, 'img.npy'),
      '--quiet',
    ],
    outputs: ['img.npy', 'img.files.txt'],
    when: journalLonger('img.npy.partial.txt', 3),
    signal: 'SIGTERM',
  },
  {
    name: 'dna embed',
    // the checkpoint of the uninterrupted pretraining above
    args: (o) => [
      'dna',
      'embed',
      '--checkpoint',
      path.join(root, 'dna-pretrain', 'ref', 'ck.safetensors'),
      '--data',
      embedCsv,
      '--out',
      path.join(o, 'dna.npy'),
      '--quiet',
    ],
    outputs: ['dna.npy'],
    when: afterMs(1000),
    signal: 'SIGINT',
  },
  {
    name: 'dna index',
    // killed while the index file is written (its temp exists), or before
    args: (o) => ['dna', 'index', '--reference', embedCsv, '--out', path.join(o, 'ref.idx'), '--quiet'],
    outputs: ['ref.idx'],
    signal: 'SIGTERM',
  },
  {
    name: 'dna identify',
    args: (o) => [
      'dna',
      'identify',
      '--reference',
      path.join(DATA, 'barcodes.csv'),
      '--queries',
      queriesCsv,
      '--out',
      path.join(o, 'pred.csv'),
      '--quiet',
    ],
    outputs: ['pred.csv'],
    when: afterMs(1000),
    signal: 'SIGINT',
  },
];

describe('interrupting the long jobs (built CLI)', () => {
  for (const job of jobs) {
    it(`${job.name}: ${job.signal} leaves no temp file; SIGKILL then a rerun gives the uninterrupted output`, async () => {
      const dirs = Object.fromEntries(
        ['ref', 'sig', 'kill'].map((k) => [k, path.join(root, job.name.replace(/ /g, '-'), k)]),
      );
      for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
      const when = job.when ?? hasTemp;

      const ref = await run(dirs.ref, job.args(dirs.ref));
      expect(ref.code, ref.err).toBe(0);

      const sig = await run(dirs.sig, job.args(dirs.sig), job.signal, when(dirs.sig));
      interruptedBy(sig, job.signal);
      expect(temps(dirs.sig)).toEqual([]);
      for (const f of job.outputs)
        expect(existsSync(path.join(dirs.sig, f)), `${f} after ${job.signal}`).toBe(
          job.name === 'dna pretrain' && f === 'ck.safetensors',
        );

      const killed = await run(dirs.kill, job.args(dirs.kill), 'SIGKILL', when(dirs.kill));
      expect(killed.early).toBe(false);
      expect(killed.signal).toBe('SIGKILL');
      const rerun = await run(dirs.kill, (job.rerun ?? job.args)(dirs.kill));
      expect(rerun.code, rerun.err).toBe(0);
      expect(temps(dirs.kill)).toEqual([]);
      expect(tree(dirs.kill)).toEqual(tree(dirs.ref));
      for (const f of tree(dirs.ref))
        expect(read(path.join(dirs.kill, f)).equals(read(path.join(dirs.ref, f))), f).toBe(true);
    });
  }

  it('dna benchmark: SIGTERM during fine-tuning exits after the step in flight, with no temp file', async () => {
    const out = path.join(root, 'dna-benchmark');
    // 8 pretraining steps, then 40 epochs of 13 fine-tuning steps (about a minute and a half uninterrupted).
    const args = [
      'dna',
      'benchmark',
      '--data',
      path.join(DATA, 'barcodes.csv'),
      '--out',
      out,
      '--layers',
      '1',
      '--hidden',
      '16',
      '--steps',
      '8',
      '--curve-points',
      '1',
      '--linear-epochs',
      '10',
      '--finetune-epochs',
      '40',
      '--skip',
      'cnn,identify',
    ];
    // Progress counts the 8 pretraining steps, then one unit per fine-tuning step.
    let sentAt = 0;
    const duringFinetuning = (err: string) => {
      const done = [...err.matchAll(/table 4: (\d+)\//g)].map((m) => Number(m[1]));
      if (!done.some((d) => d > 10)) return false;
      sentAt = performance.now();
      return true;
    };
    const e = await run(root, args, 'SIGTERM', duringFinetuning);
    const seconds = (performance.now() - sentAt) / 1000;
    interruptedBy(e, 'SIGTERM');
    expect(seconds, 'seconds from SIGTERM to exit').toBeLessThan(10);
    expect(temps(out)).toEqual([]);
    const state = JSON.parse(readFileSync(path.join(out, 'state.json'), 'utf8')) as { parts: object };
    expect(Object.keys(state.parts)).toEqual(['kmer', 'pretrain-1']);
  });

  it('the next synth of the same output removes the temp file a SIGKILLed one left', async () => {
    const d = path.join(root, 'stale');
    mkdirSync(d);
    const killed = await run(d, ['synth', '--rows', '30000', '--out', 'x.csv', '--quiet'], 'SIGKILL', hasTemp(d));
    expect(killed.signal).toBe('SIGKILL');
    expect(temps(d)).toHaveLength(1);
    const again = await run(d, ['synth', '--rows', '10', '--out', 'x.csv', '--quiet']);
    expect(again.code, again.err).toBe(0);
    expect(tree(d)).toEqual(['x.csv']);
  });
});
