import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { imagePath, METADATA_FIELDS } from '@bioscan5m/core';
import { runCli as run } from '../test-support.js';
import { embedded } from '../data.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const golden = path.resolve(here, '../../../../packages/core/src/__golden__');

afterEach(() => {
  process.exitCode = undefined;
});

describe('bioscan5m stats', () => {
  it('--json prints exactly the pandas golden object for the embedded metadata', async () => {
    const r = await run(['stats', '--metadata', embedded.metadata, '--json']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(readFileSync(path.join(golden, 'stats-metadata.json'), 'utf8')));
  });

  it('--json on the BIOSCAN-1M TSV reports the missing columns on stderr', async () => {
    const r = await run(['stats', '--metadata', embedded.bioscan1m, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(
      JSON.parse(readFileSync(path.join(golden, 'stats-bioscan1m_sample.json'), 'utf8')),
    );
    expect(r.err).toContain('missing columns: taxon, dna_barcode');
  });

  it('prints the tables for a person', async () => {
    const r = await run(['stats', '--metadata', embedded.metadata]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Table 2: records by rank (598 records)');
    expect(r.out).toContain('Table A4: geography');
    expect(r.out).toContain('Table A5: category sizes');
  });

  it('names file and line of a malformed row, without a stack trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bioscan-cli-'));
    const f = path.join(dir, 'bad.csv');
    writeFileSync(f, 'processid,species,coord-lat\nA,Aus bus,1\nB,Aus bus,north\nC,Aus bus\n');
    const r = await run(['stats', '--metadata', f]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`bioscan5m: ${f}:3: column 'coord-lat' value 'north': expected a number\n`);
    // --json reads only the Table 2 columns, so the coordinate is not looked at; the short row still counts.
    const skipped = await run(['stats', '--metadata', f, '--json', '--skip-invalid']);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.out).rows).toBe(2);
    expect(skipped.err).toContain('skipped 1 malformed row');
    expect(skipped.err).toContain(`${f}:4: expected 3 fields as in the header, found 2`);
  });
});

describe('bioscan5m paths', () => {
  it('prints paths and, with --check, reports missing files with status 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bioscan-cli-paths-'));
    const meta = path.join(dir, 'm.csv');
    const row = (pid: string, split: string) =>
      METADATA_FIELDS.map((f) => (f === 'processid' ? pid : f === 'split' ? split : '')).join(',');
    writeFileSync(meta, [METADATA_FIELDS.join(','), row('A1', 'train'), row('A2', 'val')].join('\n') + '\n');
    const listed = await run(['paths', '--metadata', meta, '--root', dir, '--package', 'cropped_256']);
    expect(listed.code).toBe(0);
    const p1 = imagePath({ processid: 'A1', split: 'train' }, 'cropped_256', dir);
    const p2 = imagePath({ processid: 'A2', split: 'val' }, 'cropped_256', dir);
    expect(listed.out).toBe(`${p1}\n${p2}\n`);
    mkdirSync(path.dirname(p1), { recursive: true });
    writeFileSync(p1, 'x');
    const checked = await run(['paths', '--metadata', meta, '--root', dir, '--check']);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(`1 of 2 images missing under ${dir}:`);
    expect(checked.out).toContain(p2);
  });

  it('reports that the embedded metadata has no split (no paths to build)', async () => {
    const r = await run(['paths', '--metadata', embedded.metadata, '--root', tmpdir(), '--check']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('598 records have no split or processid');
  });
});
