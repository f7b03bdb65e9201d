import { describe, expect, it } from 'vitest';
import * as core from './index.js';
import * as internal from './internal.js';
import { Bioscan5mError, UsageError } from './errors.js';
import { synthesizeMetadataRows } from './synth/generate.js';
import { imagePath } from './paths/image-path.js';
import { LabelVocabulary } from './vocab/vocabulary.js';
import { tableDelimiter } from './io/csv-file.js';

describe('entries', () => {
  it('the main entry names the API and keeps plumbing in ./internal', () => {
    const pub = Object.keys(core);
    for (const name of [
      'AtomicFile',
      'AtomicOutput',
      'scanRecords',
      'scannerModule',
      'scanRange',
      'CsvRecordParser',
      'barcodeHashBytes',
      'BarcodeGroups',
      'computeStats',
      'cleanMetadataFile',
      'splitMetadataFile',
      'writeSyntheticMetadata',
      'imagePaths',
    ]) {
      expect(pub, name).not.toContain(name);
    }
    for (const name of [
      'runStatsJob',
      'runCleanJob',
      'runSplitJob',
      'runSynthJob',
      'runImagePathsJob',
      'barcodeKey',
      'RANK_INDEX',
      'readTable',
      'InputError',
      'UsageError',
    ]) {
      expect(pub, name).toContain(name);
    }
    for (const name of [
      'AtomicFile',
      'scanRecords',
      'scanRange',
      'CsvRecordParser',
      'barcodeHashBytes',
      'BarcodeGroups',
    ])
      expect(Object.keys(internal), name).toContain(name);
    // Nothing is exported by both entries: a name has one home.
    expect(pub.filter((n) => n in internal)).toEqual([]);
  });
});

describe('user mistakes are typed errors', () => {
  const usage = (f: () => unknown, option?: string) => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect(Bioscan5mError.isInstance(err)).toBe(true);
      if (option) expect((err as UsageError).option).toBe(option);
      return;
    }
    throw new Error('no error thrown');
  };
  it('bad options and lookups are UsageErrors, not RangeError or plain Error', () => {
    usage(() => synthesizeMetadataRows({ rows: -1 }).next(), 'rows');
    usage(() => synthesizeMetadataRows({ rows: 10, noise: 2 }).next(), 'noise');
    usage(() => imagePath({ processid: 'p1', split: 'train' }, 'thumbnails' as never, '/data'), 'package');
    usage(() => tableDelimiter('x.csv', '', ';;'), 'delimiter');
    const v = new LabelVocabulary('order', ['Diptera']);
    usage(() => v.label2index('Coleoptera'));
    usage(() => v.index2label(5));
  });
});
