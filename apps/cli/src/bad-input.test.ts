/**
 * Every command against every class of bad input (issue 14), run as a user runs it: the built CLI in a child
 * process, stdout and stderr piped, on small generated files. Each row checks
 * - the exit code: 1 for a bad input file or output path, 2 for a bad flag (0 where the input is odd but valid);
 * - the message: names the file (and line/column) or the flag, never "unexpected error", no stack trace, no raw
 *   control bytes of a binary file;
 * - that every input is byte-identical afterwards;
 * - that no temp or partial file remains: the row's folder holds its inputs and, on success, the outputs it names.
 *
 * Rows whose fix has not landed carry `pending` (reported as todo, not run). `BAD_INPUT_PENDING=1` runs them as
 * well, to see which of them pass now; `BAD_INPUT_ONLY=regex` runs only the commands it matches.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedded } from './data.js';
import { BUILT_CLI, inParallel, leafCommands, runBuiltCli, type CliRun } from './test-support.js';

// ------------------------------------------------------------------------------------------- fixtures

const csvLines = (file: string, rows: number) =>
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .slice(0, rows + 1);
/** Header + 40 records of the embedded metadata (release format, 23 columns). */
const METADATA = csvLines(embedded.metadata, 40);
/** Header + 40 records of the embedded BOLD barcodes that have a barcode, a genus and a species, no quoted field. */
const BARCODES = (() => {
  const all = readFileSync(embedded.barcodes, 'utf8').split(/\r?\n/);
  const h = all[0].split(',');
  const keep = all.slice(1).filter((l) => {
    const f = l.split(',');
    return (
      !l.includes('"') && f.length === h.length && ['dna_barcode', 'genus', 'species'].every((c) => f[h.indexOf(c)])
    );
  });
  return [all[0], ...keep.slice(0, 40)];
})();
const lf = (lines: string[]) => `${lines.join('\n')}\n`;

/** `lines` with the value of `column` in record `record` (1-based) replaced. */
function setField(lines: string[], column: string, record: number, value: string): string[] {
  const header = lines[0].split(',');
  const c = header.indexOf(column);
  if (c < 0) throw new Error(`fixture: no column ${column}`);
  const out = [...lines];
  const fields = out[record].split(',');
  // The embedded files quote no field before the coordinates; checked so that the split above stays right.
  if (fields.length !== header.length) throw new Error(`fixture: record ${record} has quoted commas`);
  fields[c] = value;
  out[record] = fields.join(',');
  return out;
}

function dropColumn(lines: string[], column: string): string[] {
  const c = lines[0].split(',').indexOf(column);
  return lines.map((l) =>
    l
      .split(',')
      .filter((_, i) => i !== c)
      .join(','),
  );
}

function renameColumn(lines: string[], from: string, to: string): string[] {
  return [
    lines[0]
      .split(',')
      .map((h) => (h === from ? to : h))
      .join(','),
    ...lines.slice(1),
  ];
}

/** Bytes that are not text: a PNG signature, NULs, control characters and invalid UTF-8. */
const BINARY = Buffer.concat([
  Buffer.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe, 0x07,
  ]),
  Buffer.alloc(200, 0x9b),
]);

