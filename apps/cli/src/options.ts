/**
 * Checks of command-line option values, shared by every command. Each rule exists in two forms:
 * - a commander argument parser (`intArg`, `numberArg`, `choiceArg`, `numberListArg`, `pathArg`), given in the
 *   option's declaration so that the value is refused while parsing, before any work starts; commander then prints
 *   "option '--k <n>' argument '20' is invalid. expected an integer in 8..15" and the CLI exits 2;
 * - a function (`numberOption`, `choiceOption`, ...) for an action to convert a value (a default given as a
 *   string, or a value already parsed) and to check it again where rules depend on other flags or on the input.
 * Both throw UsageError / InvalidArgumentError naming the option and the values it accepts.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '@bioscan5m/core';

export interface NumberOptionRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** min itself is refused (a positive number: `{ min: 0, exclusiveMin: true }`). */
  exclusiveMin?: boolean;
}

/** What a rule accepts, in words: "an integer in 8..15", "a number > 0". */
export function describeRule(rule: NumberOptionRule): string {
  const what = rule.integer ? 'an integer' : 'a number';
  if (rule.min !== undefined && rule.max !== undefined)
    return `${what} in ${rule.exclusiveMin ? `(${rule.min}, ${rule.max}]` : `${rule.min}..${rule.max}`}`;
  if (rule.min !== undefined) return `${what} ${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
  if (rule.max !== undefined) return `${what} <= ${rule.max}`;
  return what;
}

/** `value` as a number obeying `rule`, or undefined when it does not. */
function checkNumber(value: string | number, rule: NumberOptionRule): number | undefined {
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) return undefined;
  if (rule.integer && !Number.isInteger(n)) return undefined;
  if (rule.min !== undefined && (n < rule.min || (rule.exclusiveMin && n === rule.min))) return undefined;
  if (rule.max !== undefined && n > rule.max) return undefined;
  return n;
}

const quote = (v: string) => `'${v}'`;

// ---------------------------------------------------------------- commander argument parsers

/** Parser of an integer option: `.option('--k <n>', 'k-mer length', intArg({ min: 1 }), 6)`. */
export function intArg(rule: Omit<NumberOptionRule, 'integer'> = {}): (value: string) => number {
  return numberArg({ ...rule, integer: true });
}

/** Parser of a number option. */
export function numberArg(rule: NumberOptionRule = {}): (value: string) => number {
  return (value) => {
    const n = checkNumber(value, rule);
    if (n === undefined) throw new InvalidArgumentError(`expected ${describeRule(rule)}`);
    return n;
  };
}

/** Parser of an option taking one of a fixed set of words. */
export function choiceArg<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${choices.map(quote).join(', ')}`);
    return value as T;
  };
}

/** Parser of a comma-separated list of `count` numbers (`--mean 0.48,0.46,0.41`). */
export function numberListArg(count: number, rule: NumberOptionRule = {}): (value: string) => number[] {
  return (value) => {
    const parts = value.split(',');
    const nums = parts.map((p) => checkNumber(p.trim(), rule));
    if (parts.length !== count || nums.some((n) => n === undefined)) {
      throw new InvalidArgumentError(
        `expected ${count} comma-separated numbers${rule.min !== undefined || rule.max !== undefined ? `, each ${describeRule(rule).replace(/^a number /, '')}` : ''}`,
      );
    }
    return nums as number[];
  };
}

/** Parser of a comma-separated list of words from a fixed set (`--only stats,clean`); duplicates removed. */
export function choiceListArg<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    const bad = items.filter((s) => !(choices as readonly string[]).includes(s));
    if (bad.length || !items.length)
      throw new InvalidArgumentError(
        `${bad.length ? `unknown ${bad.map(quote).join(', ')}; ` : ''}expected a comma-separated list of ${choices.map(quote).join(', ')}`,
      );
    return [...new Set(items)] as T[];
  };
}

/** Parser of a file or folder path: not empty, no NUL byte (which every file system refuses). */
export function pathArg(value: string): string {
  if (value === '' || value.includes('\0')) throw new InvalidArgumentError('expected a file or folder path');
  return value;
}

/** Commander reducer for repeatable path options (`--embeddings a.npy --embeddings b.npy`). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, pathArg(v)];

// ---------------------------------------------------------------- checks in an action

/** `value` as a number (undefined when the option was not given), or a UsageError naming the option. */
export function numberOption(
  name: string,
  value: string | number | undefined,
  rule: NumberOptionRule = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = checkNumber(value, rule);
  if (n === undefined) throw new UsageError(`expected ${describeRule(rule)}, got '${value}'`, `--${name}`);
  return n;
}

/** `value` if it is one of `choices` (undefined when not given), or a UsageError listing them. */
export function choiceOption<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`expected one of ${choices.map(quote).join(', ')}, got '${value}'`, `--${name}`);
  return value as T;
}

/** `value` as `count` numbers (undefined when not given), or a UsageError. */
export function numberListOption(
  name: string,
  value: string | number[] | undefined,
  count: number,
  rule: NumberOptionRule = {},
): number[] | undefined {
  if (value === undefined || Array.isArray(value)) return value;
  try {
    return numberListArg(count, rule)(value);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}, got '${value}'`, `--${name}`);
  }
}
