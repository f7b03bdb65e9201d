export * from './errors.js';
export * from './schema.js';
export * from './rng.js';
export * from './io/atomic.js';
export * from './io/table.js';
export * from './io/npy.js';
// metadata readers, vocabularies, image paths and statistics (core data layer)
export * from './metadata/header.js';
export * from './metadata/columns.js';
export * from './vocab/order.js';
export * from './stats/scanner.js';
export * from './stats/counts.js';
export * from './stats/tables.js';
export * from './stats/compute.js';
export * from './synth/index.js';
export * from './clean/index.js';
export * from './split/index.js';
