// Uniform(lower, upper): log p(x) = −log(upper − lower) on [lower, upper], −∞ elsewhere.
import { ModelError } from '../base/errors.ts';
import type { Expr, Operand } from '../graph/expr.ts';
import { ge, gt, le, log, lt, where } from '../graph/ops.ts';
import { allOf, batchOf, real, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { ArgChecks } from './argChecks.ts';

/** Uniform(lower, upper) (Stan's uniform); the bounds may be expressions of parameters. CDF: (x − lower)/(upper − lower). */
export function Uniform(lower: Operand, upper: Operand): Distribution {
  const ck = new ArgChecks('Uniform');
  const lo = real('Uniform', 'lower', lower);
  const hi = ck.ordered(lo, real('Uniform', 'upper', upper));
  const cl = lo.constValue;
  const ch = hi.constValue;
  const batchShape = batchOf('Uniform', { lower: lo, upper: hi });
  if (cl && ch) {
    const n = Math.max(cl.length, ch.length);
    for (let i = 0; i < n; i++) {
      const l = cl[cl.length === 1 ? 0 : i]!;
      const u = ch[ch.length === 1 ? 0 : i]!;
      if (!(l < u)) throw new ModelError(`[Uniform] lower must be below upper, got lower ${l} and upper ${u}`);
    }
  }
  const scalarBound = (e: Expr, c: Float64Array | null) => (c && c.length === 1 ? c[0]! : e);
  const width = hi.sub(lo);
  return ck.wrap({
    name: 'Uniform',
    support: { kind: 'interval', lower: scalarBound(lo, cl), upper: scalarBound(hi, ch) },
    batchShape,
    eventShape: [],
    logProb: (x) => where(allOf(ge(x, lo), le(x, hi)), log(width).neg(), -Infinity),
    logCdf: (x) => {
      const xs = where(allOf(gt(x, lo), lt(x, hi)), x, lo.add(hi).mul(0.5));
      return where(le(x, lo), -Infinity, where(ge(x, hi), 0, log(xs.sub(lo)).sub(log(width))));
    },
    logCcdf: (x) => {
      const xs = where(allOf(gt(x, lo), lt(x, hi)), x, lo.add(hi).mul(0.5));
      return where(ge(x, hi), -Infinity, where(le(x, lo), 0, log(hi.sub(xs)).sub(log(width))));
    },
    sample: (rng, at, sh) => scalarDraws('Uniform', rng, at, batchShape, [lo, hi], sh, (r, [l, u]) => l! + (u! - l!) * r.uniform()),
  });
}
