import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Bioscan5mError, InputError } from '../errors.js';
import { METADATA_FIELDS, SPLITS } from '../schema.js';
import { runImagePathsJob } from './check-paths.js';
import { chunkDigits, imageChunk, imagePath } from './image-path.js';

describe('imagePath', () => {
  it('follows the release layout per split', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const pid = 'BIOUG68114-B02';
    expect(imagePath({ processid: pid, split: 'pretrain' }, 'cropped_256', '/data')).toBe(
      `/data/bioscan5m/images/cropped_256/pretrain/${md5(pid).slice(0, 2)}/${pid}.jpg`,
    );
    expect(imagePath({ processid: pid, split: 'train' }, 'original_full', 'root')).toBe(
      path.join('root', 'bioscan5m/images/original_full/train', md5(pid)[0], `${pid}.jpg`),
    );
    expect(imagePath({ processid: pid, split: 'other_heldout' }, 'cropped', 'r')).toBe(
      `r/bioscan5m/images/cropped/other_heldout/${md5(pid)[0]}/${pid}.jpg`,
    );
    for (const s of ['val', 'test', 'key_unseen', 'val_unseen', 'test_unseen'] as const) {
      expect(imagePath({ processid: pid, split: s }, 'original_256', 'r')).toBe(
        `r/bioscan5m/images/original_256/${s}/${pid}.jpg`,
      );
    }
    // chunk from the metadata wins ("00" stays a string)
    expect(imagePath({ processid: pid, split: 'pretrain', chunk: '00' }, 'cropped_256', 'r')).toBe(
      `r/bioscan5m/images/cropped_256/pretrain/00/${pid}.jpg`,
    );
  });

  it('gives 256 pretrain and 16 train folders over many ids', () => {
    const pre = new Set<string>();
    const tr = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      pre.add(imageChunk(`P${i}`, 'pretrain'));
      tr.add(imageChunk(`P${i}`, 'train'));
    }
    expect(pre.size).toBe(256);
    expect(tr.size).toBe(16);
    expect(SPLITS.map(chunkDigits)).toEqual([2, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('rejects records without split and unknown packages', () => {
    expect(() => imagePath({ processid: 'X', split: '' }, 'cropped_256', 'r')).toThrow(/has no split/);
    expect(() => imagePath({ processid: 'X', split: 'train' }, 'tiny' as never, 'r')).toThrow(Bioscan5mError);
  });
});

describe('runImagePathsJob (paths --check)', () => {
  it('finds present files and counts missing ones and records without a path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bioscan-paths-'));
    const meta = path.join(dir, 'm.csv');
    const row = (pid: string, split: string) =>
      METADATA_FIELDS.map((f) => (f === 'processid' ? pid : f === 'split' ? split : '')).join(',');
    writeFileSync(
      meta,
      [METADATA_FIELDS.join(','), row('A1', 'train'), row('A2', 'pretrain'), row('A3', 'test'), row('A4', '')].join(
        '\n',
      ) + '\n',
    );
    const present = imagePath({ processid: 'A1', split: 'train' }, 'cropped_256', dir);
    mkdirSync(path.dirname(present), { recursive: true });
    writeFileSync(present, 'jpg');
    const seen: string[] = [];
    const r = await runImagePathsJob({
      input: meta,
      root: dir,
      package: 'cropped_256',
      check: true,
      onPath: (p) => seen.push(p),
    });
    expect(r.records).toBe(4);
    expect(r.paths).toBe(3);
    expect(r.missing).toBe(2);
    expect(r.missingExamples).toEqual([
      imagePath({ processid: 'A2', split: 'pretrain' }, 'cropped_256', dir),
      imagePath({ processid: 'A3', split: 'test' }, 'cropped_256', dir),
    ]);
    expect(r.withoutPath).toBe(1);
    expect(r.withoutPathExamples).toEqual(['A4: no split']);
    expect(seen[0]).toBe(present);
  });

  it('a metadata file without a processid column is an InputError naming the file and the column (CSV and Parquet)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bioscan-paths-'));
    const csv = path.join(dir, 'no-pid.csv');
    writeFileSync(csv, 'sampleid,split,species\nS1,train,Aedes aegypti\n');
    const parquet = path.join(dir, 'no-pid.parquet');
    writeFileSync(
      parquet,
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'sampleid', data: ['S1'], type: 'STRING' },
            { name: 'split', data: ['train'], type: 'STRING' },
          ],
        }),
      ),
    );
    for (const [input, where] of [
      [csv, `${csv}:1`],
      [parquet, parquet],
    ]) {
      const err = await runImagePathsJob({ input, root: dir, package: 'cropped_256' }).catch((e: unknown) => e);
      expect(err, input).toBeInstanceOf(InputError);
      expect((err as InputError).location).toMatchObject({ file: input });
      expect((err as Error).message).toContain(where);
      expect((err as Error).message).toContain("missing required column 'processid'");
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
