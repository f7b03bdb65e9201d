export * from './placeholder.js';
export * from './allocate.js';
export { splitColumns, formatSplitTable, SPLIT_CODE } from './columns.js';
export type { SplitColumns, SplitOptions, SplitSummary, SplitCounts } from './columns.js';
export * from './records.js';
export * from './file.js';
export { scanRecords, rewriteRecords, tableLayout } from './scan.js';
export type { RawRecord, ScanOptions, TableLayout } from './scan.js';
