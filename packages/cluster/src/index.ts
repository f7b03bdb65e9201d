export * from './labels.js';
export * from './matrix.js';
export * from './metrics.js';
export * from './ward.js';
export * from './kmer.js';
export * from './umap.js';
export * from './io.js';
export * from './zero-shot.js';
