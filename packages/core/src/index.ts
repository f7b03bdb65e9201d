/**
 * @bioscan5m/core: the public API, named one by one. Plumbing that sibling packages need (byte-level scanners,
 * atomic temp files, hash tables) is in ./internal.ts (`@bioscan5m/core/internal`, unstable).
 */
// Errors and shared contracts
export {
  ERROR_CODES,
  Bioscan5mError,
  InputError,
  UsageError,
  OutputPathError,
  MissingDependencyError,
  printable,
  type ErrorCode,
  type InputLocation,
  type SkippedRow,
} from './errors.js';
export { loadOptional, optionalPackage } from './optional.js';
export {
  embeddings,
  embeddingRow,
  concatEmbeddings,
  type Embeddings,
  type Encoder,
  type Modality,
} from './contracts/embeddings.js';
export { throwIfAborted, type Disposable, type JobControl, type ProgressCallback } from './contracts/progress.js';

// Schema and domain building blocks
export {
  TAXONOMIC_RANKS,
  RANK_INDEX,
  isTaxonomicRank,
  LABEL_COLUMNS,
  SPLITS,
  IMAGE_PACKAGES,
  METADATA_FIELDS,
  FIELD_SPECS,
  PANDAS_NA_VALUES,
  fieldSpec,
  emptyRecord,
  isMissing,
  parseField,
  numberProblem,
  formatField,
  type TaxonomicRank,
  type LabelColumn,
  type Split,
  type ImagePackage,
  type MetadataField,
  type MetadataRecord,
  type FieldKind,
  type FieldSpec,
  type ParseContext,
} from './schema.js';
export { createRng, type Rng } from './rng.js';
export {
  normalizeBarcode,
  barcodeKey,
  barcodeHash,
  countBarcode,
  acgtCount,
  type BarcodeCounts,
} from './barcode/index.js';

// Files: tables, arrays, atomic output
export {
  openTable,
  readTable,
  createTableWriter,
  formatCell,
  inputFileSize,
  type Cell,
  type Table,
  type TableOptions,
  type TableReader,
  type TableRow,
  type TableWriter,
} from './io/table.js';
export { readTableHeader, type TableHeader } from './io/csv-file.js';
export { readNpy, readNpyMatrix, writeNpy, type Npy, type NpyArray, type NpyDtype, type NpyMatrix } from './io/npy.js';
// Job authors (other packages' writers) use these too: one set of temp-file and signal state per process.
export { writeFileAtomic, onInterruptCleanup, removeStaleTemps } from './io/atomic.js';
export { checkOutputPaths, type OutputPathCheck, type PathsByRole } from './io/output-path.js';

// Metadata readers, vocabularies and image paths
export {
  readMetadata,
  readMetadataAll,
  describeSummary,
  isParquetFile,
  type MetadataStream,
  type ReadMetadataOptions,
  type ReadSummary,
} from './metadata/read.js';
export {
  mapColumns,
  describeMissing,
  FIELD_ALIASES,
  type ColumnMapping,
  type MetadataFormat,
} from './metadata/columns.js';
export { writeMetadataParquet, type WriteParquetOptions } from './parquet/metadata-parquet.js';
export {
  LabelVocabulary,
  LabelIndex,
  loadLabelIndex,
  buildVocabularies,
  vocabulariesFromRecords,
  VOCAB_COLUMNS,
  type VocabColumn,
  type Vocabularies,
} from './vocab/vocabulary.js';
export { imagePath, imageChunk } from './paths/image-path.js';
export { runImagePathsJob, type ImagePathsJobOptions, type ImagePathsJobSummary } from './paths/check-paths.js';

// Jobs: statistics, cleaning, partitions, synthetic data
export { runStatsJob, type StatsJobOptions, type StatsJobSummary, type StatsOptions } from './stats/compute.js';
export {
  table2Json,
  type DistributionStats,
  type GeoStats,
  type MetadataStats,
  type OverlapTable,
  type RankStats,
} from './stats/tables.js';
export { formatStats, formatTable2 } from './stats/format.js';
export { runCleanJob, CHANGE_LOG_HEADER, type CleanJobOptions, type CleanJobSummary } from './clean/file.js';
export { cleanLabels, type CleanResult, type LabelChange } from './clean/records.js';
export { CLEAN_RULES, type CleanOptions, type CleanRule, type CleanSummary, type RuleCount } from './clean/columns.js';
export { formatCleanTable } from './clean/format.js';
export { runSplitJob, type SplitJobOptions, type SplitJobSummary } from './split/file.js';
export { splitDataset, type SplitResult } from './split/records.js';
export { formatSplitTable, type SplitCounts, type SplitOptions, type SplitSummary } from './split/columns.js';
export type { PlaceholderRule } from './split/placeholder.js';
export {
  runSynthJob,
  synthesizeMetadata,
  synthesizeMetadataRows,
  type SynthJobOptions,
  type SynthJobSummary,
  type SynthOptions,
} from './synth/generate.js';
export {
  synthesizeBarcodes,
  iterateSyntheticBarcodes,
  type SynthBarcodesOptions,
  type SyntheticBarcode,
} from './synth/barcodes.js';
