/**
 * Packages with heavy start-up, imported only when a command that needs them runs, so that `--help`, `stats` and
 * the other light commands start fast. @bioscan5m/dna loads tfjs (~1 s).
 */
import type * as DnaPackage from '@bioscan5m/dna';

let dna: Promise<typeof DnaPackage> | undefined;
export const loadDna = (): Promise<typeof DnaPackage> => (dna ??= import('@bioscan5m/dna'));
