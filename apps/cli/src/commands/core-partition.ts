import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** `bioscan5m clean`, `bioscan5m split` and `bioscan5m synth`. */
export function registerCorePartitionCommands(_program: Command): void {}

export const corePartitionDemoStages: DemoStage[] = [];
