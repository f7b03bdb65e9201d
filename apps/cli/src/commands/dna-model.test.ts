import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { barcodeKey, readNpy } from '@bioscan5m/core';
import { runCli as run } from '../test-support.js';
import { embedded } from '../data.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-dna-model-'));

afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bioscan5m dna pretrain | export-onnx | embed | probe | finetune', () => {
  const ck = path.join(dir, 'enc.safetensors');
  // Every 5th embedded row keeps the tfjs-side tests quick.
  const small = path.join(dir, 'small.csv');
  const lines = readFileSync(embedded.barcodes, 'utf8').trimEnd().split('\n');
  writeFileSync(small, [lines[0], ...lines.slice(1).filter((_, i) => i % 5 === 0)].join('\n') + '\n');
  const tiny = ['--k', '4', '--layers', '1', '--heads', '2', '--hidden', '16', '--intermediate', '32', '--batch', '8'];

  it('pretrain prints one JSON object with the backend and the throughput', async () => {
    const r = await run([
      'dna',
      'pretrain',
      '--data',
      embedded.barcodes,
      ...tiny,
      '--steps',
      '3',
      '--checkpoint',
      ck,
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    // onnxruntime-node is installed here, so the fast engine trains by default, on every core.
    expect(s.backend).toMatch(/^onnxruntime-node cpu, \d+ threads?$/);
    expect(s.sequencesPerSecond).toBeGreaterThan(0);
    expect(s.steps).toBe(3);
    expect(s.sequences.used).toBeGreaterThan(500);
    // The embedded sample holds barcodes longer than the model's 660 nucleotides (core's barcode key: gaps and
    // trailing N do not count): each is counted as cut.
    const seqCol = lines[0].split(',').indexOf('dna_barcode');
    const long = lines.slice(1).filter((l) => barcodeKey(l.split(',')[seqCol]).length > 660).length;
    expect(long).toBeGreaterThan(0);
    expect(s.sequences).toMatchObject({ skipped: 0, truncated: long, maxLen: 660 });
    expect(s.config).toMatchObject({ k: 4, layers: 1, hidden: 16, vocabSize: 258 });
  });

  it('pretrain --engine tfjs trains on tfjs and says so', async () => {
    const r = await run(['dna', 'pretrain', '--data', small, ...tiny, '--steps', '2', '--engine', 'tfjs']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^training backend: tfjs wasm$/m);
  });

  it('embeds with tfjs and with the exported ONNX model to the same .npy values', async () => {
    const onnx = path.join(dir, 'enc.onnx');
    expect((await run(['dna', 'export-onnx', '--checkpoint', ck, '--out', onnx])).code).toBe(0);
    const a = path.join(dir, 'a.npy');
    const b = path.join(dir, 'b.npy');
    const ra = await run([
      'dna',
      'embed',
      '--checkpoint',
      ck,
      '--engine',
      'tfjs',
      '--data',
      small,
      '--out',
      a,
      '--json',
    ]);
    const rb = await run(['dna', 'embed', '--onnx', onnx, '--data', small, '--out', b, '--json']);
    expect(JSON.parse(ra.out).engine).toBe('wasm');
    expect(JSON.parse(rb.out).engine).toBe('onnxruntime');
    const x = readNpy(a);
    const y = readNpy(b);
    expect(x.shape).toEqual([JSON.parse(ra.out).rows, 16]);
    expect(y.shape).toEqual(x.shape);
    let worst = 0;
    for (let i = 0; i < x.data.length; i++) worst = Math.max(worst, Math.abs(x.data[i] - y.data[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('probe (1-NN genus) and finetune report accuracy, balanced accuracy and macro F1', async () => {
    const p = await run([
      'dna',
      'probe',
      '--checkpoint',
      ck,
      '--train',
      embedded.barcodes,
      '--test',
      embedded.barcodes,
      '--method',
      'knn',
      '--json',
    ]);
    expect(p.code).toBe(0);
    const s = JSON.parse(p.out);
    expect(s.rank).toBe('genus');
    // Test = train: every query finds itself (or an identical barcode), so genus accuracy is near 1.
    expect(s.metrics.accuracy).toBeGreaterThan(0.95);
    expect(Object.keys(s.metrics)).toEqual(['n', 'accuracy', 'balancedAccuracy', 'macroF1']);
    const ft = path.join(dir, 'ft.safetensors');
    const f = await run([
      'dna',
      'finetune',
      '--checkpoint',
      ck,
      '--train',
      small,
      '--out',
      ft,
      '--epochs',
      '1',
      '--batch',
      '32',
      '--json',
    ]);
    expect(f.err).toBe('');
    const fs = JSON.parse(f.out);
    expect(fs.train.classes).toBeGreaterThan(10);
    const pf = await run([
      'dna',
      'probe',
      '--checkpoint',
      ft,
      '--train',
      small,
      '--test',
      small,
      '--method',
      'finetuned',
      '--json',
    ]);
    expect(JSON.parse(pf.out).metrics.n).toBe(fs.train.rows);
  });

  it('names the file and the problem on bad input, without a stack trace', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'record_id,sequence\na,ACGT\n');
    const r = await run(['dna', 'pretrain', '--data', bad, '--steps', '1', '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bad);
    expect(r.err).toContain('dna_barcode');
    expect(r.err).not.toContain('    at ');
    const r2 = await run(['dna', 'pretrain', '--data', embedded.barcodes, '--steps', 'ten']);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain("option '--steps <n>' argument 'ten' is invalid. expected an integer >= 1");
  });

  it('pretrain and embed skip rows without an A/C/G/T base (counted, first ones listed) and count sequences cut to the model length', async () => {
    const header = lines[0].split(',');
    const seqCol = header.indexOf('dna_barcode');
    const row = (i: number, seq: string) => {
      const f = lines[1 + i].split(',');
      f[seqCol] = seq;
      return f.join(',');
    };
    const long = 'ACGT'.repeat(200); // 800 nt > the model's 660
    const file = path.join(dir, 'odd-sequences.csv');
    writeFileSync(
      file,
      [
        lines[0],
        row(0, '---NNN---'),
        row(1, ''),
        ...lines.slice(2, 40),
        row(40, 'nnnn'),
        row(41, long),
        row(42, '1234'),
        ...lines.slice(43, 60),
      ].join('\n') + '\n',
    );
    const p = await run(['dna', 'pretrain', '--data', file, ...tiny, '--steps', '1', '--json']);
    expect(p.err).toBe('');
    const s = JSON.parse(p.out).sequences;
    expect(s).toMatchObject({ rows: 60, skipped: 4, used: 56, truncated: 1, maxLen: 660 });
    expect(s.firstSkipped).toEqual([
      { line: 2, reason: 'no A/C/G/T base in dna_barcode' },
      { line: 3, reason: 'empty dna_barcode' },
      { line: 42, reason: 'no A/C/G/T base in dna_barcode' },
      { line: 44, reason: 'no A/C/G/T base in dna_barcode' },
    ]);
    const npy = path.join(dir, 'odd.npy');
    const e = await run(['dna', 'embed', '--checkpoint', ck, '--data', file, '--out', npy]);
    expect(e.code).toBe(0);
    expect(e.out).toContain(`${file}: 4 of 60 rows skipped (no usable DNA sequence)`);
    expect(e.out).toContain('  line 2: no A/C/G/T base in dna_barcode');
    expect(e.out).toContain(`${file}: 1 of 56 sequences longer than the model's 660 nucleotides, cut to that length`);
    expect(readNpy(npy).shape).toEqual([56, 16]);
  });

  it('refuses bad flag values before any work (usage error, exit 2)', async () => {
    for (const [args, msg] of [
      [
        ['dna', 'pretrain', '--data', small, '--backend', 'foo'],
        "option '--backend <name>' argument 'foo' is invalid. expected one of 'tensorflow', 'wasm', 'cpu'",
      ],
      [
        ['dna', 'pretrain', '--data', small, '--hidden', '30', '--heads', '4'],
        '--hidden: hidden size 30 must be divisible by the number of heads (4)',
      ],
      [
        ['dna', 'embed', '--checkpoint', ck, '--data', small, '--out', path.join(dir, 'x.npy'), '--engine', 'torch'],
        "option '--engine <e>' argument 'torch' is invalid. expected one of 'onnx', 'tfjs'",
      ],
      [
        ['dna', 'probe', '--checkpoint', ck, '--train', small, '--test', small, '--method', 'svm'],
        "option '--method <m>' argument 'svm' is invalid. expected one of 'linear', 'knn', 'finetuned', 'cnn'",
      ],
      [
        [
          'dna',
          'finetune',
          '--checkpoint',
          ck,
          '--train',
          small,
          '--out',
          path.join(dir, 'y.safetensors'),
          '--rank',
          'kingdom',
        ],
        "option '--rank <rank>' argument 'kingdom' is invalid. expected one of 'phylum', 'class'",
      ],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(msg);
    }
  });

  it('benchmark prints Table 4 and writes it; a second run resumes every part', async () => {
    const out = path.join(dir, 'bench');
    const args = ['dna', 'benchmark', '--data', embedded.barcodes, '--out', out, '--layers', '1', '--hidden', '16'];
    const quick = [
      '--intermediate',
      '32',
      '--steps',
      '4',
      '--batch',
      '8',
      '--curve-points',
      '1',
      '--finetune-epochs',
      '1',
    ];
    const r = await run([...args, ...quick, '--linear-epochs', '5', '--skip', 'cnn', '--quiet']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      '| model | fine-tuned (species, seen) | linear probe (species, seen) | 1-NN probe (genus, unseen)',
    );
    expect(r.out).toContain('4-mer frequencies');
    expect(readFileSync(path.join(out, 'table4.md'), 'utf8')).toContain('bioscan5m identify');
    const again = await run([...args, ...quick, '--linear-epochs', '5', '--skip', 'cnn', '--quiet']);
    expect(again.out).toContain('resumed: kmer, identify, pretrain-1, closed');
    const bad = await run([...args, '--skip', 'blast']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown part 'blast' (expected cnn, finetune, identify)");
  }, 120_000);
});
