export * from './labels.js';
export * from './metrics.js';
export * from './ward.js';
export * from './kmer.js';
