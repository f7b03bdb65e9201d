import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';
import { registerCoreDataCommands, coreDataDemoStages } from './core-data.js';
import { registerCorePartitionCommands, corePartitionDemoStages } from './core-partition.js';

/** Registers the @bioscan5m/core commands: stats and paths (core-data), clean, split and synth (core-partition). */
export function registerCoreCommands(program: Command): void {
  registerCoreDataCommands(program);
  registerCorePartitionCommands(program);
}

/** Stages @bioscan5m/core adds to `bioscan5m demo`. */
export const coreDemoStages: DemoStage[] = [...coreDataDemoStages, ...corePartitionDemoStages];
