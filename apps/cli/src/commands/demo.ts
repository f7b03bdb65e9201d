import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { choiceListArg, pathArg } from '../options.js';
import { coreDemoStages } from './core.js';
import { dnaDemoStages } from './dna.js';
import { visionDemoStages } from './vision.js';
import { clusterDemoStages } from './cluster.js';
import { clipDemoStages } from './demo-clip.js';
import type { DemoStage } from './demo-stage.js';

/** Every stage, in the order the paper's pipeline runs them. */
export function demoStages(): DemoStage[] {
  return [...coreDemoStages, ...dnaDemoStages, ...visionDemoStages, ...clusterDemoStages, ...clipDemoStages];
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run every capability on the embedded sample data (real BIOSCAN/BOLD records shipped with the CLI)')
    .option('--out <dir>', 'folder for the demo outputs', pathArg, 'bioscan5m-demo')
    .option('--only <stages>', `comma-separated stage names to run: ${demoStages().map((s) => s.name).join(', ')}`, choiceListArg(demoStages().map((s) => s.name)))
    .addHelpText('after', '\nExamples (the embedded sample data ships with the CLI):\n  bioscan5m demo\n  bioscan5m demo --only stats,cluster --out demo-out\n')
    .action(async (opts: { out: string; only?: string[] }) => {
      const outDir = path.resolve(opts.out);
      mkdirSync(outDir, { recursive: true });
      const only = opts.only ? new Set(opts.only) : null;
      const stages = demoStages().filter((s) => !only || only.has(s.name));
      const t0 = Date.now();
      for (const stage of stages) {
        const t = Date.now();
        console.log(`\n== ${stage.name} ==`);
        await stage.run({ outDir, log: (line) => console.log(line) });
        console.log(`(${stage.name}: ${((Date.now() - t) / 1000).toFixed(1)} s)`);
      }
      console.log(`\ndemo finished: ${stages.length} stages in ${((Date.now() - t0) / 1000).toFixed(1)} s; outputs in ${outDir}`);
    });
}