/** A little-endian float32 .npy of shape [rows, cols]. */
function npy(
  rows: number,
  cols: number,
  value: (r: number, c: number) => number,
  opts: { descr?: string; shape?: string } = {},
): Buffer {
  let header = `{'descr': '${opts.descr ?? '<f4'}', 'fortran_order': False, 'shape': ${opts.shape ?? `(${rows}, ${cols})`}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(rows * cols * 4);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data.writeFloatLE(value(r, c), 4 * (r * cols + c));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

/** 30 points in 3 well separated groups of 8 dimensions, and their labels. */
const EMBED_ROWS = 30;
const EMBED_DIM = 8;
const goodNpy = () => npy(EMBED_ROWS, EMBED_DIM, (r, c) => (r % 3) * 10 + ((r * 7 + c * 3) % 5) * 0.1);
const LABELS = [
  'species,dna_barcode',
  ...Array.from({ length: EMBED_ROWS }, (_, r) => `sp${r % 3},ACGT${'ACGT'[r % 4]}`),
];

const IMAGES = readdirSync(embedded.images).filter((f) => f.endsWith('.jpg'));
const goodJpeg = () => readFileSync(path.join(embedded.images, IMAGES[0]));
const COCO = JSON.parse(readFileSync(embedded.imagesCoco, 'utf8')) as {
  images: { id: number; file_name: string }[];
  annotations: { image_id: number }[];
};
/** The embedded COCO file cut down to its first two images. */
function smallCoco(): string {
  const images = COCO.images.slice(0, 2);
  const ids = new Set(images.map((i) => i.id));
  return JSON.stringify({ ...COCO, images, annotations: COCO.annotations.filter((a) => ids.has(a.image_id)) });
}

// ------------------------------------------------------------------------------------------- the table

type FileContent = string | Buffer | { copy: string } | { dir: true } | { symlink: string } | { hardlink: string };

interface Row {
  command: string;
  /** Defect class of issue 14 (line-endings, output-paths, values, sequences, flags, ...). */
  kind: string;
  what: string;
  /** Inputs written into the row's own folder (names relative to it; a trailing folder is created). */
  files: Record<string, FileContent>;
  args: (p: (name: string) => string) => string[];
  code: 0 | 1 | 2;
  /** stderr must contain these (names of the row's files are resolved to their path's base name). */
  mentions?: (string | RegExp)[];
  /** Files the run may leave (successful rows); anything else in the folder is a leftover. */
  outputs?: string[];
  check?: (r: CliRun, p: (name: string) => string) => void;
  /** Runs as an unprivileged user (to test permissions, which root ignores). */
  unprivileged?: boolean;
  /** Why this row is not expected to pass yet (the fix belongs to another change). */
  pending?: string;
  /** A row run first whose result this one is compared with (line endings: the LF file). */
  reference?: Row;
}

const rows: Row[] = [];
const add = (r: Row) => rows.push(r);

/** A small checkpoint (k=3, hidden 8) made once by `dna pretrain`, copied into the rows that need one. */
let checkpoint = '';
const CHECKPOINT = '<checkpoint>';
const CK = () => ({ copy: CHECKPOINT });
/** Stands for the first 300 bytes of that checkpoint. */
const TRUNCATED_CHECKPOINT = '<truncated checkpoint>';
const TINY_MODEL = ['--k', '3', '--layers', '1', '--heads', '1', '--hidden', '8', '--batch', '4', '--steps', '1'];

/** Commands that read a table (CSV/TSV), with the file under test in `in.csv`. */
interface TableReader {
  command: string;
  base: string[];
  args: (p: (n: string) => string) => string[];
  /** Other inputs (checkpoint, embeddings). */
  extra?: () => Record<string, FileContent>;
  outputs: string[];
  /** A column the command needs, to remove. */
  required?: string;
  /** Whether a file with a header and no record is an error (1) or an empty, honest result (0). */
  headerOnly: 0 | 1;
  /** Compares the results of the line-ending variants (the output file, or stdout). */
  result: 'stdout' | string;
  /** Reads the metadata columns with values checked by type (coordinates, numbers). */
  typedValues?: boolean;
  /** Only the value rows (the other classes are the same reader as another entry). */
  valuesOnly?: boolean;
}

const readers: TableReader[] = [
  // --json reads only the Table 2 columns; without it, stats reads every column and checks the typed values.
  {
    command: 'stats',
    base: METADATA,
    args: (p) => ['stats', '--metadata', p('in.csv'), '--json'],
    outputs: [],
    headerOnly: 0,
    result: 'stdout',
  },
  {
    command: 'stats (all tables)',
    base: METADATA,
    args: (p) => ['stats', '--metadata', p('in.csv')],
    outputs: [],
    headerOnly: 0,
    result: 'none',
    typedValues: true,
    valuesOnly: true,
  },
  {
    command: 'paths',
    base: METADATA,
    args: (p) => ['paths', '--metadata', p('in.csv'), '--root', p('root')],
    outputs: [],
    required: 'processid',
    headerOnly: 0,
    result: 'stdout',
  },
  {
    command: 'clean',
    base: METADATA,
    args: (p) => ['clean', '--metadata', p('in.csv'), '--out', p('out.csv'), '--changes', p('changes.csv'), '--json'],
    outputs: ['out.csv', 'changes.csv'],
    required: 'species',
    headerOnly: 0,
    result: 'out.csv',
    typedValues: true,
  },
  {
    command: 'split',
    base: METADATA,
    args: (p) => ['split', '--metadata', p('in.csv'), '--out', p('out.csv'), '--json'],
    outputs: ['out.csv'],
    required: 'species',
    headerOnly: 0,
    result: 'out.csv',
    typedValues: true,
  },
  {
    command: 'dna pretrain',
    base: BARCODES,
    args: (p) => [
      'dna',
      'pretrain',
      '--data',
      p('in.csv'),
      ...TINY_MODEL,
      '--checkpoint',
      p('ck.safetensors'),
      '--json',
    ],
    outputs: ['ck.safetensors'],
    required: 'dna_barcode',
    headerOnly: 1,
    result: 'none',
  },
  {
    command: 'dna finetune',
    base: BARCODES,
    args: (p) => [
      'dna',
      'finetune',
      '--checkpoint',
      p('pre.safetensors'),
      '--train',
      p('in.csv'),
      '--out',
      p('ft.safetensors'),
      '--epochs',
      '1',
      '--json',
    ],
    extra: () => ({ 'pre.safetensors': CK() }),
    outputs: ['ft.safetensors'],
    required: 'species',
    headerOnly: 1,
    result: 'none',
  },
  {
    command: 'dna probe',
    base: BARCODES,
    args: (p) => [
      'dna',
      'probe',
      '--checkpoint',
      p('pre.safetensors'),
      '--train',
      p('in.csv'),
      '--test',
      p('in.csv'),
      '--method',
      'knn',
      '--rank',
      'genus',
      '--json',
    ],
    extra: () => ({ 'pre.safetensors': CK() }),
    outputs: [],
    required: 'genus',
    headerOnly: 1,
    result: 'none',
  },
  {
    command: 'dna embed',
    base: BARCODES,
    args: (p) => [
      'dna',
      'embed',
      '--checkpoint',
      p('pre.safetensors'),
      '--data',
      p('in.csv'),
      '--out',
      p('out.npy'),
      '--json',
    ],
    extra: () => ({ 'pre.safetensors': CK() }),
    outputs: ['out.npy'],
    required: 'dna_barcode',
    headerOnly: 1,
    result: 'out.npy',
  },
  {
    command: 'dna identify --reference',
    base: BARCODES,
    args: (p) => [
      'dna',
      'identify',
      '--reference',
      p('in.csv'),
      '--queries',
      p('q.csv'),
      '--out',
      p('out.csv'),
      '--json',
    ],
    extra: () => ({ 'q.csv': lf(BARCODES.slice(0, 6)) }),
    outputs: ['out.csv'],
    required: 'species',
    headerOnly: 1,
    result: 'out.csv',
  },
  {
    command: 'dna identify --queries',
    base: BARCODES,
    args: (p) => [
      'dna',
      'identify',
      '--reference',
      p('ref.csv'),
      '--queries',
      p('in.csv'),
      '--out',
      p('out.csv'),
      '--json',
    ],
    extra: () => ({ 'ref.csv': lf(BARCODES) }),
    outputs: ['out.csv'],
    required: 'dna_barcode',
    headerOnly: 0,
    result: 'out.csv',
  },
  {
    command: 'cluster --labels',
    base: LABELS,
    args: (p) => [
      'cluster',
      '--embeddings',
      p('emb.npy'),
      '--labels',
      p('in.csv'),
      '--umap',
      '0',
      '--out',
      p('out.csv'),
      '--json',
    ],
    extra: () => ({ 'emb.npy': goodNpy() }),
    outputs: ['out.csv'],
    required: 'species',
    headerOnly: 1,
    result: 'out.csv',
  },
];

for (const rd of readers) {
  const files = (content: FileContent): Record<string, FileContent> => ({ ...rd.extra?.(), 'in.csv': content });
  const fail = (kind: string, what: string, content: FileContent, mentions: (string | RegExp)[], pending?: string) =>
    add({
      command: rd.command,
      kind,
      what,
      files: files(content),
      args: rd.args,
      code: 1,
      mentions: ['in.csv', ...mentions],
      pending,
    });

  if (!rd.valuesOnly) addReaderRows(rd, files, fail);
  if (rd.typedValues) {
    // 'NaN' is one of pandas' missing-value markers (the reference reads it as missing): not an error.
    add({
      command: rd.command,
      kind: 'values',
      what: "'NaN' coordinate read as missing, as pandas does",
      files: files(lf(setField(rd.base, 'coord-lat', 4, 'NaN'))),
      args: rd.args,
      code: 0,
      outputs: rd.outputs,
    });
    for (const [what, column, value] of [
      ['Infinity coordinate', 'coord-lon', 'Infinity'],
      ['1e999 coordinate', 'coord-lat', '1e999'],
      ['latitude out of range', 'coord-lat', '95.5'],
      ['longitude out of range', 'coord-lon', '-181'],
      ['non-numeric measurement', 'image_measurement_value', 'abc'],
    ] as const) {
      // stats reads only the columns of its tables (no image measurement): a value it never reads is not its to judge.
      if (rd.command.startsWith('stats') && column === 'image_measurement_value') continue;
      fail('values', what, lf(setField(rd.base, column, 4, value)), [/:5\b|line 5\b/, column]);
    }
  }
}

function addReaderRows(
  rd: TableReader,
  files: (c: FileContent) => Record<string, FileContent>,
  fail: (kind: string, what: string, content: FileContent, mentions: (string | RegExp)[]) => void,
): void {
  add({
    command: rd.command,
    kind: 'files',
    what: 'missing input file',
    files: rd.extra?.() ?? {},
    args: rd.args,
    code: 1,
    mentions: ['in.csv'],
  });
  fail('files', 'empty input file', '', []);
  fail('files', 'binary input file', BINARY, []);
  fail('files', 'a folder as the input file', { dir: true }, []);
  if (rd.headerOnly) fail('files', 'header only, no record', lf(rd.base.slice(0, 1)), []);
  else
    add({
      command: rd.command,
      kind: 'files',
      what: 'header only: an empty result, said so',
      files: files(lf(rd.base.slice(0, 1))),
      args: rd.args,
      code: 0,
      outputs: rd.outputs,
    });

  // Line endings: CRLF, bare CR, a UTF-8 BOM and a missing final newline read exactly as LF.
  if (rd.result !== 'none') {
    const reference: Row = {
      command: rd.command,
      kind: 'line-endings',
      what: 'LF (the reference of the next rows)',
      files: files(lf(rd.base)),
      args: rd.args,
      code: 0,
      outputs: rd.outputs,
    };
    add(reference);
    for (const [name, text] of [
      ['CRLF', rd.base.join('\r\n') + '\r\n'],
      ['bare CR', rd.base.join('\r') + '\r'],
      ['UTF-8 BOM', `\ufeff${lf(rd.base)}`],
      ['no final newline', rd.base.join('\n')],
    ] as const) {
      add({
        command: rd.command,
        kind: 'line-endings',
        what: `${name} reads as LF`,
        files: files(text),
        args: rd.args,
        code: 0,
        outputs: rd.outputs,
        reference,
        check: sameAs(rd.result, reference),
      });
    }
  }

  // Broken quoting: an unterminated quote in record 3 (line 4) would swallow the rest of the file.
  fail('quoting', 'unterminated quote', lf(rd.base.map((l, i) => (i === 3 ? l.replace(',', ',"') : l))), [
    /:4\b|line 4\b/,
  ]);
  // Wrong number of fields.
  fail(
    'quoting',
    'a record with fewer fields than the header',
    lf(rd.base.map((l, i) => (i === 5 ? l.split(',')[0] : l))),
    [/:6\b|line 6\b/],
  );

  const first = rd.base[0].split(',')[0];
  fail('header', 'duplicate header column', lf(renameColumn(rd.base, rd.base[0].split(',')[1], first)), [first]);
  if (rd.required)
    fail('header', `missing required column ${rd.required}`, lf(dropColumn(rd.base, rd.required)), [rd.required]);
}

/** A check comparing a row's result (stdout or an output file) with its reference row's. */
function sameAs(result: string, reference: Row): Row['check'] {
  return (r, p) => {
    const ref = results.get(reference)!;
    expect(ref.run.code, `reference run: ${ref.run.err}`).toBe(0);
    if (result === 'stdout') expect(normalise(r.out)).toBe(normalise(ref.run.out));
    else expect(readFileSync(p(result))).toEqual(readFileSync(path.join(ref.dir, result)));
  };
}

/** stdout without what legitimately differs between two runs: the row's folder and timings. */
const normalise = (s: string) =>
  s
    .replace(/\/[^\s"]*\/\d{3}\//g, '/')
    .replace(/"(seconds|querySeconds|queriesPerSecond|buildSeconds)":[0-9.e-]+/g, '"$1":0');

// Skipped rows (--skip-invalid): every skipped line counted and the first listed; an unterminated quote, after which
// the reader cannot resynchronise, stops with its line.
for (const [command, args] of [
  ['stats', (p: (n: string) => string) => ['stats', '--metadata', p('in.csv'), '--skip-invalid', '--json']],
  ['paths', (p: (n: string) => string) => ['paths', '--metadata', p('in.csv'), '--root', p('root'), '--skip-invalid']],
] as const) {
  const short = lf(METADATA.map((l, i) => (i === 3 || i === 7 ? l.split(',').slice(0, 5).join(',') : l)));
  add({
    command,
    kind: 'skipping',
    what: '--skip-invalid: two short records counted and listed',
    files: { 'in.csv': short },
    args,
    code: 0,
    mentions: ['skipped 2', /:4\b/, /:8\b/],
  });
  add({
    command,
    kind: 'skipping',
    what: '--skip-invalid: an unterminated quote stops with its line',
    files: { 'in.csv': lf(METADATA.map((l, i) => (i === 3 ? l.replace(',', ',"') : l))) },
    args,
    code: 1,
    mentions: ['in.csv', /:4\b/],
  });
}

// FASTA queries of dna identify.
{
  const args = (p: (n: string) => string) => [
    'dna',
    'identify',
    '--reference',
    p('ref.csv'),
    '--queries',
    p('q.fasta'),
    '--out',
    p('out.csv'),
    '--json',
  ];
  const seq = BARCODES[1].split(',')[BARCODES[0].split(',').indexOf('dna_barcode')];
  add({
    command: 'dna identify --queries',
    kind: 'sequences',
    what: 'FASTA with a sequence before its first header',
    files: { 'ref.csv': lf(BARCODES), 'q.fasta': `${seq}\n>q1\n${seq}\n` },
    args,
    code: 1,
    mentions: ['q.fasta'],
  });
  add({
    command: 'dna identify --queries',
    kind: 'sequences',
    what: 'FASTA record with an empty sequence: counted, written with a note',
    files: { 'ref.csv': lf(BARCODES), 'q.fasta': `>q1\n\n>q2\n${seq}\n` },
    args,
    code: 0,
    outputs: ['out.csv'],
    check: (r) => expect(JSON.parse(r.out)).toMatchObject({ queries: 2, noSequence: 1 }),
  });
}

// Terminal safety: a file name with control characters is escaped in the message.
for (const [command, args] of [
  ['stats', (p: (n: string) => string) => ['stats', '--metadata', p('in\u001b[2J\u0007.csv')]],
  [
    'dna identify',
    (p: (n: string) => string) => [
      'dna',
      'identify',
      '--reference',
      p('in\u001b[2J\u0007.csv'),
      '--queries',
      p('in\u001b[2J\u0007.csv'),
      '--out',
      p('out.csv'),
    ],
  ],
  [
    'cluster',
    (p: (n: string) => string) => ['cluster', '--embeddings', p('in\u001b[2J\u0007.npy'), '--n-clusters', '2'],
  ],
] as const) {
  add({
    command,
    kind: 'terminal',
    what: 'a missing file whose name holds control characters',
    files: {},
    args,
    code: 1,
    mentions: ['\\u{1b}[2J\\u{7}'],
    // eslint-disable-next-line no-control-regex -- the test looks for raw terminal control bytes
    check: (r) => expect(r.err).not.toMatch(/\u001b|\u0007/),
  });
}

// The service reads its reference before it listens: a bad one stops it with the file named, no server left.
for (const [what, files] of [
  ['missing reference file', {}],
  ['a folder as the reference', { 'in.csv': { dir: true } }],
  ['a reference without the species column', { 'in.csv': lf(dropColumn(BARCODES, 'species')) }],
] as [string, Record<string, FileContent>][]) {
  add({
    command: 'dna serve',
    kind: 'files',
    what,
    files,
    args: (p) => ['dna', 'serve', '--reference', p('in.csv'), '--port', '0', '--quiet'],
    code: 1,
    mentions: ['in.csv'],
  });
}
add({
  command: 'dna index',
  kind: 'files',
  what: 'missing reference file',
  files: {},
  args: (p) => ['dna', 'index', '--reference', p('in.csv'), '--out', p('out.idx'), '--quiet'],
  code: 1,
  mentions: ['in.csv'],
});
for (const [what, files] of [
  ['missing index file', {}],
  ['a CSV given as the index', { 'in.idx': lf(BARCODES) }],
] as [string, Record<string, FileContent>][]) {
  add({
    command: 'dna serve',
    kind: 'files',
    what,
    files,
    args: (p) => ['dna', 'serve', '--index', p('in.idx'), '--port', '0', '--quiet'],
    code: 1,
    mentions: ['in.idx'],
  });
}

// DNA sequences: rows with no A/C/G/T are skipped and counted; a file with none usable is an error.
const badSeq = lf(setField(setField(BARCODES, 'dna_barcode', 2, 'NNNNNNNN-----NNNN'), 'dna_barcode', 3, '1234567890'));
const noSeq = lf(BARCODES.map((l, i) => (i === 0 ? l : setField(BARCODES, 'dna_barcode', i, 'NNNN----RYKM')[i])));
for (const [command, args, skipped] of [
  [
    'dna pretrain',
    (p: (n: string) => string) => ['dna', 'pretrain', '--data', p('in.csv'), ...TINY_MODEL, '--json'],
    (j: { sequences: { skipped: number } }) => j.sequences.skipped,
  ],
  [
    'dna embed',
    (p: (n: string) => string) => [
      'dna',
      'embed',
      '--checkpoint',
      p('pre.safetensors'),
      '--data',
      p('in.csv'),
      '--out',
      p('out.npy'),
      '--json',
    ],
    (j: { sequences: { skipped: number } }) => j.sequences.skipped,
  ],
  [
    'dna finetune',
    (p: (n: string) => string) => [
      'dna',
      'finetune',
      '--checkpoint',
      p('pre.safetensors'),
      '--train',
      p('in.csv'),
      '--out',
      p('ft.safetensors'),
      '--epochs',
      '1',
      '--json',
    ],
    (j: { train: { sequences: { skipped: number } } }) => j.train.sequences.skipped,
  ],
  [
    'dna identify --queries',
    (p: (n: string) => string) => [
      'dna',
      'identify',
      '--reference',
      p('ref.csv'),
      '--queries',
      p('in.csv'),
      '--out',
      p('out.csv'),
      '--json',
    ],
    (j: Record<string, number>) => j.noSequence,
  ],
] as const) {
  const extra = { 'pre.safetensors': CK(), 'ref.csv': lf(BARCODES) };
  add({
    command,
    kind: 'sequences',
    what: 'two barcodes without A/C/G/T: skipped and counted',
    files: { ...extra, 'in.csv': badSeq },
    args,
    code: 0,
    outputs: ['out.npy', 'ft.safetensors', 'out.csv'],
    check: (r) => expect((skipped as (j: unknown) => number)(JSON.parse(r.out))).toBe(2),
  });
  if (command !== 'dna identify --queries') {
    add({
      command,
      kind: 'sequences',
      what: 'no usable barcode at all',
      files: { ...extra, 'in.csv': noSeq },
      args,
      code: 1,
      mentions: ['in.csv'],
    });
  }
}

// Model files: a checkpoint that is not one.
for (const [command, args] of [
  [
    'dna embed',
    (p: (n: string) => string) => [
      'dna',
      'embed',
      '--checkpoint',
      p('bad.safetensors'),
      '--data',
      p('in.csv'),
      '--out',
      p('out.npy'),
    ],
  ],
  [
    'dna finetune',
    (p: (n: string) => string) => [
      'dna',
      'finetune',
      '--checkpoint',
      p('bad.safetensors'),
      '--train',
      p('in.csv'),
      '--out',
      p('ft.safetensors'),
    ],
  ],
  [
    'dna export-onnx',
    (p: (n: string) => string) => ['dna', 'export-onnx', '--checkpoint', p('bad.safetensors'), '--out', p('out.onnx')],
  ],
  [
    'dna probe',
    (p: (n: string) => string) => [
      'dna',
      'probe',
      '--checkpoint',
      p('bad.safetensors'),
      '--train',
      p('in.csv'),
      '--test',
      p('in.csv'),
    ],
  ],
] as const) {
  for (const [what, content] of [
    ['binary checkpoint', BINARY],
    ['empty checkpoint', ''],
    ['truncated checkpoint', { copy: TRUNCATED_CHECKPOINT }],
  ] as const) {
    add({
      command,
      kind: 'model files',
      what,
      files: { 'in.csv': lf(BARCODES), 'bad.safetensors': content },
      args,
      code: 1,
      mentions: ['bad.safetensors'],
    });
  }
}

// Embeddings (.npy / CSV of numbers) for cluster.
for (const [what, content] of [
  ['empty .npy', Buffer.alloc(0)],
  ['binary, not .npy', BINARY],
  ['truncated .npy', goodNpy().subarray(0, 200)],
  ['NaN in the matrix', npy(EMBED_ROWS, EMBED_DIM, (r, c) => (r === 4 && c === 2 ? NaN : r + c))],
  ['Infinity in the matrix', npy(EMBED_ROWS, EMBED_DIM, (r, c) => (r === 4 && c === 2 ? Infinity : r + c))],
  ['1-D array', npy(EMBED_ROWS, 1, (r) => r, { shape: `(${EMBED_ROWS},)` })],
  ['unsupported dtype', npy(EMBED_ROWS, EMBED_DIM, () => 1, { descr: '<c8' })],
  [
    'CSV with a word among the numbers',
    `${Array.from({ length: EMBED_ROWS }, (_, r) => (r === 6 ? '1,abc,3' : '1,2,3')).join('\n')}\n`,
  ],
] as const) {
  const name = what.startsWith('CSV') ? 'emb.csv' : 'emb.npy';
  add({
    command: 'cluster --embeddings',
    kind: what.includes('NaN') || what.includes('Infinity') || what.includes('word') ? 'values' : 'npy',
    what,
    files: { [name]: content, 'labels.csv': lf(LABELS) },
    args: (p) => ['cluster', '--embeddings', p(name), '--labels', p('labels.csv'), '--umap', '0'],
    code: 1,
    mentions: [name],
  });
}

// Images.
const badImages = (): Record<string, FileContent> => ({
  'img/good.jpg': goodJpeg(),
  'img/text.jpg': 'this is not a JPEG\n',
  'img/truncated.jpg': goodJpeg().subarray(0, 600),
  'img/empty.jpg': '',
});
const imageMentions = ['text.jpg', 'truncated.jpg', 'empty.jpg'];
for (const [sub, what, out, outputs] of [
  [
    'crop',
    'unreadable images are listed, the rest cropped, exit 1',
    ['--out', 'out', '--workers', '0'],
    ['out/', 'out/**'],
  ],
  ['quality', 'unreadable images are listed, exit 1', ['--out', 'q.csv'], ['q.csv']],
  ['embed', 'unreadable images are listed, exit 1', ['--out', 'e.npy'], ['e.npy', 'e.files.txt']],
] as const) {
  add({
    command: `vision ${sub}`,
    kind: 'images',
    what,
    files: badImages(),
    args: (p) => ['vision', sub, '--images', p('img'), out[0], p(out[1]), ...out.slice(2), '--quiet'],
    code: 1,
    mentions: imageMentions,
    outputs: [...outputs],
  });
}
for (const command of ['vision crop', 'vision quality', 'vision embed']) {
  const sub = command.split(' ')[1];
  const args = (p: (n: string) => string) => [
    'vision',
    sub,
    '--images',
    p('img'),
    '--out',
    p(sub === 'embed' ? 'e.npy' : sub === 'quality' ? 'q.csv' : 'out'),
    '--quiet',
  ];
  add({ command, kind: 'files', what: 'missing image folder', files: {}, args, code: 1, mentions: ['img'] });
  add({
    command,
    kind: 'files',
    what: 'a file as the image folder',
    files: { img: goodJpeg() },
    args,
    code: 1,
    mentions: ['img'],
  });
}
for (const command of ['vision evaluate', 'vision train']) {
  const sub = command.split(' ')[1];
  const args = (p: (n: string) => string) => [
    'vision',
    sub,
    '--images',
    p('img'),
    '--coco',
    p('coco.json'),
    ...(sub === 'train' ? ['--out', p('w.json'), '--epochs', '5'] : []),
    '--quiet',
  ];
  const imgs = Object.fromEntries(
    COCO.images.slice(0, 2).map((i) => [`img/${i.file_name}`, { copy: path.join(embedded.images, i.file_name) }]),
  );
  for (const [what, coco] of [
    ['missing COCO file', undefined],
    ['empty COCO file', ''],
    ['binary COCO file', BINARY],
    ['COCO file that is not JSON', '{"images": [,]}'],
    ['COCO JSON without images', '{"annotations": []}'],
    ['COCO box with a NaN-like value', smallCoco().replace(/"bbox":\s*\[[^\]]*\]/, '"bbox": ["x", 1, 2, 3]')],
  ] as const) {
    add({
      command,
      kind: 'files',
      what,
      files: coco === undefined ? imgs : { ...imgs, 'coco.json': coco },
      args,
      code: 1,
      mentions: ['coco.json'],
    });
  }
}
for (const [what, detector, content] of [
  ['detector weights that are not', 'w.json', '{"features": ["x"]}'],
  ['binary .onnx detector', 'd.onnx', BINARY],
] as const) {
  add({
    command: 'vision crop',
    kind: 'model files',
    what,
    files: { 'img/a.jpg': goodJpeg(), [detector]: content },
    args: (p) => [
      'vision',
      'crop',
      '--images',
      p('img'),
      '--out',
      p('out'),
      '--detector',
      p(detector),
      '--workers',
      '0',
      '--quiet',
    ],
    code: 1,
    mentions: [detector],
  });
}
add({
  command: 'vision embed',
  kind: 'model files',
  what: 'binary .onnx encoder',
  files: { 'img/a.jpg': goodJpeg(), 'e.onnx': BINARY },
  args: (p) => ['vision', 'embed', '--images', p('img'), '--out', p('e.npy'), '--encoder', p('e.onnx'), '--quiet'],
  code: 1,
  mentions: ['e.onnx'],
});
add({
  command: 'vision quality',
  kind: 'files',
  what: 'labels table without quality_label',
  files: { 'img/a.jpg': goodJpeg(), 'labels.csv': 'file_name,label\na.jpg,valid\n' },
  args: (p) => ['vision', 'quality', '--images', p('img'), '--out', p('q.csv'), '--labels', p('labels.csv'), '--quiet'],
  code: 1,
  mentions: ['labels.csv', 'quality_label'],
});

// Clip: paired labels, frozen features and checkpoints.
{
  const labels = lf([
    'order,family,genus,species,split',
    ...Array.from({ length: EMBED_ROWS }, (_, r) => `O${r % 2},F${r % 3},G${r % 3},S${r % 3},train`),
  ]);
  const train = (p: (n: string) => string) => [
    'clip',
    'train',
    '--labels',
    p('labels.csv'),
    '--image-features',
    p('img.npy'),
    '--dna-features',
    p('dna.npy'),
    '--dim',
    '4',
    '--steps',
    '2',
    '--batch',
    '8',
    '--checkpoint',
    p('clip.safetensors'),
    '--quiet',
  ];
  const good = { 'labels.csv': labels, 'img.npy': goodNpy(), 'dna.npy': goodNpy() };
  for (const [what, files, mention] of [
    ['missing labels file', { 'img.npy': goodNpy(), 'dna.npy': goodNpy() }, 'labels.csv'],
    ['binary labels file', { ...good, 'labels.csv': BINARY }, 'labels.csv'],
    ['binary image features', { ...good, 'img.npy': BINARY }, 'img.npy'],
    ['truncated DNA features', { ...good, 'dna.npy': goodNpy().subarray(0, 150) }, 'dna.npy'],
    [
      'features with fewer rows than labels',
      { ...good, 'dna.npy': npy(EMBED_ROWS - 3, EMBED_DIM, () => 1) },
      'dna.npy',
    ],
    [
      'NaN in the features',
      { ...good, 'img.npy': npy(EMBED_ROWS, EMBED_DIM, (r, c) => (r === 3 && c === 1 ? NaN : r + c)) },
      'img.npy',
    ],
  ] as const) {
    add({
      command: 'clip train',
      kind: what.includes('NaN') ? 'values' : 'files',
      what,
      files,
      args: train,
      code: 1,
      mentions: [mention],
    });
  }
  add({
    command: 'clip train',
    kind: 'output-paths',
    what: 'output is an input',
    files: good,
    args: (p) => train(p).map((a) => (a === p('clip.safetensors') ? p('labels.csv') : a)),
    code: 1,
    mentions: ['labels.csv'],
  });
  const keys = { 'keys.npy': goodNpy(), 'q.npy': goodNpy(), 'labels.csv': labels };
  const evalArgs = (p: (n: string) => string) => [
    'clip',
    'eval',
    '--keys',
    p('keys.npy'),
    '--key-labels',
    p('labels.csv'),
    '--queries',
    p('q.npy'),
    '--query-labels',
    p('labels.csv'),
    '--quiet',
  ];
  for (const [kind, what, files, mention] of [
    ['npy', 'binary key embeddings', { ...keys, 'keys.npy': BINARY }, 'keys.npy'],
    ['npy', 'queries of another dimension', { ...keys, 'q.npy': npy(EMBED_ROWS, 5, () => 1) }, 'q.npy'],
    ['files', 'missing key labels', { 'keys.npy': goodNpy(), 'q.npy': goodNpy() }, 'labels.csv'],
  ] as const) {
    add({ command: 'clip eval', kind, what, files, args: evalArgs, code: 1, mentions: [mention] });
  }
  // A missing and a binary checkpoint for the two commands that read an alignment checkpoint beside other inputs.
  const checkpointReaders: {
    command: string;
    binaryWhat: string;
    others: Record<string, FileContent>;
    args: Row['args'];
  }[] = [
    {
      command: 'clip embed',
      binaryWhat: 'binary checkpoint',
      others: { 'f.npy': goodNpy() },
      args: (p) => [
        'clip',
        'embed',
        '--checkpoint',
        p('ck.safetensors'),
        '--modality',
        'image',
        '--features',
        p('f.npy'),
        '--out',
        p('e.npy'),
      ],
    },
    {
      command: 'clip lora',
      binaryWhat: 'binary alignment checkpoint',
      others: { 'enc.safetensors': CK() },
      args: (p) => [
        'clip',
        'lora',
        '--checkpoint',
        p('ck.safetensors'),
        '--dna-encoder',
        p('enc.safetensors'),
        '--merged-out',
        p('m.safetensors'),
      ],
    },
  ];
  for (const { command, binaryWhat, others, args } of checkpointReaders) {
    const cases: [string, string, Record<string, FileContent>][] = [
      ['model files', binaryWhat, { 'ck.safetensors': BINARY, ...others }],
      ['files', 'missing checkpoint', others],
    ];
    for (const [kind, what, files] of cases)
      add({ command, kind, what, files, args, code: 1, mentions: ['ck.safetensors'] });
  }
}

// ------------------------------------------------------------------------------------------- output paths

interface Writer {
  command: string;
  inputs: () => Record<string, FileContent>;
  /** Arguments with the output under test at `out`. */
  args: (p: (n: string) => string, out: string) => string[];
  /** Output file name of a normal run. */
  out: string;
  /** Other outputs a successful run writes next to it. */
  also?: string[];
  /** An input the output may be pointed at. */
  input?: string;
  /** The output is a folder (crop, demo). */
  folder?: boolean;
  /** Also the rarer path shapes: a link to an input, a path through a file (the same check serves every writer). */
  allShapes?: boolean;
}

const writers: Writer[] = [
  {
    command: 'clean --out',
    allShapes: true,
    inputs: () => ({ 'in.csv': lf(METADATA) }),
    args: (p, o) => ['clean', '--metadata', p('in.csv'), '--out', o, '--quiet'],
    out: 'out.csv',
    input: 'in.csv',
  },
  {
    command: 'clean --changes',
    inputs: () => ({ 'in.csv': lf(METADATA) }),
    args: (p, o) => ['clean', '--metadata', p('in.csv'), '--out', p('clean.csv'), '--changes', o, '--quiet'],
    out: 'changes.csv',
    also: ['clean.csv'],
    input: 'in.csv',
  },
  {
    command: 'split',
    inputs: () => ({ 'in.csv': lf(METADATA) }),
    args: (p, o) => ['split', '--metadata', p('in.csv'), '--out', o, '--quiet'],
    out: 'out.csv',
    input: 'in.csv',
  },
  {
    command: 'synth',
    inputs: () => ({}),
    args: (_p, o) => ['synth', '--rows', '50', '--out', o, '--quiet'],
    out: 'out.csv',
  },
  {
    command: 'dna pretrain',
    allShapes: true,
    inputs: () => ({ 'in.csv': lf(BARCODES) }),
    args: (p, o) => ['dna', 'pretrain', '--data', p('in.csv'), ...TINY_MODEL, '--checkpoint', o, '--quiet'],
    out: 'ck.safetensors',
    input: 'in.csv',
  },
  {
    command: 'dna finetune',
    inputs: () => ({ 'in.csv': lf(BARCODES), 'pre.safetensors': CK() }),
    args: (p, o) => [
      'dna',
      'finetune',
      '--checkpoint',
      p('pre.safetensors'),
      '--train',
      p('in.csv'),
      '--out',
      o,
      '--epochs',
      '1',
      '--quiet',
    ],
    out: 'ft.safetensors',
    input: 'pre.safetensors',
  },
  {
    command: 'dna embed',
    inputs: () => ({ 'in.csv': lf(BARCODES), 'pre.safetensors': CK() }),
    args: (p, o) => [
      'dna',
      'embed',
      '--checkpoint',
      p('pre.safetensors'),
      '--data',
      p('in.csv'),
      '--out',
      o,
      '--quiet',
    ],
    out: 'out.npy',
    input: 'in.csv',
  },
  {
    command: 'dna export-onnx',
    inputs: () => ({ 'pre.safetensors': CK() }),
    args: (p, o) => ['dna', 'export-onnx', '--checkpoint', p('pre.safetensors'), '--out', o],
    out: 'out.onnx',
    input: 'pre.safetensors',
  },
  {
    command: 'dna identify',
    allShapes: true,
    inputs: () => ({ 'in.csv': lf(BARCODES), 'q.csv': lf(BARCODES.slice(0, 6)) }),
    args: (p, o) => ['dna', 'identify', '--reference', p('in.csv'), '--queries', p('q.csv'), '--out', o, '--quiet'],
    out: 'out.csv',
    input: 'q.csv',
  },
  {
    command: 'cluster --out',
    allShapes: true,
    inputs: () => ({ 'emb.npy': goodNpy(), 'labels.csv': lf(LABELS) }),
    args: (p, o) => [
      'cluster',
      '--embeddings',
      p('emb.npy'),
      '--labels',
      p('labels.csv'),
      '--umap',
      '0',
      '--out',
      o,
      '--quiet',
    ],
    out: 'assign.csv',
    input: 'labels.csv',
  },
  {
    command: 'cluster --save-reduced',
    inputs: () => ({ 'emb.npy': goodNpy(), 'labels.csv': lf(LABELS) }),
    args: (p, o) => [
      'cluster',
      '--embeddings',
      p('emb.npy'),
      '--labels',
      p('labels.csv'),
      '--umap',
      '0',
      '--save-reduced',
      o,
      '--quiet',
    ],
    out: 'reduced.npy',
    input: 'emb.npy',
  },
  {
    command: 'vision quality',
    inputs: () => ({ 'img/a.jpg': goodJpeg(), 'labels.csv': `file_name,quality_label\na.jpg,valid\n` }),
    args: (p, o) => ['vision', 'quality', '--images', p('img'), '--out', o, '--labels', p('labels.csv'), '--quiet'],
    out: 'q.csv',
    input: 'labels.csv',
  },
  {
    command: 'vision embed',
    inputs: () => ({ 'img/a.jpg': goodJpeg() }),
    args: (p, o) => ['vision', 'embed', '--images', p('img'), '--out', o, '--quiet'],
    out: 'e.npy',
    also: ['e.files.txt'],
  },
  {
    command: 'vision train',
    allShapes: true,
    inputs: () => ({
      ...Object.fromEntries(
        COCO.images.slice(0, 2).map((i) => [`img/${i.file_name}`, { copy: path.join(embedded.images, i.file_name) }]),
      ),
      'coco.json': smallCoco(),
    }),
    args: (p, o) => [
      'vision',
      'train',
      '--images',
      p('img'),
      '--coco',
      p('coco.json'),
      '--out',
      o,
      '--epochs',
      '5',
      '--quiet',
    ],
    out: 'w.json',
    input: 'coco.json',
  },
  {
    command: 'vision crop',
    inputs: () => ({ 'img/a.jpg': goodJpeg() }),
    args: (p, o) => ['vision', 'crop', '--images', p('img'), '--out', o, '--workers', '0', '--quiet'],
    out: 'crops',
    folder: true,
  },
  {
    command: 'vision crop --boxes',
    inputs: () => ({ 'img/a.jpg': goodJpeg() }),
    args: (p, o) => [
      'vision',
      'crop',
      '--images',
      p('img'),
      '--out',
      p('crops'),
      '--boxes',
      o,
      '--workers',
      '0',
      '--quiet',
    ],
    out: 'boxes.csv',
    also: ['crops/**'],
    input: 'img/a.jpg',
  },
];

for (const w of writers) {
  const base = { command: w.command, kind: 'output-paths' };
  const ext = path.extname(w.out);
  if (w.input)
    add({
      ...base,
      what: 'output is an input',
      files: w.inputs(),
      args: (p) => w.args(p, p(w.input!)),
      code: 1,
      mentions: [w.input],
    });
  if (w.input && w.allShapes) {
    add({
      ...base,
      what: 'output is a symbolic link to an input',
      files: { ...w.inputs(), [`link${ext}`]: { symlink: w.input } },
      args: (p) => w.args(p, p(`link${ext}`)),
      code: 1,
      mentions: [`link${ext}`],
    });
    add({
      ...base,
      what: 'output is a hard link to an input',
      files: { ...w.inputs(), [`hard${ext}`]: { hardlink: w.input } },
      args: (p) => w.args(p, p(`hard${ext}`)),
      code: 1,
      mentions: [`hard${ext}`],
    });
  }
  if (!w.folder)
    add({
      ...base,
      what: 'output is an existing folder',
      files: { ...w.inputs(), [`${w.out}/`]: { dir: true } },
      args: (p) => w.args(p, p(w.out)),
      code: 1,
      mentions: [w.out],
    });
  else
    add({
      ...base,
      what: 'output folder is an existing file',
      files: { ...w.inputs(), [w.out]: 'a file\n' },
      args: (p) => w.args(p, p(w.out)),
      code: 1,
      mentions: [w.out],
    });
  if (w.allShapes)
    add({
      ...base,
      what: 'a part of the output path is a file',
      files: { ...w.inputs(), afile: 'x\n' },
      args: (p) => w.args(p, path.join(p('afile'), w.out)),
      code: 1,
      mentions: ['afile'],
    });
  const created = ['new/', 'new/sub/', `new/sub/${w.out}`, ...(w.folder ? [`new/sub/${w.out}/**`] : [])];
  const also = (w.also ?? []).map((a) => (a === 'e.files.txt' ? 'new/sub/e.files.txt' : a));
  add({
    ...base,
    what: 'missing output folders are created',
    files: w.inputs(),
    args: (p) => w.args(p, path.join(p('new'), 'sub', w.out)),
    code: 0,
    outputs: [...created, ...also],
  });
  add({
    ...base,
    what: 'read-only output folder',
    files: { ...w.inputs(), 'readonly/': { dir: true } },
    args: (p) => w.args(p, path.join(p('readonly'), w.out)),
    code: 1,
    mentions: ['readonly'],
    unprivileged: true,
  });
}
add({
  command: 'synth',
  kind: 'output-paths',
  what: 'a device as the output',
  files: {},
  args: () => ['synth', '--rows', '10', '--out', '/dev/full', '--quiet'],
  code: 1,
  mentions: ['/dev/full'],
  check: () => expect(statSync('/dev/full').isCharacterDevice()).toBe(true),
});
add({
  command: 'report',
  kind: 'output-paths',
  what: 'output is an existing folder',
  files: { 'demo/stats.json': '{}\n', 'page.html/': { dir: true } },
  args: (p) => ['report', '--from', p('demo'), '--out', p('page.html')],
  code: 1,
  mentions: ['page.html'],
});
add({
  command: 'report',
  kind: 'output-paths',
  what: 'output is a result file',
  files: { 'demo/stats.json': '{}\n' },
  args: (p) => ['report', '--from', p('demo'), '--out', p('demo/stats.json')],
  code: 1,
  mentions: ['stats.json'],
});
add({
  command: 'demo',
  kind: 'output-paths',
  what: 'output folder is an existing file',
  files: { 'demo.out': 'a file\n' },
  args: (p) => ['demo', '--only', 'stats', '--out', p('demo.out')],
  code: 1,
  mentions: ['demo.out'],
});

// ------------------------------------------------------------------------------------------- flag values

const clipEvalArgs = (p: (n: string) => string) => [
  'clip',
  'eval',
  '--keys',
  p('k'),
  '--key-labels',
  p('in.csv'),
  '--queries',
  p('q'),
  '--query-labels',
  p('in.csv'),
];
const flagRows: [string, (p: (n: string) => string) => string[], string, Record<string, FileContent>?][] = [
  ['dna serve', (p) => ['dna', 'serve', '--reference', p('in.csv'), '--port', '70000'], '--port'],
  ['dna serve', (p) => ['dna', 'serve', '--reference', p('in.csv'), '--workers', '0'], '--workers'],
  ['dna serve', (p) => ['dna', 'serve', '--reference', p('in.csv'), '--max-queries', '0'], '--max-queries'],
  ['dna serve', () => ['dna', 'serve', '--port', '0'], '--reference'],
  ['dna serve', (p) => ['dna', 'serve', '--index', p('in.csv'), '--k', '11'], '--index'],
  ['dna serve', (p) => ['dna', 'serve', '--reference', p('in.csv'), '--host', 'http://x'], '--host'],
  ['stats', (p) => ['stats', '--metadata', p('in.csv'), '--threads', '0'], '--threads'],
  ['stats', () => ['stats'], '--metadata'],
  ['paths', (p) => ['paths', '--metadata', p('in.csv'), '--root', p('.'), '--limit', '-3'], '--limit'],
  ['paths', (p) => ['paths', '--metadata', p('in.csv'), '--root', p('.'), '--package', 'thumbnails'], '--package'],
  ['clean', (p) => ['clean', '--metadata', p('in.csv'), '--out', p('o.csv'), '--majority', '1.5'], '--majority'],
  ['clean', (p) => ['clean', '--metadata', p('in.csv'), '--out', ''], '--out'],
  ['split', (p) => ['split', '--metadata', p('in.csv'), '--out', p('o.csv'), '--seed', 'x'], '--seed'],
  [
    'split',
    (p) => ['split', '--metadata', p('in.csv'), '--out', p('o.csv'), '--placeholder-rule', 'strict'],
    '--placeholder-rule',
  ],
  ['synth', (p) => ['synth', '--rows', '1e999', '--out', p('o.csv')], '--rows'],
  ['synth', (p) => ['synth', '--rows', '10', '--out', p('o.csv'), '--noise', 'NaN'], '--noise'],
  ['dna pretrain', (p) => ['dna', 'pretrain', '--data', p('in.csv'), '--k', '20'], '--k'],
  ['dna pretrain', (p) => ['dna', 'pretrain', '--data', p('in.csv'), '--hidden', '30', '--heads', '4'], '--hidden'],
  ['dna pretrain', (p) => ['dna', 'pretrain', '--data', p('in.csv'), '--backend', 'foo'], '--backend'],
  ['dna pretrain', (p) => ['dna', 'pretrain', '--data', p('in.csv'), '--lr', '-1'], '--lr'],
  ['dna pretrain', (p) => ['dna', 'pretrain', '--data', p('in.csv'), '--loss', 'some'], '--loss'],
  ['dna benchmark', (p) => ['dna', 'benchmark', '--data', p('in.csv'), '--out', p('b'), '--steps', '0'], '--steps'],
  ['dna benchmark', (p) => ['dna', 'benchmark', '--data', p('in.csv'), '--out', p('b'), '--skip', 'blast'], '--skip'],
  [
    'dna benchmark',
    (p) => ['dna', 'benchmark', '--data', p('in.csv'), '--out', p('b'), '--pretrain-on', 'all'],
    '--pretrain-on',
  ],
  [
    'dna benchmark',
    (p) => ['dna', 'benchmark', '--data', p('in.csv'), '--out', p('b'), '--hidden', '30', '--heads', '4'],
    '--hidden',
  ],
  ['dna benchmark', (p) => ['dna', 'benchmark', '--data', p('in.csv'), '--out', p('b'), '--onnx-k', '4'], '--onnx-k'],
  [
    'dna finetune',
    (p) => ['dna', 'finetune', '--checkpoint', p('x'), '--train', p('in.csv'), '--out', p('o'), '--rank', 'kingdom'],
    '--rank',
  ],
  [
    'dna finetune',
    (p) => ['dna', 'finetune', '--checkpoint', p('x'), '--train', p('in.csv'), '--out', p('o'), '--epochs', '0'],
    '--epochs',
  ],
  ['dna probe', (p) => ['dna', 'probe', '--train', p('in.csv'), '--test', p('in.csv'), '--method', 'svm'], '--method'],
  [
    'dna probe',
    (p) => ['dna', 'probe', '--train', p('in.csv'), '--test', p('in.csv'), '--method', 'knn'],
    '--checkpoint',
  ],
  [
    'dna embed',
    (p) => ['dna', 'embed', '--data', p('in.csv'), '--out', p('o.npy'), '--checkpoint', p('x'), '--engine', 'gpu'],
    '--engine',
  ],
  ['dna embed', (p) => ['dna', 'embed', '--data', p('in.csv'), '--out', p('o.npy')], '--checkpoint'],
  [
    'dna identify',
    (p) => ['dna', 'identify', '--reference', p('in.csv'), '--queries', p('in.csv'), '--out', p('o.csv'), '--k', '40'],
    '--k',
  ],
  [
    'dna identify',
    (p) => [
      'dna',
      'identify',
      '--reference',
      p('in.csv'),
      '--queries',
      p('in.csv'),
      '--out',
      p('o.csv'),
      '--species-threshold',
      '97',
    ],
    '--species-threshold',
  ],
  [
    'dna identify',
    (p) => [
      'dna',
      'identify',
      '--reference',
      p('in.csv'),
      '--queries',
      p('in.csv'),
      '--out',
      p('o.csv'),
      '--threads',
      '0',
    ],
    '--threads',
  ],
  ['vision crop', (p) => ['vision', 'crop', '--images', p('.'), '--out', p('o'), '--ratio', '0.5'], '--ratio'],
  [
    'vision crop',
    (p) => ['vision', 'crop', '--images', p('.'), '--out', p('o'), '--jpeg-quality', '101'],
    '--jpeg-quality',
  ],
  ['vision crop', (p) => ['vision', 'crop', '--images', p('.'), '--out', p('o'), '--detector', 'yolo'], '--detector'],
  ['vision embed', (p) => ['vision', 'embed', '--images', p('.'), '--out', p('o.npy'), '--size', 'abc'], '--size'],
  [
    'vision embed',
    (p) => ['vision', 'embed', '--images', p('.'), '--out', p('o.npy'), '--pooling', 'foo'],
    '--pooling',
  ],
  ['vision embed', (p) => ['vision', 'embed', '--images', p('.'), '--out', p('o.npy'), '--mean', '1,2'], '--mean'],
  [
    'vision embed',
    (p) => ['vision', 'embed', '--images', p('.'), '--out', p('o.npy'), '--mean', '0.5,0.5,0.5'],
    '--mean',
  ],
  ['vision embed', (p) => ['vision', 'embed', '--images', p('.'), '--out', p('o.txt')], '--out'],
  [
    'vision train',
    (p) => ['vision', 'train', '--images', p('.'), '--coco', p('c.json'), '--out', p('w.json'), '--hidden', '-1'],
    '--hidden',
  ],
  [
    'vision evaluate',
    (p) => ['vision', 'evaluate', '--images', p('.'), '--coco', p('c.json'), '--detector', 'x.pt'],
    '--detector',
  ],
  [
    'cluster',
    (p) => ['cluster', '--embeddings', p('emb.npy'), '--labels', p('labels.csv'), '--umap', '60'],
    '--umap',
    { 'emb.npy': goodNpy(), 'labels.csv': lf(LABELS) },
  ],
  [
    'cluster',
    (p) => ['cluster', '--embeddings', p('emb.npy'), '--labels', p('labels.csv'), '--n-clusters', '500', '--umap', '0'],
    '--n-clusters',
    { 'emb.npy': goodNpy(), 'labels.csv': lf(LABELS) },
  ],
  ['cluster', (p) => ['cluster', '--embeddings', p('emb.npy'), '--neighbors', '1', '--n-clusters', '3'], '--neighbors'],
  [
    'cluster',
    (p) => ['cluster', '--embeddings', p('emb.npy'), '--min-dist', 'Infinity', '--n-clusters', '3'],
    '--min-dist',
  ],
  [
    'cluster',
    (p) => ['cluster', '--embeddings', p('emb.npy'), '--label-column', 'genus', '--n-clusters', '3'],
    '--label-column',
  ],
  ['demo', (p) => ['demo', '--only', 'bogus', '--out', p('d')], '--only'],
  ['clip train', (p) => ['clip', 'train', '--labels', p('in.csv'), '--checkpoint', p('c'), '--batch', '1'], '--batch'],
  [
    'clip train',
    (p) => ['clip', 'train', '--labels', p('in.csv'), '--checkpoint', p('c'), '--temperature', 'hot'],
    '--temperature',
  ],
  [
    'clip train',
    (p) => ['clip', 'train', '--labels', p('in.csv'), '--checkpoint', p('c'), '--pairs', 'image-image'],
    '--pairs',
  ],
  [
    'clip embed',
    (p) => ['clip', 'embed', '--checkpoint', p('c'), '--modality', 'audio', '--out', p('e.npy')],
    '--modality',
  ],
  ['clip lora', (p) => ['clip', 'lora', '--checkpoint', p('c'), '--dna-encoder', p('e')], '--adapters-out'],
  [
    'clip train',
    (p) => ['clip', 'train', '--labels', p('in.csv'), '--checkpoint', p('c'), '--lora-rank', '-1'],
    '--lora-rank',
  ],
  ['clip eval', (p) => [...clipEvalArgs(p), '--k', '0'], '--k'],
  ['clip eval', (p) => [...clipEvalArgs(p), '--search', 'annoy'], '--search'],
  ['bioscan5m', () => ['--bogus'], '--bogus'],
];
for (const [command, args, flag, files] of flagRows) {
  add({
    command,
    kind: 'flags',
    what: `bad ${flag}`,
    files: files ?? { 'in.csv': lf(METADATA) },
    args,
    code: 2,
    mentions: [flag],
  });
}

// ------------------------------------------------------------------------------------------- pending rows

/**
 * Rows whose fix belongs to a change not landed yet, matched on "command | kind | what". Remove a line when its
 * fix lands (`BAD_INPUT_PENDING=1` shows the pending rows that pass now as failures of `it.fails`).
 */
const PENDING: [RegExp, string][] = [];
for (const row of rows) {
  const key = `${row.command} | ${row.kind} | ${row.what}`;
  row.pending ??= PENDING.find(([re]) => re.test(key))?.[1];
}

// ------------------------------------------------------------------------------------------- running

const runPending = process.env.BAD_INPUT_PENDING === '1';
/** `BAD_INPUT_ONLY=regex` runs the rows of the commands it matches (while working on one command). */
const only = process.env.BAD_INPUT_ONLY ? new RegExp(process.env.BAD_INPUT_ONLY) : undefined;
const selected = (r: Row) => !only || only.test(r.command);
let root = '';
const results = new Map<
  Row,
  { run: CliRun; dir: string; before: Map<string, string>; after: Map<string, string>; files: string[] }
>();
/** An unprivileged uid to run permission rows as, when the tests run as root. */
const UNPRIVILEGED = 65534;
const isRoot = process.getuid?.() === 0;

const BUILT_DIST = path.join(path.dirname(BUILT_CLI), '..', 'dist', 'cli.js');

/** The CLI's source files (tests aside) changed after `mtimeMs`. */
function sourcesNewerThan(mtimeMs: number): string[] {
  const src = path.join(path.dirname(BUILT_CLI), '..', 'src');
  return readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && statSync(path.join(src, f)).mtimeMs > mtimeMs,
  );
}

