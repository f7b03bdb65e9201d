export * from './errors.js';
export * from './schema.js';
export * from './rng.js';
export * from './io/atomic.js';
export * from './io/table.js';
export * from './io/npy.js';
