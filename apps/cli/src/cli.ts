/**
 * The `bioscan5m` command. It only parses arguments and composes the packages; logic lives in them.
 *
 * Exit codes: 0 all of it done; 1 a failure (bad input file, unwritable output, missing optional package, or a
 * real bug, which alone is called "unexpected"); 2 a usage error (unknown or missing flag, bad flag value).
 */
import { Command, CommanderError } from 'commander';
import { Bioscan5mError, printable } from '@bioscan5m/core';
import { registerCoreCommands } from './commands/core.js';
import { registerDnaCommands } from './commands/dna.js';
import { registerVisionCommands } from './commands/vision.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerClipCommands } from './commands/clip.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerReportCommand } from './commands/report.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** `s` with every line escaped for a terminal (an error about a binary file must not print its bytes). */
export function terminalSafe(s: string): string {
  return s
    .split(/\r\n|\n/)
    .map((line) => printable(line))
    .join('\n');
}

export function buildProgram(): Command {
  const program = new Command('bioscan5m')
    .description('BIOSCAN-5M toolkit: metadata, DNA barcodes, specimen images and zero-shot clustering')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print stack traces for unexpected errors')
    // Set before the subcommands are added: commander copies these settings into each one at creation.
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(terminalSafe(str)) })
    .showHelpAfterError('(run with --help for usage)');
  registerDemoCommand(program);
  registerReportCommand(program);
  registerCoreCommands(program);
  registerDnaCommands(program);
  registerVisionCommands(program);
  registerClusterCommands(program);
  registerClipCommands(program);
  return program;
}

/** Node's errors of the file system (ENOENT, EACCES, EISDIR, ...) carry the path: a problem with a user's file. */
interface SystemError extends Error {
  code: string;
  syscall: string;
  path?: string;
}

const FILE_SYSTEM_CODES = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'ENOSPC',
  'EROFS',
  'EDQUOT',
  'EMFILE',
  'ENAMETOOLONG',
  'ELOOP',
  'EFBIG',
]);

function isFileSystemError(err: unknown): err is SystemError {
  const e = err as Partial<SystemError> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.code === 'string' &&
    typeof e.syscall === 'string' &&
    typeof e.path === 'string' &&
    FILE_SYSTEM_CODES.has(e.code)
  );
}

const FILE_SYSTEM_REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  EFBIG: 'file too large',
};

/** The exit code for `err`, after printing what the user needs to know on stderr. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // commander has printed its message (through terminalSafe) or the help/version text already.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return EXIT_USAGE;
  }
  if (Bioscan5mError.isInstance(err)) {
    console.error(terminalSafe(`bioscan5m: ${err.message}`));
    if (debug) console.error(err.stack);
    return err.code === 'BIOSCAN5M_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  // A file-system error escaping a package names the file and the reason: the user's environment, not a bug.
  if (isFileSystemError(err)) {
    console.error(terminalSafe(`bioscan5m: ${err.path}: ${FILE_SYSTEM_REASONS[err.code]} (${err.code})`));
    if (debug) console.error(err.stack);
    return EXIT_FAILURE;
  }
  const e = err as Error | undefined;
  console.error(terminalSafe(`bioscan5m: unexpected error: ${e?.message ?? String(err)}`));
  if (debug) console.error(e?.stack);
  else console.error('(run again with --debug for the stack trace, and please report it)');
  return EXIT_FAILURE;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  }
}

const invokedDirectly = process.argv[1] && /bioscan5m(\.js)?$|cli\.js$/.test(process.argv[1]);
if (invokedDirectly) {
  main().then((code) => {
    process.exitCode = code;
  });
}
