/**
 * The identification service in-process on 127.0.0.1 (ephemeral port), against the batch job on the same
 * generated reference: answers equal `runIdentifyJob`'s predictions file (CSV byte for byte, JSON field for
 * field, FASTA too), bad requests get the documented status and a message naming the record, /health describes
 * the index, and close() lets a request in flight finish.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableWriter, TAXONOMIC_RANKS, readTable } from '@bioscan5m/core';
import { runIdentifyJob } from '../identify/files.js';
import { syntheticSplit } from '../identify/fixtures/data.js';
import type { CleanedBarcode } from '../identify/clean.js';
import { openIdentifier } from '../identify/files.js';
import type { ServiceIdentifier } from './engine.js';
import { startIdentifyServer, type IdentifyServer } from './server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-serve-'));
const { reference, closed, open } = syntheticSplit(3);
const refFile = path.join(dir, 'ref.csv');
const queryFile = path.join(dir, 'queries.csv');
const predFile = path.join(dir, 'pred.csv');

function reverseComplement(s: string): string {
  const c: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
  return [...s]
    .reverse()
    .map((x) => c[x] ?? 'N')
    .join('');
}

// Seen and unseen species, plus what cleaning and the no-sequence rule handle: lowercase with gaps and IUPAC codes,
// RNA, reverse strand, a sequence too short to search, a random one (no similar reference).
const queries: { id: string; sequence: string }[] = [
  ...closed.slice(0, 30).map((r) => ({ id: r.processid, sequence: r.dna_barcode })),
  ...open.slice(0, 20).map((r) => ({ id: r.processid, sequence: r.dna_barcode })),
  {
    id: 'messy',
    sequence: `--${closed[0].dna_barcode.slice(0, 300).toLowerCase()}NNRY..${closed[0].dna_barcode.slice(300)}--`,
  },
  { id: 'rna', sequence: closed[1].dna_barcode.replace(/T/g, 'U') },
  { id: 'reverse', sequence: reverseComplement(closed[2].dna_barcode) },
  { id: 'short', sequence: 'ACGTACGTAC' },
  { id: 'random', sequence: Array.from({ length: 658 }, (_, i) => 'ACGT'[((i * 7919) % 13) % 4]).join('') },
];

let identifier: ServiceIdentifier;
let server: IdentifyServer;
let batchCsv: string;

beforeAll(async () => {
  const ref = createTableWriter(refFile, ['record_id', ...TAXONOMIC_RANKS, 'dna_barcode']);
  for (const r of reference) ref.write([r.processid, ...TAXONOMIC_RANKS.map((k) => r[k]), r.dna_barcode]);
  ref.close();
  const q = createTableWriter(queryFile, ['record_id', 'dna_barcode']);
  for (const x of queries) q.write([x.id, x.sequence]);
  q.close();
  await runIdentifyJob({ reference: refFile, queries: queryFile, out: predFile, seed: 1 });
  batchCsv = readFileSync(predFile, 'utf8');
  identifier = await openIdentifier({ reference: refFile, seed: 1 });
  server = await startIdentifyServer({ identifier, port: 0, about: { version: 'test' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await identifier?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A JSON answer: {results} on success, {statusCode, error, code, message} on failure, or /health's object. */
type Answer = { results: Record<string, unknown>[]; [key: string]: unknown };
const json = async (res: Response) => (await res.json()) as Answer;

const post = (body: string, contentType: string, accept = 'application/json', url = server.url) =>
  fetch(new URL('identify', url), { method: 'POST', body, headers: { 'content-type': contentType, accept } });

