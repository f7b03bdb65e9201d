import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** `bioscan5m stats` and `bioscan5m paths`. */
export function registerCoreDataCommands(_program: Command): void {}

export const coreDataDemoStages: DemoStage[] = [];
