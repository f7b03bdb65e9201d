import type { Command } from 'commander';
import type { DemoStage } from './demo-stage.js';
import { registerDnaModelCommands, dnaModelDemoStages } from './dna-model.js';
import { registerDnaIdentifyCommands, dnaIdentifyDemoStages } from './dna-identify.js';

/** Registers `bioscan5m dna ...`: pretrain, finetune, probe, embed, export-onnx (dna-model) and identify (dna-identify). */
export function registerDnaCommands(program: Command): void {
  const dna = program.command('dna').description('DNA barcodes: BarcodeBERT-style models and species identification');
  registerDnaModelCommands(dna);
  registerDnaIdentifyCommands(dna);
}

export const dnaDemoStages: DemoStage[] = [...dnaIdentifyDemoStages, ...dnaModelDemoStages];
