/**
 * One stage of `bioscan5m demo`. Each stage lives in its own file under src/demo/ (or beside its command) and is
 * registered in one line in commands/demo.ts. A stage prints lines for the person watching and returns a
 * JSON-able result: the demo writes it to `<out>/<name>.json`, and `bioscan5m report` reads those files.
 */
import type { ProgressCallback } from '@bioscan5m/core';

export interface DemoContext {
  /** Folder where the demo writes its outputs. */
  outDir: string;
  /** Print a line for the person watching. */
  log(line: string): void;
  /** The fast path (`--quick`, the tests): the same steps with small budgets. Absent = false. */
  quick?: boolean;
  /** Progress within the stage (done, total), e.g. training steps; the demo draws it. */
  onProgress?: ProgressCallback;
}

export interface DemoStage {
  name: string;
  /** What the stage shows, one line (printed in the demo's plan). */
  title?: string;
  /** Expected seconds on 2 busy cores, for the plan's time estimate. */
  seconds?: { quick: number; full: number };
  /** Runs the stage; what it returns (when not undefined) is written to `<out>/<name>.json`. */
  run(ctx: DemoContext): Promise<unknown>;
}
