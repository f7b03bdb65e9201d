/** `bioscan5m report --from DIR`: the HTML report of a demo folder. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { checkOutputPaths, OutputPathError } from '@bioscan5m/core';
import { pathArg } from '../options.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write the HTML report (tables, charts, map, photo gallery) of a `bioscan5m demo` output folder')
    .requiredOption('--from <dir>', 'the --out folder of `bioscan5m demo` (its *.json results)', pathArg)
    .option('--out <file.html>', 'the page to write (default: <dir>/report.html)', pathArg)
    .option('--json', 'print one JSON summary')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExample:\n  bioscan5m demo --quick --out demo-out && bioscan5m report --from demo-out --out demo.html\n',
    )
    .action(async (o: { from: string; out?: string; json?: boolean; quiet?: boolean }) => {
      const out = path.resolve(o.out ?? path.join(o.from, 'report.html'));
      if (!out.endsWith('.html'))
        throw new OutputPathError(out, 'the report is an HTML page: give a file name ending in .html');
      const { RESULT_FILES } = await import('../report/results.js');
      checkOutputPaths({
        inputs: Object.fromEntries(Object.values(RESULT_FILES).map((f) => [f, path.join(o.from, f)])),
        outputs: { '--out': out },
      });
      if (
        existsSync(out) &&
        statSync(out).isFile() &&
        !/^<!doctype html>/i.test(readFileSync(out, 'utf8').slice(0, 100))
      ) {
        throw new OutputPathError(out, 'exists and is not an HTML page written by this command: not overwriting it');
      }
      const { writeReport } = await import('../report/index.js');
      const r = await writeReport(o.from, out);
      if (o.json) console.log(JSON.stringify(r));
      else if (!o.quiet) console.log(`wrote ${r.out} (${(r.bytes / 1024).toFixed(0)} kB)`);
    });
}