describe('dna serve answers', () => {
  it('listens on 127.0.0.1 by default, on the port the OS chose', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('equal the batch predictions file: CSV byte for byte', async () => {
    const res = await post(JSON.stringify(queries), 'application/json', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await res.text()).toBe(batchCsv);
    // The cases are there: a no-hit, a too-short query and a novel one.
    expect(batchCsv).toContain('too few A/C/G/T bases (10)');
    expect(batchCsv).toMatch(/random,,,,,,,,0,true,0(\.\d+)?,,no similar reference barcode/);
  });

  it('equal the batch predictions as JSON records, also from FASTA and when requests run concurrently', async () => {
    const { rows } = await readTable(predFile);
    const expected = rows.map((r) => ({
      record_id: r[0],
      ...Object.fromEntries(TAXONOMIC_RANKS.map((k, i) => [k, r[1 + i]])),
      confidence: Number(r[8]),
      novel: r[9] === 'true',
      identity: Number(r[10]),
      nearest_record_id: r[11],
      note: r[12],
    }));
    const res = await post(JSON.stringify(queries), 'application/json');
    expect(res.status).toBe(200);
    expect((await json(res)).results).toEqual(expected);
    const fasta = queries
      .map((q) => `>${q.id} some description\n${q.sequence.match(/.{1,80}/g)!.join('\n')}\n`)
      .join('');
    const fa = await post(fasta, 'text/x-fasta; charset=utf-8');
    expect((await json(fa)).results).toEqual(expected);
    // One query per request, all at once: each answer is its own query's.
    const single = await Promise.all(queries.map((q) => post(JSON.stringify([q]), 'application/json').then(json)));
    expect(single.map((r) => r.results[0])).toEqual(expected);
  });

  it('a record without id is named by its position', async () => {
    const res = await post(
      JSON.stringify([{ sequence: queries[0].sequence }, { id: 7, sequence: queries[1].sequence }]),
      'application/json',
    );
    const { results } = await json(res);
    expect(results.map((r) => r.record_id)).toEqual(['0', '7']);
  });
});

describe('dna serve bad requests', () => {
  type ErrorAnswer = { status: number; statusCode: number; error: string; code: string; message: string };
  const error = async (res: Response): Promise<ErrorAnswer> => ({
    status: res.status,
    ...((await res.json()) as Omit<ErrorAnswer, 'status'>),
  });

  it('invalid JSON: 400 saying where it breaks', async () => {
    const e = await error(await post('[{"id": "a", "sequence": "ACGT"', 'application/json'));
    expect(e).toMatchObject({ status: 400, statusCode: 400, error: 'Bad Request', code: 'INVALID_JSON' });
    expect(e.message).toMatch(/^the request body is not valid JSON: /);
    expect((await error(await post('', 'application/json'))).code).toBe('INVALID_JSON');
    expect((await error(await post('{"id": "a"}', 'application/json'))).message).toMatch(/expected a JSON list/);
  });

  it('empty sequence, missing sequence, non-DNA characters: 400 naming the record', async () => {
    const body = (x: unknown[]) => post(JSON.stringify(x), 'application/json');
    const ok = { id: 'fine', sequence: queries[0].sequence };
    let e = await error(await body([ok, { id: 'q2', sequence: '' }]));
    expect(e).toMatchObject({
      status: 400,
      code: 'EMPTY_SEQUENCE',
      message: 'record 2 (id "q2"): the sequence is empty',
    });
    e = await error(await body([ok, ok, { id: 'gaps', sequence: '--NN--' }]));
    expect(e.message).toBe('record 3 (id "gaps"): the sequence has no A/C/G/T base');
    e = await error(await body([{ id: 'q1' }]));
    expect(e).toMatchObject({ code: 'EMPTY_SEQUENCE', message: 'record 1 (id "q1"): no "sequence" field' });
    e = await error(await body([ok, { id: 'digits', sequence: 'ACGTAC9T' }]));
    expect(e).toMatchObject({ status: 400, code: 'INVALID_CHARACTER' });
    expect(e.message).toMatch(/^record 2 \(id "digits"\): "9" at position 7 of the sequence is no nucleotide code/);
    e = await error(await body([{ id: 'é', sequence: 'ACGTé' }]));
    expect(e.message).toMatch(/^record 1 \(id "é"\): "é" at position 5/);
    e = await error(await body([{ id: 3, sequence: 42 }]));
    expect(e.message).toBe('record 1 (id "3"): "sequence" must be a string');
    e = await error(await body([]));
    expect(e).toMatchObject({ status: 400, code: 'NO_QUERY' });
  });

  it('FASTA: text before the first header and bad records name the line', async () => {
    let e = await error(await post('ACGT\n>a\nACGT\n', 'text/plain'));
    expect(e).toMatchObject({ status: 400, code: 'INVALID_FASTA' });
    expect(e.message).toMatch(/^request body:1: sequence text before the first FASTA header/);
    e = await error(await post(`>a\n${queries[0].sequence}\n>b\nAC*GT\n`, 'text/x-fasta'));
    expect(e.message).toMatch(/^record 2 \(line 3, id "b"\): "\*" at position 3/);
    e = await error(await post('>a\n>b\nACGT\n', 'text/x-fasta'));
    expect(e.message).toBe('record 1 (line 1, id "a"): the sequence is empty');
  });

  it('wrong content type: 415 naming it and the accepted ones', async () => {
    const e = await error(await post('<html/>', 'text/html'));
    expect(e).toMatchObject({ status: 415, code: 'UNSUPPORTED_CONTENT_TYPE' });
    expect(e.message).toMatch(/content type "text\/html" is not accepted: send a JSON list .*text\/x-fasta/);
  });

  it('oversized body and too many queries: 413, and the server goes on answering', async () => {
    const small = await startIdentifyServer({ identifier, port: 0, bodyLimit: 4000, maxQueries: 3 });
    try {
      const big = JSON.stringify(queries.slice(0, 10));
      let e = await error(await post(big, 'application/json', 'application/json', small.url));
      expect(e).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
      expect(e.message).toMatch(/larger than the limit of 4000 bytes/);
      const four = queries.slice(0, 4).map((q) => ({ id: q.id, sequence: q.sequence.slice(0, 100) }));
      e = await error(await post(JSON.stringify(four), 'application/json', 'application/json', small.url));
      expect(e).toMatchObject({ status: 413, code: 'TOO_MANY_QUERIES' });
      expect(e.message).toMatch(/holds 4 queries, more than the limit of 3/);
      const ok = await post(JSON.stringify(four.slice(0, 3)), 'application/json', 'application/json', small.url);
      expect(ok.status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('unknown routes: 404 listing the routes', async () => {
    const e = await error(await fetch(new URL('nothing', server.url)));
    expect(e).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(e.message).toMatch(/POST \/identify, GET \/health/);
  });
});

describe('dna serve health and shutdown', () => {
  it('GET /health describes the index', async () => {
    const res = await fetch(new URL('health', server.url));
    expect(res.status).toBe(200);
    const h = await json(res);
    expect(h).toMatchObject({
      status: 'ok',
      version: 'test',
      index: {
        records: identifier.info.referenceRecords,
        barcodes: identifier.info.referenceBarcodes,
        k: identifier.info.k,
        speciesThreshold: identifier.info.speciesThreshold,
      },
      workers: 0,
      inFlight: 0,
    });
    expect((h.index as { records: number }).records).toBe(reference.length);
  });

  it('close() with a request in flight: no new connection, the request is answered in full, then it resolves', async () => {
    // The real identifier, held until the test lets it go: the request is surely in flight when close() starts.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held: ServiceIdentifier = {
      info: identifier.info,
      threads: identifier.threads,
      identifyManyAsync: async (b: readonly CleanedBarcode[]) => {
        await gate;
        return identifier.identifyManyAsync(b);
      },
      close: async () => {},
    };
    const s = await startIdentifyServer({ identifier: held, port: 0 });
    const pending = post(JSON.stringify(queries), 'application/json', 'text/csv', s.url);
    while (s.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    await expect(fetch(new URL('health', s.url))).rejects.toThrow();
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(batchCsv);
    await closing;
    expect(closed).toBe(true);
  });
});
