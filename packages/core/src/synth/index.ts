export * from './generate.js';
export * from './barcodes.js';
export { pDistance, mutate, randomRoot, COI_LENGTH } from './dna.js';
