/**
 * Load test of the identification service (`bioscan5m dna serve`), on 127.0.0.1 only, each run bounded in time:
 * requests/s and p50/p99 latency for 1 and 100 concurrent clients (autocannon), one query per request, every
 * answer checked against the batch command's row for that query (`dna identify --index`, same index): a wrong,
 * failed or missing answer is counted and printed. Two references:
 *  - real: the shared coi_barcodes.csv split by buildIdentifyProtocol (seed 7): reference -> index, closed- and
 *    open-world held-out barcodes -> queries;
 *  - synthetic: `bioscan5m synth --rows N` (default 100,000) -> index; queries: every (N/1000)-th reference
 *    barcode with ~1% of its bases changed (seeded).
 * Beside it, measured in the same run: the batch command over the same queries (queries/s end to end, index
 * load included) and one `dna identify --index` call for a single query (what a user without the service pays
 * per specimen).
 *
 * Usage: npm run bench:serve -w @bioscan5m/dna [-- --synthetic 100000 --duration 10 --workers 2 --skip-real]
 * (build first: npm run build; run under `flock /tmp/bioscan-bench.lock`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { createRng, createTableWriter, openTable } from '@bioscan5m/core';
import { buildIdentifyProtocol } from '../src/identify/protocol.js';
import { arg, args, repoRoot } from './bench-args.js';

const ROOT = repoRoot();
const CLI = path.join(ROOT, 'apps/cli/bin/bioscan5m.js');
const DATA = arg('data', path.resolve(ROOT, '../shared/data/dna/coi_barcodes.csv'));
const OUT = arg('out', '/tmp/bioscan-bench/serve');
const SYNTH = Number(arg('synthetic', '100000'));
const DURATION = Number(arg('duration', '10'));
const WORKERS = arg('workers', '2');
const CLIENTS = arg('clients', '1,100').split(',').map(Number);
mkdirSync(OUT, { recursive: true });

interface Query {
  id: string;
  sequence: string;
}

/** Runs the CLI; seconds taken. Throws with its stderr when it fails. */
function cli(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`bioscan5m ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

function writeFasta(file: string, queries: readonly Query[]): void {
  writeFileSync(file, queries.map((q) => `>${q.id}\n${q.sequence}\n`).join(''));
}

async function realData(dir: string): Promise<{ reference: string; queries: Query[] } | null> {
  if (!existsSync(DATA)) {
    console.log(`real data absent (${DATA}): skipped`);
    return null;
  }
  const p = await buildIdentifyProtocol(DATA, 7);
  const reference = path.join(dir, 'reference.csv');
  const w = createTableWriter(reference, p.header);
  for (const r of p.reference) w.write(r);
  w.close();
  const idCol = p.header.indexOf('record_id') >= 0 ? p.header.indexOf('record_id') : p.header.indexOf('processid');
  const seqCol = p.header.indexOf('dna_barcode');
  const queries = [...p.closed, ...p.open].map((r, i) => ({ id: r[idCol] || `q${i}`, sequence: r[seqCol] }));
  return { reference, queries };
}

async function syntheticData(dir: string, rows: number): Promise<{ reference: string; queries: Query[] }> {
  const reference = path.join(dir, 'reference.csv');
  if (!existsSync(reference)) {
    const s = cli(['synth', '--rows', String(rows), '--seed', '1', '--out', reference, '--quiet']);
    console.log(`  synth ${rows.toLocaleString('en-US')} rows: ${s.toFixed(1)} s`);
  }
  const table = await openTable(reference);
  const seqCol = table.column('dna_barcode');
  const every = Math.max(1, Math.floor(rows / 1000));
  const rng = createRng(3);
  const queries: Query[] = [];
  let n = 0;
  for await (const row of table) {
    const seq = row.fields[seqCol];
    if (n++ % every !== 0 || seq.length < 200) continue;
    const bases = seq.split('');
    for (let i = 0; i < bases.length; i++) if (rng.random() < 0.01) bases[i] = 'ACGT'[rng.int(0, 3)];
    queries.push({ id: `s${queries.length}`, sequence: bases.join('') });
  }
  return { reference, queries };
}

interface Server {
  url: string;
  stop: () => Promise<number | null>;
}

function startServer(index: string): Promise<Server> {
  const proc = spawn(
    process.execPath,
    [CLI, 'dna', 'serve', '--index', index, '--port', '0', '--workers', WORKERS, '--quiet', '--max-queries', '100000'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stdout.on('data', (c) => (out += c));
  proc.stderr.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m || !out.includes('Ctrl-C stops')) return;
      clearInterval(poll);
      resolve({
        url: m[1],
        stop: () => {
          proc.kill('SIGTERM');
          return exited;
        },
      });
    }, 20);
    exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`dna serve exited (${code}): ${err}`));
    });
  });
}

interface LoadResult {
  clients: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  wrong: number;
  failed: number;
}

/** One bounded autocannon run: `clients` connections, one query per request, every answer checked. */
async function load(
  url: string,
  queries: readonly Query[],
  expected: Map<string, string>,
  clients: number,
): Promise<LoadResult> {
  let next = 0;
  let wrong = 0;
  let checked = 0;
  const header = expected.get('')!;
  const result = await autocannon({
    url: new URL('identify', url).href,
    connections: clients,
    duration: DURATION,
    pipelining: 1,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/csv' },
        setupRequest: (req: autocannon.Request, context: object) => {
          const q = queries[next++ % queries.length];
          (context as { id?: string }).id = q.id;
          return { ...req, body: JSON.stringify([q]) };
        },
        onResponse: (status: number, body: string, context: object) => {
          checked++;
          const id = (context as { id?: string }).id ?? '';
          if (status !== 200 || body !== `${header}\n${expected.get(id)}\n`) {
            if (wrong++ < 3) console.log(`  wrong answer for ${id}: ${status} ${body.slice(0, 300)}`);
          }
        },
      },
    ],
  });
  const failed =
    result.errors +
    result.timeouts +
    result.non2xx +
    Math.max(0, result.requests.sent - result.requests.total - clients);
  if (checked !== result.requests.total) console.log(`  answers checked ${checked} of ${result.requests.total}`);
  return {
    clients,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    wrong,
    failed,
  };
}

async function bench(name: string, data: { reference: string; queries: Query[] }, dir: string): Promise<void> {
  const index = path.join(dir, 'reference.idx');
  const fasta = path.join(dir, 'queries.fasta');
  const pred = path.join(dir, 'pred.csv');
  writeFasta(fasta, data.queries);
  const buildS = cli(['dna', 'index', '--reference', data.reference, '--out', index, '--threads', WORKERS, '--quiet']);
  const batchS = cli([
    'dna',
    'identify',
    '--index',
    index,
    '--queries',
    fasta,
    '--out',
    pred,
    '--threads',
    WORKERS,
    '--quiet',
  ]);
  writeFasta(path.join(dir, 'one.fasta'), data.queries.slice(0, 1));
  const oneS = cli([
    'dna',
    'identify',
    '--index',
    index,
    '--queries',
    path.join(dir, 'one.fasta'),
    '--out',
    path.join(dir, 'one.csv'),
    '--quiet',
  ]);
  const lines = readFileSync(pred, 'utf8').trimEnd().split('\n');
  // Expected answer per query id: the batch row (ids are unique in both query sets).
  const expected = new Map<string, string>([['', lines[0]]]);
  data.queries.forEach((q, i) => expected.set(q.id, lines[i + 1]));
  console.log(
    `\n${name}: ${data.queries.length.toLocaleString('en-US')} queries; index built in ${buildS.toFixed(1)} s; ` +
      `batch dna identify --index: ${batchS.toFixed(2)} s (${(data.queries.length / batchS).toFixed(1)} queries/s end to end); ` +
      `one-query call: ${oneS.toFixed(2)} s`,
  );
  const server = await startServer(index);
  const results: LoadResult[] = [];
  try {
    for (const c of CLIENTS) results.push(await load(server.url, data.queries, expected, c));
  } finally {
    const code = await server.stop();
    console.log(`  server stopped on SIGTERM: exit ${code}`);
  }
  console.log(
    `| reference | clients | requests | requests/s | p50 ms | p99 ms | wrong | failed | batch queries/s | one-query CLI s |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
  for (const r of results)
    console.log(
      `| ${name} | ${r.clients} | ${r.requests} | ${r.rps.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.wrong} | ${r.failed} | ` +
        `${(data.queries.length / batchS).toFixed(1)} | ${oneS.toFixed(2)} |`,
    );
}

async function main(): Promise<void> {
  console.log(
    `dna serve load test: ${DURATION} s per run, clients ${CLIENTS.join(', ')}, ${WORKERS} workers, 127.0.0.1`,
  );
  if (!args.includes('--skip-real')) {
    const dir = path.join(OUT, 'real');
    mkdirSync(dir, { recursive: true });
    const real = await realData(dir);
    if (real) await bench('real (coi_barcodes.csv protocol reference)', real, dir);
  }
  if (SYNTH > 0) {
    const dir = path.join(OUT, `synth-${SYNTH}`);
    mkdirSync(dir, { recursive: true });
    await bench(`synthetic ${SYNTH.toLocaleString('en-US')} records`, await syntheticData(dir, SYNTH), dir);
  }
}

await main();
