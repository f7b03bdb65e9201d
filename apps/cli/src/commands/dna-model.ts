import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';

/** `bioscan5m dna pretrain | finetune | probe | embed | export-onnx`. */
export function registerDnaModelCommands(_dna: Command): void {}

export const dnaModelDemoStages: DemoStage[] = [];