/** A home folder the unprivileged user can write (onnxruntime keeps a cache there, or else writes into the cwd). */
function unprivilegedHome(): string {
  const home = path.join(root, 'home');
  if (!existsSync(home)) {
    mkdirSync(home);
    chownSync(home, UNPRIVILEGED, UNPRIVILEGED);
  }
  return home;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file and folder under `dir` (folders with a trailing slash), relative to it. */
function listTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(`${r}/`, ...listTree(dir, r));
    else out.push(r);
  }
  return out;
}

function hashInputs(dir: string, names: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of names) {
    const f = path.join(dir, n);
    if (n.endsWith('/') || !existsSync(f)) continue;
    const st = statSync(f);
    m.set(n, st.isFile() ? sha(readFileSync(f)) : `${st.mode}`);
  }
  return m;
}

function writeInputs(dir: string, files: Record<string, FileContent>): void {
  for (const [name, content] of Object.entries(files)) {
    const f = path.join(dir, name);
    mkdirSync(path.dirname(f), { recursive: true });
    if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(f, content);
    else if (name.endsWith('/') || 'dir' in content) mkdirSync(f, { recursive: true });
    else if ('copy' in content) {
      if (content.copy === TRUNCATED_CHECKPOINT) writeFileSync(f, readFileSync(checkpoint).subarray(0, 300));
      else copyFileSync(content.copy === CHECKPOINT ? checkpoint : content.copy, f);
    } else if ('symlink' in content) symlinkSync(path.join(dir, content.symlink), f);
    else linkSync(path.join(dir, content.hardlink), f);
  }
}

