export * from './errors.js';
export * from './schema.js';
export * from './rng.js';
