/** Parsing of numeric command-line options, with the error a user sees for a bad value. */
import { Bioscan5mError } from '@bioscan5m/core';

export interface NumberOptionRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** `value` as a number (undefined when the option was not given), or a Bioscan5mError naming the option. */
export function numberOption(name: string, value: string | undefined, rule: NumberOptionRule = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const bad =
    value.trim() === '' ||
    !Number.isFinite(n) ||
    (rule.integer && !Number.isInteger(n)) ||
    (rule.min !== undefined && n < rule.min) ||
    (rule.max !== undefined && n > rule.max);
  if (bad) {
    const range = rule.min !== undefined && rule.max !== undefined ? ` in ${rule.min}..${rule.max}` : rule.min !== undefined ? ` >= ${rule.min}` : '';
    throw new Bioscan5mError(`--${name}: expected ${rule.integer ? 'an integer' : 'a number'}${range}, got '${value}'`);
  }
  return n;
}

/** Commander reducer for repeatable options (`--embeddings a.npy --embeddings b.npy`). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