async function runRow(row: Row, i: number): Promise<void> {
  const dir = path.join(root, String(i).padStart(3, '0'));
  mkdirSync(dir, { recursive: true });
  writeInputs(dir, row.files);
  const p = (n: string) => path.join(dir, n);
  const inputs = listTree(dir);
  const before = hashInputs(dir, inputs);
  let uid: number | undefined;
  const env: Record<string, string> = {};
  if (row.unprivileged) {
    chmodSync(p('readonly'), 0o555);
    if (isRoot) {
      uid = UNPRIVILEGED;
      // The unprivileged user must read the inputs and the folder (but not write 'ro').
      for (const n of inputs) chmodSync(p(n), n.endsWith('/') ? (n === 'readonly/' ? 0o555 : 0o777) : 0o644);
      chmodSync(dir, 0o777);
      env.HOME = unprivilegedHome();
    }
  }
  const t0 = performance.now();
  const run = await runBuiltCli(row.args(p), { cwd: dir, timeoutMs: 60_000, uid, gid: uid, env });
  if (process.env.BAD_INPUT_TIMES)
    console.log(`${((performance.now() - t0) / 1000).toFixed(2)} s  ${row.command} [${row.what}]`);
  if (row.unprivileged) chmodSync(p('readonly'), 0o755);
  results.set(row, {
    run,
    dir,
    before,
    after: hashInputs(dir, inputs),
    files: listTree(dir).filter((f) => !inputs.includes(f)),
  });
}

