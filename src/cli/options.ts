// Command-line option parsers that say what they received: "seed must be an integer, got 'abc'", never NaN or a silent 0.
import { InvalidArgumentError } from 'commander';

function shown(v: string): string {
  return v.trim() === '' ? `an empty string${v.length > 0 ? ` (${JSON.stringify(v)})` : ''}` : `'${v}'`;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal integer, at least `min`. */
export function intOption(name: string, min = -Infinity) {
  return (v: string): number => {
    if (!INTEGER.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got ${shown(v)}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be an integer below 2^53, got '${v}'`);
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}`);
    return n;
  };
}

/** A decimal number in [lo, hi) (bounds optional). */
export function numberOption(name: string, lo = -Infinity, hi = Infinity) {
  return (v: string): number => {
    if (!DECIMAL.test(v.trim())) throw new InvalidArgumentError(`${name} must be a number, got ${shown(v)}`);
    const x = Number(v);
    if (!(x >= lo && x < hi)) throw new InvalidArgumentError(`${name} must be in [${lo}, ${hi}), got ${x}`);
    return x;
  };
}

/** One of a few words. */
export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (v: string): T => {
    if (!(choices as readonly string[]).includes(v)) {
      throw new InvalidArgumentError(`${name} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${shown(v)}`);
    }
    return v as T;
  };
}

/** A comma-separated list of names ('mu,tau,theta'). */
export function listOption(name: string) {
  return (v: string): string[] => {
    const names = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === 0) throw new InvalidArgumentError(`${name} must be a comma-separated list of names, got ${shown(v)}`);
    return names;
  };
}

/** What `mlx-nuts sample` parsed (defaults: src/base/defaults.ts). */
export interface SampleCliOptions {
  draws: number; warmup: number; chains: number; seed: number; thin: number; saveWarmup: boolean; backend: 'fused' | 'mlx' | 'reference'; dtype?: 'float32' | 'float64';
  device: 'cpu' | 'gpu'; metric: 'diag' | 'dense'; targetAccept: number; maxTreeDepth: number; out?: string; report?: string;
  progress: boolean; overwrite: boolean; vars?: string[]; resume?: string; init?: string;
  metricAdaptation?: 'stan' | 'gradient-diag' | 'low-rank'; adaptation?: 'chain' | 'pooled';
}
