/**
 * The saved identification index: identify through a saved index answers exactly as identify through the
 * reference file (real barcodes when /work/shared/data is there, generated ones otherwise), and a stale, foreign,
 * truncated or corrupt index file is refused with an error naming it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bioscan5mError, createRng, TAXONOMIC_RANKS } from '@bioscan5m/core';
import { HAVE_REAL, REAL_BARCODES, syntheticSplit } from './fixtures/data.js';
import { runIdentifyJob } from './files.js';
import { runIdentifyIndexJob } from './index-job.js';
import { INDEX_FORMAT_VERSION, loadIdentifyIndex } from './index-file.js';
import { SCORING_VERSION } from './identifier.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bioscan5m-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const cols = ['record_id', ...TAXONOMIC_RANKS, 'dna_barcode'];

let reference = '';
let queries = '';
const indexFile = path.join(dir, 'ref.idx');

beforeAll(async () => {
  const rng = createRng(7);
  if (HAVE_REAL) {
    // Real barcodes: 4 of 5 rows as the reference, the rest (and some reference rows, mutated) as queries.
    const lines = readFileSync(REAL_BARCODES, 'utf8').trimEnd().split('\n');
    const rows = lines.slice(1);
    const picked = new Set(
      rng.sample(
        rows.map((_, i) => i),
        Math.floor(rows.length / 5),
      ),
    );
    reference = path.join(dir, 'reference.csv');
    queries = path.join(dir, 'queries.csv');
    writeFileSync(reference, [lines[0], ...rows.filter((_, i) => !picked.has(i))].join('\n') + '\n');
    writeFileSync(queries, [lines[0], ...rows.filter((_, i) => picked.has(i))].join('\n') + '\n');
  } else {
    const { reference: ref, closed, open } = syntheticSplit(5, 200);
    const toCsv = (rs: typeof ref) =>
      [
        cols.join(','),
        ...rs.map((r) =>
          cols.map((c) => csvCell(c === 'record_id' ? r.processid : String(r[c as keyof typeof r]))).join(','),
        ),
      ].join('\n') + '\n';
    reference = path.join(dir, 'reference.csv');
    queries = path.join(dir, 'queries.csv');
    writeFileSync(reference, toCsv(ref));
    writeFileSync(queries, toCsv([...closed, ...open]));
  }
  const s = await runIdentifyIndexJob({ reference, out: indexFile, seed: 3 });
  expect(s.bytes).toBeGreaterThan(1000);
}, 180_000);

describe('saved identification index', () => {
  it('identify --index answers exactly as identify --reference (same predictions file)', async () => {
    const a = await runIdentifyJob({ reference, queries, out: path.join(dir, 'a.csv'), seed: 3 });
    const b = await runIdentifyJob({ index: indexFile, queries, out: path.join(dir, 'b.csv') });
    const pa = readFileSync(path.join(dir, 'a.csv'), 'utf8');
    expect(pa.split('\n').length).toBeGreaterThan(100);
    expect(readFileSync(path.join(dir, 'b.csv'), 'utf8')).toBe(pa);
    const { buildSeconds: _1, indexFile: _2, loadSeconds: _3, ...ra } = a.reference;
    const { buildSeconds: _4, indexFile: f, loadSeconds, ...rb } = b.reference;
    expect(rb).toEqual(ra);
    expect(f).toBe(indexFile);
    expect(loadSeconds).toBeGreaterThan(0);
    expect(b.accuracy).toEqual(a.accuracy);
    // deduplicated: identical barcodes stored once
    expect(rb.referenceBarcodes).toBeLessThanOrEqual(rb.referenceRecords);
  }, 180_000);

  it('a loaded index identifies single barcodes as the built one does', async () => {
    const id = await loadIdentifyIndex(indexFile);
    const q = readFileSync(queries, 'utf8').split('\n')[1].split(',');
    const barcode = q.find((x) => /^[ACGTN-]{200,}$/.test(x))!;
    const p = id.identify(barcode);
    expect(p.status).toBe('ok');
    expect(p.lineage.some((x) => x)).toBe(true);
  });

  it('build options fixed in the index cannot be passed again', async () => {
    await expect(runIdentifyJob({ index: indexFile, queries, out: path.join(dir, 'c.csv'), k: 11 })).rejects.toThrow(
      /--index: k is fixed when the index is built/,
    );
    await expect(
      runIdentifyJob({ reference, index: indexFile, queries, out: path.join(dir, 'c.csv') }),
    ).rejects.toThrow(/either a reference file or an index file/);
  });

  it('never writes over an input', async () => {
    await expect(runIdentifyIndexJob({ reference, out: reference })).rejects.toThrow(/reference/);
    await expect(runIdentifyJob({ index: indexFile, queries, out: indexFile })).rejects.toThrow(/index|reference/);
    expect(readFileSync(indexFile).subarray(0, 8).toString('latin1')).toBe('B5MDNAIX');
  });
});

describe('bad index files', () => {
  const good = () => readFileSync(indexFile);
  const expectRefused = async (bytes: Uint8Array, message: RegExp) => {
    const f = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.idx`);
    writeFileSync(f, bytes);
    const err = await loadIdentifyIndex(f).catch((e: unknown) => e);
    expect(Bioscan5mError.isInstance(err), String(err)).toBe(true);
    expect((err as Error).message).toContain(f);
    expect((err as Error).message).toMatch(message);
  };

  it('a foreign file (a CSV, empty, random bytes)', async () => {
    await expectRefused(readFileSync(reference), /not a bioscan5m identification index/);
    await expectRefused(new Uint8Array(0), /not a bioscan5m identification index/);
    await expectRefused(
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 255),
      /not a bioscan5m/,
    );
  });

  it('another format version or scoring version (stale)', async () => {
    const b = good();
    b.writeUInt32LE(INDEX_FORMAT_VERSION + 1, 8);
    await expectRefused(b, new RegExp(`format version ${INDEX_FORMAT_VERSION + 1}.*rebuild it`));
    const s = good();
    const at = s.indexOf(`"scoringVersion":${SCORING_VERSION},`);
    expect(at).toBeGreaterThan(0);
    s.write(String((SCORING_VERSION + 1) % 10), at + '"scoringVersion":'.length, 'latin1');
    await expectRefused(s, /stale index: built for scoring version/);
  });

  it('a truncated file', async () => {
    const b = good();
    await expectRefused(b.subarray(0, b.length - 1000), /truncated index/);
    await expectRefused(b.subarray(0, 100), /truncated index/);
    await expectRefused(b.subarray(0, 12), /not a bioscan5m|truncated/);
  });

  it('a corrupt header or table', async () => {
    const b = good();
    const at = b.indexOf('"seed":3');
    b.write('"seed":4', at, 'latin1');
    await expectRefused(b, /fingerprint/);
    const c = good();
    c.write('}', 20, 'latin1');
    await expectRefused(c, /corrupt index header/);
    // a postings entry pointing past the reference
    const h = JSON.parse(
      good()
        .subarray(16, 16 + good().readUInt32LE(12))
        .toString('utf8'),
    );
    const d = good();
    d.writeUInt32LE(0xfffffff0, h.sections.seqIds.offset);
    await expectRefused(d, /section seqIds/);
  });
});
