/** Runs the CLI in-process (runCli) or as the built binary (runBuiltCli) for tests, capturing what it prints. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, main } from './cli.js';

export interface CliRun {
  code: number;
  /** console.log and direct process.stdout writes. */
  out: string;
  /** console.error and direct process.stderr writes (commander's usage errors, progress lines). */
  err: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const writeErr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += `${a.join(' ')}\n`;
  });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err += `${a.join(' ')}\n`;
  });
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'bioscan5m', ...args]);
    return { code, out, err };
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}

/** Every command that does something ('dna pretrain', 'stats', ...), by its full name. */
export function leafCommands(): Map<string, Command> {
  const out = new Map<string, Command>();
  const walk = (c: Command, prefix: string) => {
    for (const s of c.commands) {
      if (s.name() === 'help') continue;
      const n = `${prefix}${s.name()}`;
      if (s.commands.length) walk(s, `${n} `);
      else out.set(n, s);
    }
  };
  walk(buildProgram(), '');
  return out;
}

/** The built launcher (`npm run build` first): what a user runs. */
export const BUILT_CLI = fileURLToPath(new URL('../bin/bioscan5m.js', import.meta.url));

export interface BuiltCliOptions {
  cwd?: string;
  /** Added to a clean environment (no NO_COLOR / FORCE_COLOR of the caller's). */
  env?: Record<string, string>;
  /** Killed after this many ms (the run then reports code -1). */
  timeoutMs?: number;
  /** Run as this uid/gid (root only): to test permissions, which root ignores. */
  uid?: number;
  gid?: number;
}

/** Runs the built CLI in a child process; stdout and stderr are pipes (not a terminal). */
export function runBuiltCli(args: string[], opts: BuiltCliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...opts.env };
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      cwd: opts.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: opts.uid,
      gid: opts.gid,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

/** Runs `tasks` with at most `limit` at a time, keeping their order in the result. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
