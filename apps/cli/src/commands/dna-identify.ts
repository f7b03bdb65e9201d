import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** `bioscan5m dna identify`. */
export function registerDnaIdentifyCommands(_dna: Command): void {}

export const dnaIdentifyDemoStages: DemoStage[] = [];
