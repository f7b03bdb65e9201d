/** One stage of `bioscan5m demo`: each package's command file contributes its own. */
export interface DemoContext {
  /** Folder where the demo writes its outputs. */
  outDir: string;
  /** Print a line for the person watching. */
  log(line: string): void;
}

export interface DemoStage {
  name: string;
  run(ctx: DemoContext): Promise<void>;
}
