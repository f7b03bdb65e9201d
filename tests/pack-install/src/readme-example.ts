// The README example the pack-install test runs: the ```ts block right after a
// `<!-- pack-install: example [NAME=SAMPLE ...] -->` comment. Each NAME=SAMPLE copies the CLI's embedded sample
// file or folder apps/cli/data/SAMPLE into the consumer project as NAME, so the example reads the file names a
// user would have.
import { readFileSync } from 'node:fs';

export interface ReadmeExample {
  code: string;
  /** File or folder name in the consumer project -> name under apps/cli/data. */
  samples: Record<string, string>;
}

const MARKER = /<!--\s*pack-install:\s*example([^>]*?)-->\s*\n```(?:ts|typescript)\n([\s\S]*?)\n```/;

/** The marked example of a README, or undefined when it has none. */
export function readmeExample(readmeFile: string): ReadmeExample | undefined {
  const match = MARKER.exec(readFileSync(readmeFile, 'utf8'));
  if (!match) return undefined;
  const samples: Record<string, string> = {};
  for (const pair of match[1].trim().split(/\s+/).filter(Boolean)) {
    const [name, sample] = pair.split('=');
    if (!name || !sample) throw new Error(`${readmeFile}: pack-install marker: expected NAME=SAMPLE, got "${pair}"`);
    samples[name] = sample;
  }
  return { code: match[2], samples };
}
