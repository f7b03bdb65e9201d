/** splitDataset over in-memory records (for files of any size use runSplitJob). */
import { SPLITS, type MetadataRecord, type Split } from '../schema.js';
import { LabelVocab } from '../clean/columns.js';
import { barcodeHash, barcodeKey, BarcodeGroups } from '../barcode/index.js';
import { imageChunk } from '../paths/image-path.js';
import { splitColumns, type SplitOptions, type SplitSummary } from './columns.js';

export interface SplitResult {
  /** Copies of the input with `split` and `chunk` filled; same order and count. */
  records: MetadataRecord[];
  splits: Split[];
  summary: SplitSummary;
}

export function splitDataset(records: readonly MetadataRecord[], opts: SplitOptions = {}): SplitResult {
  const n = records.length;
  const vocab = new LabelVocab();
  const groups = new BarcodeGroups<string>();
  const species = new Int32Array(n);
  const genus = new Int32Array(n);
  const barcode = new Int32Array(n);
  records.forEach((r, i) => {
    species[i] = vocab.id(r.species ?? '');
    genus[i] = vocab.id(r.genus ?? '');
    const b = barcodeKey(r.dna_barcode ?? '');
    barcode[i] = b ? groups.id(b) : -1;
  });
  const keys = groups.keys(barcodeHash);
  const { split, summary } = splitColumns({ n, labels: vocab.labels, species, genus, barcode, barcodeKey: keys }, opts);
  const splits = Array.from(split, (c) => SPLITS[c]);
  const out = records.map((r, i) => ({ ...r, split: splits[i], chunk: imageChunk(r.processid, splits[i]) }));
  return { records: out, splits, summary };
}
