import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** Registers the @bioscan5m/vision commands. */
export function registerVisionCommands(_program: Command): void {}

/** Stages this package adds to `bioscan5m demo`. */
export const visionDemoStages: DemoStage[] = [];
