// One timed side of stats-before-after.mjs: runStatsJob (computeStats in builds before it) (Table 2 columns, as `stats --json`) from a given build
// of @bioscan5m/core, printing Table 2 as JSON so that two builds' outputs can be compared.
// Usage: node bench/stats-run.mjs CORE_DIST_DIR FILE
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, file] = process.argv.slice(2);
const core = await import(pathToFileURL(path.resolve(dist, 'index.js')).href);
const r = core.runStatsJob
  ? await core.runStatsJob({ input: file, tables: 'table2' })
  : await core.computeStats(file, { tables: 'table2' });
process.stdout.write(`${JSON.stringify({ rows: r.rows, ranks: r.ranks, threads: r.threads })}\n`);
