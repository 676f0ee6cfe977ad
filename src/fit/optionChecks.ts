// Checks of sample()'s options whose errors say what was received: "[sample] seed must be an integer, got the string '42'".
import { OptionError } from '../base/errors.ts';
import { describeValue } from '../model/pointValues.ts';

/** An integer ≥ min (a number, not a numeric string). */
export function integerOption(fn: string, name: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new OptionError(`[${fn}] ${name} must be an integer, got ${describeValue(v)}`);
  if (v < min) throw new OptionError(`[${fn}] ${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/** A finite number in [lo, hi). */
export function numberOption(fn: string, name: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`[${fn}] ${name} must be a finite number, got ${describeValue(v)}`);
  if (!(v >= lo && v < hi)) throw new OptionError(`[${fn}] ${name} must be in [${lo}, ${hi}), got ${v}`);
  return v;
}

/** One of a few strings. */
export function choiceOption<T extends string>(fn: string, name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new OptionError(`[${fn}] ${name} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${describeValue(v)}`);
  }
  return v as T;
}
