export * from './tokenizer/kmer.js';
