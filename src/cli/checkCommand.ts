// `mlx-nuts check <model file>`: gradient tables against finite differences and the engine comparison; exit 1 on failure.
import { Command, InvalidArgumentError } from 'commander';
import { check } from '../check/check.ts';
import type { Model } from '../model/model.ts';

interface CheckCliOptions {
  epsilon: number; error: number; seed: number; points: number; engines?: string[]; tolerance32?: number; tolerance64?: number;
  finiteDiff: boolean; nodes: 'failure' | 'always'; json: boolean;
}

function positive(name: string) {
  return (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !(x > 0) || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'`);
    return x;
  };
}

function count(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

/** Float64Arrays as plain arrays, so that the result prints as JSON. */
function jsonReplacer(_k: string, v: unknown): unknown {
  return ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

export function runCheck(m: Model, o: CheckCliOptions): void {
  const r = check(m, {
    epsilon: o.epsilon, errorThreshold: o.error, seed: o.seed, randomPoints: o.points, engines: o.engines,
    tolerance: { ...(o.tolerance32 ? { float32: o.tolerance32 } : {}), ...(o.tolerance64 ? { float64: o.tolerance64 } : {}) },
    finiteDiff: o.finiteDiff, nodeCheck: o.nodes === 'always' ? 'always' : 'onFailure',
  });
  console.log(o.json ? JSON.stringify(r, jsonReplacer, 1) : r.toString());
  if (!r.ok) process.exitCode = 1;
}

/** Adds the `check` subcommand; `load` reads a model file as `sample` does. */
export function registerCheckCommand(program: Command, load: (file: string) => Promise<Model>): Command {
  return program.command('check <model>')
    .description("check a model file's log density: the gradient against finite differences (like CmdStan's diagnose) " +
      'and every available engine against the float64 reference, naming the first node that differs')
    .option('--epsilon <x>', 'finite-difference step', positive('epsilon'), 1e-6)
    .option('--error <x>', 'finite-difference error threshold', positive('error'), 1e-6)
    .option('--seed <n>', 'seed of the random points', count('seed'), 1)
    .option('--points <n>', 'random points besides the initial one', count('points'), 2)
    .option('--engines <list>', "comma-separated engines to compare, e.g. 'mlx' or 'mlx:float32' (default: all available)",
      (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--tolerance32 <x>', 'tolerance for float32 engines (default √u ≈ 2.4e-4)', positive('tolerance32'))
    .option('--tolerance64 <x>', 'tolerance for float64 engines (default √u ≈ 1.1e-8)', positive('tolerance64'))
    .option('--no-finite-diff', 'skip the finite-difference test')
    .option('--nodes <when>', "node-by-node cross-check: 'failure' (only for failed comparisons) or 'always'", (v: string) => {
      if (v !== 'failure' && v !== 'always') throw new InvalidArgumentError(`nodes must be 'failure' or 'always', got '${v}'`);
      return v;
    }, 'failure')
    .option('--json', 'print the result as JSON instead of tables')
    .action(async (file: string, o: CheckCliOptions) => runCheck(await load(file), o));
}
