/**
 * `bioscan5m demo`: every capability on the embedded sample data, one stage after another, each writing its
 * results as `<out>/<stage>.json`; the last stage writes the HTML report. It says at the start what it will do
 * and how long that should take, and shows progress per stage.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { choiceListArg, pathArg } from '../options.js';
import { OutputPathError, UsageError, writeFileAtomic } from '@bioscan5m/core';
import { statsStage } from '../demo/stats.js';
import { cleanStage, splitStage } from '../demo/partition.js';
import { identifyStage } from '../demo/dna-identify.js';
import { dnaModelStage } from '../demo/dna-model.js';
import { visionStage } from '../demo/vision.js';
import { clusterStage } from '../demo/cluster.js';
import { reportStage } from '../demo/report.js';
import { clipDemoStages } from './demo-clip.js';
import { progressBar, type ProgressSink } from '../progress.js';
import { VERSION } from '../version.js';
import type { DemoManifest } from '../report/results.js';
import type { DemoContext, DemoStage } from './demo-stage.js';

/** Every stage, in the order the paper's pipeline runs them; the report comes last. */
export function demoStages(): DemoStage[] {
  return [
    statsStage,
    cleanStage,
    splitStage,
    identifyStage,
    dnaModelStage,
    visionStage,
    clusterStage,
    ...clipDemoStages,
    reportStage,
  ];
}

interface DemoOptions {
  out?: string;
  only?: string[];
  quick?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** `bioscan5m-demo`, or `bioscan5m-demo-2`, `-3`, ... : the first name not taken in the working folder. */
export function freshFolder(base = 'bioscan5m-demo'): string {
  for (let i = 1; ; i++) {
    const name = path.resolve(i === 1 ? base : `${base}-${i}`);
    if (!existsSync(name)) return name;
  }
}

const duration = (s: number) => (s < 90 ? `${Math.max(1, Math.round(s))} s` : `${Math.round(s / 60)} min`);

/** The plan printed before the first stage: what each stage shows and how long the whole run should take. */
export function demoPlan(stages: readonly DemoStage[], quick: boolean, outDir: string): string[] {
  const total = stages.reduce((s, st) => s + ((quick ? st.seconds?.quick : st.seconds?.full) ?? 0), 0);
  const width = Math.max(...stages.map((s) => s.name.length));
  return [
    `bioscan5m demo${quick ? ' --quick' : ''}: every capability on the embedded sample (598 BOLD barcodes, 16 BIOSCAN photos), offline.`,
    `${stages.length} stages, about ${duration(total)} on 2 cores${quick ? ' (small training budgets)' : '; --quick runs the same stages with small budgets in about 1 min'}:`,
    ...stages.map(
      (s, i) =>
        `  ${String(i + 1).padStart(2)}. ${s.name.padEnd(width)}  ${s.title ?? ''}${s.seconds ? ` (~${duration(quick ? s.seconds.quick : s.seconds.full)})` : ''}`,
    ),
    `outputs: ${outDir} (one JSON per stage; report.html at the end)`,
  ];
}

function selectStages(only: readonly string[] | undefined): DemoStage[] {
  const all = demoStages();
  if (!only) return all;
  const unknown = only.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length || only.length === 0)
    throw new UsageError(`unknown stage '${unknown[0] ?? ''}'; stages: ${all.map((s) => s.name).join(', ')}`, '--only');
  return all.filter((s) => only.includes(s.name));
}

export async function runDemo(opts: DemoOptions): Promise<DemoManifest> {
  const stages = selectStages(opts.only);
  const outDir = opts.out ? path.resolve(opts.out) : freshFolder();
  if (existsSync(outDir) && readdirSync(outDir).length && !existsSync(path.join(outDir, 'demo.json'))) {
    throw new OutputPathError(
      outDir,
      'exists and holds files that are not an earlier demo: give a new or empty folder',
    );
  }
  mkdirSync(outDir, { recursive: true });
  const quick = Boolean(opts.quick);
  const quiet = Boolean(opts.quiet || opts.json);
  const say = (line: string) => {
    if (!quiet) console.log(line);
  };
  for (const line of demoPlan(stages, quick, outDir)) say(line);
  const manifest: DemoManifest = { version: VERSION, quick, started: new Date().toISOString(), seconds: 0, stages: [] };
  const t0 = performance.now();
  for (const [i, stage] of stages.entries()) {
    say(`\n== ${i + 1}/${stages.length} ${stage.name} ==`);
    let bar: ProgressSink | null = null;
    const ctx: DemoContext = {
      outDir,
      quick,
      // On a terminal a log line ends the current bar and the next update starts a fresh one under it; in a pipe
      // the progress lines are throttled per stage.
      log: (line) => {
        if (process.stderr.isTTY) {
          bar?.stop();
          bar = null;
        }
        say(line);
      },
      onProgress: (done, total) => {
        bar ??= progressBar(stage.name, { quiet });
        bar.update(done, total);
      },
    };
    const t = performance.now();
    let result: unknown;
    try {
      result = await stage.run(ctx);
    } finally {
      (bar as ProgressSink | null)?.stop();
    }
    const seconds = (performance.now() - t) / 1000;
    if (result !== undefined)
      writeFileAtomic(path.join(outDir, `${stage.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    manifest.stages.push({ name: stage.name, seconds, ok: true });
    manifest.seconds = (performance.now() - t0) / 1000;
    writeFileAtomic(path.join(outDir, 'demo.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    say(`(${stage.name}: ${seconds.toFixed(1)} s)`);
  }
  say(`\ndemo finished: ${stages.length} stages in ${manifest.seconds.toFixed(1)} s; outputs in ${outDir}`);
  if (existsSync(path.join(outDir, 'report.html'))) say(`report: ${path.join(outDir, 'report.html')}`);
  return manifest;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run every capability on the embedded sample data (real BIOSCAN/BOLD records shipped with the CLI) and write an HTML report',
    )
    .option('--out <dir>', 'folder for the outputs (default: a new bioscan5m-demo[-N] folder here)', pathArg)
    .option('--quick', 'the same stages with small training budgets (about a minute)')
    .option(
      '--only <stages>',
      `comma-separated stage names to run: ${demoStages()
        .map((s) => s.name)
        .join(', ')}`,
      choiceListArg(demoStages().map((s) => s.name)),
    )
    .option('--json', 'print one JSON summary (the stages and their seconds) instead of the tables')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExamples:\n  bioscan5m demo                         # the full demo, about 3 min on 2 cores\n  bioscan5m demo --quick --out demo-out  # small budgets, about a minute\n  bioscan5m report --from demo-out       # the HTML report again\n',
    )
    .action(async (opts: DemoOptions) => {
      const manifest = await runDemo(opts);
      if (opts.json) console.log(JSON.stringify(manifest, null, 2));
    });
}