beforeAll(async () => {
  expect(existsSync(BUILT_DIST), 'build the CLI first: npm run build').toBe(true);
  // The rows run the built CLI: a source newer than the build would test old code.
  const stale = sourcesNewerThan(statSync(BUILT_DIST).mtimeMs);
  expect(stale, 'the CLI sources changed since the last build: npm run build').toEqual([]);
  root = mkdtempSync(path.join(tmpdir(), 'bioscan5m-bad-input-'));
  chmodSync(root, 0o755);
  // The one checkpoint the model rows share.
  mkdirSync(path.join(root, 'shared'));
  writeFileSync(path.join(root, 'shared', 'b.csv'), lf(BARCODES));
  checkpoint = path.join(root, 'shared', 'ck.safetensors');
  const ck = await runBuiltCli([
    'dna',
    'pretrain',
    '--data',
    path.join(root, 'shared', 'b.csv'),
    ...TINY_MODEL,
    '--checkpoint',
    checkpoint,
    '--quiet',
  ]);
  expect(ck.code, ck.err).toBe(0);
  const todo = rows.map((r, i) => [r, i] as const).filter(([r]) => (runPending || !r.pending) && selected(r));
  await inParallel(
    todo.map(
      ([r, i]) =>
        () =>
          runRow(r, i),
    ),
    Math.max(2, Math.min(6, availableParallelism())),
  );
}, 600_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Base name of a row file named in `mentions`, or the mention itself. */
const mention = (row: Row, m: string | RegExp): string | RegExp =>
  typeof m === 'string' && (m in row.files || m.replace(/\/$/, '') in row.files || /\.\w+$/.test(m))
    ? path.basename(m)
    : m;

function checkRow(row: Row): void {
  const res = results.get(row)!;
  const { run } = res;
  const where = `${row.command} [${row.what}]\nexit ${run.code}\nstderr: ${run.err.slice(0, 2000)}\nstdout: ${run.out.slice(0, 500)}`;
  expect(run.code, where).toBe(row.code);
  expect(run.err, where).not.toMatch(/unexpected error|please report/i);
  expect(run.err, where).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  if (Object.values(row.files).some((c) => Buffer.isBuffer(c) && c.equals(BINARY))) {
    expect(run.err, `raw bytes of the binary file on stderr: ${where}`).not.toMatch(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/,
    );
  }
  for (const m of row.mentions ?? []) {
    const want = mention(row, m);
    if (typeof want === 'string') expect(run.err, where).toContain(want);
    else expect(run.err, where).toMatch(want);
  }
  expect(res.after, `inputs changed: ${where}`).toEqual(res.before);
  // Outputs of a successful row: exact names, or a folder's whole content as 'folder/**'.
  const allowed = row.outputs ?? [];
  const leftovers = res.files.filter(
    (f) => !allowed.some((a) => a === f || (a.endsWith('/**') && f.startsWith(a.slice(0, -2)))),
  );
  expect(leftovers, `left behind: ${where}`).toEqual([]);
  row.check?.(run, (n) => path.join(res.dir, n));
}

describe('bad input: every command x class (built CLI)', () => {
  const byCommand = new Map<string, Row[]>();
  for (const r of rows) byCommand.set(r.command, [...(byCommand.get(r.command) ?? []), r]);
  for (const [command, list] of byCommand) {
    describe(command, () => {
      for (const row of list) {
        const name = `${row.kind}: ${row.what} -> exit ${row.code}`;
        if (!selected(row)) it.skip(name, () => {});
        else if (!row.pending) it(name, () => checkRow(row));
        else if (runPending) it.fails(`${name} (pending: ${row.pending}; passing now?)`, () => checkRow(row));
        else it.todo(`${name} (pending: ${row.pending})`);
      }
    });
  }
});

/** The table itself: every command that reads or writes a file has rows of the classes that apply to it. */
describe('the bad-input table', () => {
  it('covers every command of the CLI', () => {
    const names = [...leafCommands().keys()];
    const covered = new Set(rows.map((r) => r.command.split(' --')[0].replace(/ \(.*\)$/, '')));
    expect(names.filter((n) => !covered.has(n))).toEqual([]);
  });
});
