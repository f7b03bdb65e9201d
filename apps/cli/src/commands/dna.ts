import type { Command } from 'commander';
import { registerDnaModelCommands } from './dna-model.js';
import { registerDnaIdentifyCommands } from './dna-identify.js';
import { registerDnaServeCommand } from './dna-serve.js';

/** Registers `bioscan5m dna ...`: pretrain, finetune, probe, embed, export-onnx (dna-model), identify (dna-identify) and serve (dna-serve). */
export function registerDnaCommands(program: Command): void {
  const dna = program.command('dna').description('DNA barcodes: BarcodeBERT-style models and species identification');
  registerDnaModelCommands(dna);
  registerDnaIdentifyCommands(dna);
  registerDnaServeCommand(dna);
}
