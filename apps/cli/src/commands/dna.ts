import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** Registers the @bioscan5m/dna commands. */
export function registerDnaCommands(_program: Command): void {}

/** Stages this package adds to `bioscan5m demo`. */
export const dnaDemoStages: DemoStage[] = [];
