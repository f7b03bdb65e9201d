import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** Registers the @bioscan5m/core commands: stats, clean, split, paths, synth. */
export function registerCoreCommands(_program: Command): void {}

/** Stages @bioscan5m/core adds to `bioscan5m demo`. */
export const coreDemoStages: DemoStage[] = [];
