/**
 * The `bioscan5m` command. It only parses arguments and composes the packages; logic lives in them.
 */
import { Command, CommanderError } from 'commander';
import { Bioscan5mError } from '@bioscan5m/core';
import { registerCoreCommands } from './commands/core.js';
import { registerDnaCommands } from './commands/dna.js';
import { registerVisionCommands } from './commands/vision.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerClipCommands } from './commands/clip.js';
import { registerDemoCommand } from './commands/demo.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('bioscan5m')
    .description('BIOSCAN-5M toolkit: metadata, DNA barcodes, specimen images and zero-shot clustering')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print stack traces for unexpected errors')
    .showHelpAfterError('(run with --help for usage)');
  registerDemoCommand(program);
  registerCoreCommands(program);
  registerDnaCommands(program);
  registerVisionCommands(program);
  registerClusterCommands(program);
  registerClipCommands(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (Bioscan5mError.isInstance(err)) {
      console.error(`bioscan5m: ${err.message}`);
      return 2;
    }
    const debug = argv.includes('--debug');
    const e = err as Error;
    console.error(`bioscan5m: unexpected error: ${e?.message ?? String(err)}`);
    if (debug) console.error(e?.stack);
    else console.error('(run again with --debug for the stack trace, and please report it)');
    return 1;
  }
}

const invokedDirectly = process.argv[1] && /bioscan5m(\.js)?$|cli\.js$/.test(process.argv[1]);
if (invokedDirectly) {
  main().then((code) => {
    process.exitCode = code;
  });
}
