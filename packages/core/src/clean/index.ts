export * from './normalize.js';
export { CLEAN_RULES, cleanColumns, ChangeLog, LabelVocab, isFiller } from './columns.js';
export type { CleanRule, CleanOptions, CleanSummary, RuleCount, LabelColumns } from './columns.js';
export * from './records.js';
export * from './file.js';
export * from './format.js';
