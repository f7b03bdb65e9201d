/**
 * Progress reporting for long jobs: packages take an `onProgress(done, total)` callback; the CLI renders it
 * as a bar on a terminal and as occasional plain lines otherwise (logs, CI), always on stderr.
 */
import cliProgress from 'cli-progress';

export interface ProgressSink {
  update(done: number, total?: number): void;
  stop(): void;
}

export function progressBar(label: string, opts: { quiet?: boolean } = {}): ProgressSink {
  if (opts.quiet) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
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
      },
    };
  }
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const pct = total ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
      process.stderr.write(`${label}: ${done}${total ? `/${total}` : ''}${pct}\n`);
    },
    stop() {},
  };
}
