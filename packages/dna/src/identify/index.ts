export * from './clean.js';
export * from './kmer-index.js';
export * from './align.js';
export * from './search.js';
export * from './reference.js';
export * from './calibration.js';
export * from './identifier.js';
export * from './files.js';
