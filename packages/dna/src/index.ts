export * from './tokenizer/kmer.js';
export * from './identify/index.js';
export * from './io/fasta.js';
