/**
 * @bioscan5m/core/internal: plumbing the sibling @bioscan5m packages share (byte-level table access, atomic temp
 * files, the barcode rule's byte tables, stats counters, synthetic-DNA helpers). Unstable: it may change in any
 * release; applications use the main entry.
 */
export { formatLocation, isBioscan5mError, skippedRow } from './errors.js';
export { missingPackage, onnxRuntimeDefaults } from './optional.js';
export {
  barcodeHashBytes,
  BARCODE_BYTE_CODES,
  BARCODE_BYTE_CLASS,
  BARCODE_BASE,
  BARCODE_AMBIGUOUS,
  BARCODE_GAP,
  BARCODE_INVALID,
  BarcodeGroups,
  emptyBarcodeCounts,
  addBarcodeCounts,
} from './barcode/index.js';
export { parseNpy, encodeNpy } from './io/npy.js';
export { GrowableInt32 } from './growable-int32.js';
export {
  AtomicFile,
  TempFile,
  tempPathFor,
  isTempName,
  liveTempFiles,
  type AtomicFileOptions,
  type TempFileOptions,
} from './io/atomic.js';
export { describeFsError, resolveOutputFile, resolveOutputFolder } from './io/output-path.js';
export { CsvRecordParser, NEED_MORE, BAD_RECORD, fnv1a } from './io/csv-parser.js';
export {
  CsvFileScanner,
  tableDelimiter,
  tableColumns,
  missingColumnsError,
  type CsvScanOptions,
  type TableColumns,
} from './io/csv-file.js';
export {
  scanRecords,
  rewriteRecords,
  tableLayout,
  type RawRecord,
  type RawSpans,
  type ScanOptions,
  type TableLayout,
} from './split/scan.js';
export { numericColumns, detectFormat } from './metadata/columns.js';
export { readMetadataParquetRecords } from './parquet/metadata-parquet.js';
export { compareCodePoints, sortCodePoints } from './vocab/order.js';
export { chunkDigits, isSplit, assertImagePackage } from './paths/image-path.js';
export {
  scanRange,
  SCAN_ROLES,
  ScanInvalidError,
  type ScanRequest,
  type ScanResult,
  type ScanRole,
  type InvalidRow,
  type CounterDump,
} from './stats/scanner.js';
export { countLabels, splitAtLineStarts } from './stats/compute.js';
export { mergeScanResults, emptyCounts, type LabelCounts } from './stats/counts.js';
export { countRecordLabels } from './stats/records.js';
export {
  computeTables,
  percentHalfUp,
  rankStats,
  table2,
  tableA4,
  tableA5,
  distributionStats,
  partitionOrder,
  overlapTable,
} from './stats/tables.js';
export { renderTable, formatTableA4, formatTableA5, formatOverlap } from './stats/format.js';
export { rowToRecord, NOISE_KINDS, TABLE2_LABELLED_PERCENT } from './synth/generate.js';
export { pDistance, mutate, randomRoot, COI_LENGTH } from './synth/dna.js';
export { taxonOf } from './clean/records.js';
export { cleanColumns, ChangeLog, LabelVocab, isFiller, type LabelColumns } from './clean/columns.js';
export {
  collapseWhitespace,
  editDistance,
  fixMalaise,
  variantKey,
  malaiseCode,
  isOpenNomenclature,
  firstWord,
} from './clean/normalize.js';
export { splitColumns, SPLIT_CODE, type SplitColumns } from './split/columns.js';
export { isPlaceholderSpecies, genusOfSpeciesName } from './split/placeholder.js';
export {
  testTarget,
  testUpperBound,
  testBarcodeCap,
  pickTestBarcodes,
  pickFractionBarcodes,
  pickValBarcodes,
  allocateSpecies,
  type TestRuleOptions,
  type ValRuleOptions,
  type SpeciesSet,
} from './split/allocate.js';
