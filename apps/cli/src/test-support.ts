/** Runs the CLI in-process for tests, capturing what it prints. */
import { vi } from 'vitest';
import { main } from './cli.js';

export interface CliRun {
  code: number;
  /** console.log and direct process.stdout writes. */
  out: string;
  /** console.error. */
  err: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
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
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}
