import type { Command } from 'commander';
import { registerCoreDataCommands } from './core-data.js';
import { registerCorePartitionCommands } from './core-partition.js';

/** Registers the @bioscan5m/core commands: stats and paths (core-data), clean, split and synth (core-partition). */
export function registerCoreCommands(program: Command): void {
  registerCoreDataCommands(program);
  registerCorePartitionCommands(program);
}
