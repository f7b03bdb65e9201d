/**
 * `bioscan5m dna serve` as a user runs it (the built CLI in a child process, worker threads from the built worker
 * entry), on 127.0.0.1 with an ephemeral port: it prints its URL and backend, answers concurrent requests with
 * exactly `dna identify --index`'s rows, and on SIGTERM with a request in flight answers it in full and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '@bioscan5m/core';
import { embedded } from '../data.js';
import { BUILT_CLI, runBuiltCli } from '../test-support.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-dna-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  proc: ChildProcess;
  url: string;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service; resolves once it printed its URL. */
function startServe(args: string[]): Promise<Started> {
  const proc = spawn(process.execPath, [BUILT_CLI, 'dna', 'serve', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (err += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Ctrl-C stops')) {
        clearInterval(poll);
        resolve({ proc, url: m[1], out: () => out, exit });
      }
    }, 20);
    exit.then(({ code }) => {
      clearInterval(poll);
      reject(new Error(`dna serve exited (${code}) before listening: ${err}`));
    });
  });
}

const table = await readTable(embedded.barcodes);
const idCol = table.header.indexOf('record_id');
const seqCol = table.header.indexOf('dna_barcode');
// Every 3rd embedded barcode is a query (against the whole embedded reference).
const queries = table.rows.filter((_, i) => i % 3 === 0).map((r) => ({ id: r[idCol], sequence: r[seqCol] }));
const queryFile = path.join(dir, 'queries.fasta');
const predFile = path.join(dir, 'pred.csv');
const indexFile = path.join(dir, 'barcodes.idx');
let batch: string;
let serve: Started;

/** `dna identify --index` on a query file: its predictions CSV. */
async function identifyBatch(queryPath: string, out: string, extra: string[] = []): Promise<string> {
  const r = await runBuiltCli([
    'dna',
    'identify',
    '--index',
    indexFile,
    '--queries',
    queryPath,
    '--out',
    out,
    '--quiet',
    ...extra,
  ]);
  expect(r.code, r.err).toBe(0);
  return readFileSync(out, 'utf8');
}

beforeAll(async () => {
  writeFileSync(queryFile, queries.map((q) => `>${q.id}\n${q.sequence}\n`).join(''));
  const built = await runBuiltCli(['dna', 'index', '--reference', embedded.barcodes, '--out', indexFile, '--quiet']);
  expect(built.code, built.err).toBe(0);
  batch = await identifyBatch(queryFile, predFile);
  serve = await startServe(['--index', indexFile, '--workers', '2']);
}, 120_000);

const identify = (body: unknown[], url = serve.url) =>
  fetch(new URL('identify', url), {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'text/csv' },
  });

describe('bioscan5m dna serve (built CLI)', () => {
  it('prints its URL on 127.0.0.1 and its backend', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(serve.out()).toMatch(/index: .*barcodes\.idx: 598 records, \d+ distinct barcodes, k=\d+/);
    expect(serve.out()).toContain('search: 2 worker threads');
  });

  it('answers concurrent requests on worker threads with exactly the batch rows', async () => {
    // Eight requests at once, each a slice of the queries; the CSV answers put together are the batch file.
    const slices = Array.from({ length: 8 }, (_, i) => queries.filter((_, j) => j % 8 === i));
    const answers = await Promise.all(slices.map((s) => identify(s).then((r) => r.text())));
    const [header, ...rows] = batch.trimEnd().split('\n');
    const byId = new Map(rows.map((r) => [r.split(',')[0], r]));
    answers.forEach((a, i) => {
      const lines = a.trimEnd().split('\n');
      expect(lines[0]).toBe(header);
      expect(lines.slice(1)).toEqual(slices[i].map((q) => byId.get(q.id)));
    });
    const health = await (await fetch(new URL('health', serve.url))).json();
    expect(health).toMatchObject({
      status: 'ok',
      workers: 2,
      index: { file: indexFile, formatVersion: 1, records: 598 },
      answered: queries.length,
    });
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('SIGTERM with a request in flight: the request is answered in full, then exit 0', async () => {
    // A request big enough to be still in flight when the signal comes (queries repeated).
    const big = Array.from({ length: 6 }, (_, k) =>
      queries.map((q) => ({ id: `${k}-${q.id}`, sequence: q.sequence })),
    ).flat();
    const pending = identify(big).then(async (r) => ({ status: r.status, text: await r.text() }));
    // /health answers while the workers search: wait until the server has the request.
    for (;;) {
      const h = await (await fetch(new URL('health', serve.url))).json();
      if (h.inFlight > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    serve.proc.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.text.trimEnd().split('\n')).toHaveLength(big.length + 1);
    expect(await serve.exit).toEqual({ code: 0, signal: null });
    expect(serve.out()).toMatch(/SIGTERM: no new requests; answering the 1 in flight, then stopping\nstopped\n$/);
  });
});

describe('bioscan5m dna serve --open-world (built CLI)', () => {
  // Novel queries: embedded barcodes with every 12th base changed (~92% identical to their nearest reference, below
  // any species threshold), so each is called novel and gets the nearest species of its genus unless --open-world.
  const swap: Record<string, string> = { A: 'C', C: 'G', G: 'T', T: 'A' };
  const novel = queries.slice(0, 6).map((q) => ({
    id: `novel-${q.id}`,
    sequence: [...q.sequence.toUpperCase()].map((b, i) => (i % 12 === 5 ? (swap[b] ?? b) : b)).join(''),
  }));
  const novelFile = path.join(dir, 'novel.fasta');

  it('answers a novel query exactly as `dna identify --index --open-world`: species left empty', async () => {
    writeFileSync(novelFile, novel.map((q) => `>${q.id}\n${q.sequence}\n`).join(''));
    const [openWorld, nearest] = await Promise.all([
      identifyBatch(novelFile, path.join(dir, 'novel-open.csv'), ['--open-world']),
      identifyBatch(novelFile, path.join(dir, 'novel-nearest.csv')),
    ]);
    const speciesOf = (csv: string) => {
      const [header, ...rows] = csv
        .trimEnd()
        .split('\n')
        .map((l) => l.split(','));
      return rows.map((r) => ({ species: r[header.indexOf('species')], novel: r[header.indexOf('novel')] }));
    };
    // The case: novel queries whose species is named by default and left empty in the open world.
    expect(speciesOf(nearest).some((r) => r.novel === 'true' && r.species !== '')).toBe(true);
    expect(
      speciesOf(openWorld)
        .filter((r) => r.novel === 'true')
        .map((r) => r.species),
    ).toEqual(
      speciesOf(openWorld)
        .filter((r) => r.novel === 'true')
        .map(() => ''),
    );
    const served = await startServe(['--index', indexFile, '--workers', '1', '--open-world']);
    try {
      expect(served.out()).toContain('species of a query called novel: empty (--open-world)');
      const res = await identify(novel, served.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(openWorld);
      const health = await (await fetch(new URL('health', served.url))).json();
      expect(health.novelSpecies).toBe('empty');
    } finally {
      served.proc.kill('SIGTERM');
      expect(await served.exit).toEqual({ code: 0, signal: null });
    }
  }, 120_000);
});
