/**
 * Progress reporting for long jobs: packages take an `onProgress(done, total)` callback; the CLI renders it
 * as a bar on an interactive terminal and as occasional plain lines otherwise (pipes, logs, CI, TERM=dumb),
 * always on stderr, so stdout stays clean for results and --json.
 */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

// cli-progress is loaded when a bar is drawn (a terminal), not at start-up: `--help` and piped runs skip its ~30 ms.
const require = createRequire(import.meta.url);
const loadCliProgress = () => require('cli-progress') as typeof cliProgressModule;

export interface ProgressSink {
  update(done: number, total?: number): void;
  stop(): void;
}

/** How progress is shown: 'bar' on a terminal, 'lines' in pipes and logs, 'none' with --quiet. */
export type ProgressMode = 'bar' | 'lines' | 'none';

export function progressMode(
  opts: { quiet?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
  stderr: { isTTY?: boolean } = process.stderr,
): ProgressMode {
  if (opts.quiet) return 'none';
  // A bar redraws itself with control sequences: only for a terminal that understands them.
  return stderr.isTTY && env.TERM !== 'dumb' ? 'bar' : 'lines';
}

/**
 * True when output may carry ANSI colours: a terminal, and neither NO_COLOR (https://no-color.org: any non-empty
 * value) nor TERM=dumb. FORCE_COLOR (non-empty, not '0') turns colours on in pipes.
 */
export function colorEnabled(
  env: NodeJS.ProcessEnv = process.env,
  stream: { isTTY?: boolean } = process.stderr,
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Time between plain progress lines in pipes and logs; a job shorter than this prints none. */
const LINE_INTERVAL_MS = 5000;

/**
 * Runs one job with a progress bar fed by its `onProgress` callback, and stops the bar however the job ends (the
 * try/finally every command needs around a job).
 */
export async function withProgressBar<T>(
  label: string,
  opts: { quiet?: boolean },
  job: (onProgress: (done: number, total?: number) => void) => Promise<T>,
): Promise<T> {
  const bar = progressBar(label, opts);
  try {
    return await job((done, total) => bar.update(done, total));
  } finally {
    bar.stop();
  }
}

export function progressBar(label: string, opts: { quiet?: boolean } = {}): ProgressSink {
  const mode = progressMode(opts);
  if (mode === 'none') return { update() {}, stop() {} };
  if (mode === 'bar') {
    const cliProgress = loadCliProgress();
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      // Block characters only: no colour codes, whatever NO_COLOR says.
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total ?? 0, done);
          started = true;
        } else {
          if (total !== undefined) bar.setTotal(total);
          bar.update(done);
        }
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let last = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < LINE_INTERVAL_MS) return;
      last = now;
      const pct = total ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
      process.stderr.write(`${label}: ${done}${total ? `/${total}` : ''}${pct}\n`);
    },
    stop() {},
  };
}
