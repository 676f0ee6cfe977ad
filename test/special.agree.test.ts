// The special functions have one TypeScript home (src/math/special.ts); the generated C++ (src/codegen/prelude.ts)
// and MLX's float64 CPU primitives (native/src/special_prims.cc) are written again in their languages. Here every
// engine's lgamma, digamma, trigamma (as digamma's derivative), erf and log B are held against the TypeScript home on
// every branch: reflection, recurrence, series, continued fraction and asymptotic forms, and both sides of each switch.
import { describe, expect, test } from 'vitest';
import { logDensity } from '../src/backend/logDensity.ts';
import type { BackendName } from '../src/base/types.ts';
import { digamma, digammaDiff, erf, lbeta, lgamma, trigamma } from '../src/math/special.ts';
import { model, Flat } from '../src/index.ts';
import * as M from '../src/graph/ops.ts';

// One point per chain; each column crosses its function's switches (lgamma 0.5 and Lanczos/asymptotic, digamma's
// recurrence below 6, erf's series below 3, log B's asymptotic forms from 10).
const A = [0.1, 0.3, 0.49, 0.51, 1, 2.5, 7.3, 9.99, 10.01, 55, 1234.5, -0.3, -2.5, -7.7];
const B = [-2.3, -0.4, 0.2, 0.5, 1, 3, 5.9, 6, 6.1, 9.99, 10.01, 40, 1e4, 0.001];
const C = [-6, -3.2, -3, -2.99, -0.5, 0, 1e-8, 0.7, 2.99, 3, 3.01, 5, 27, -1e-3];
const D = [0.5, 3, 12, 15, 200, 1000, 9.9, 10.1, 0.01, 2, 10, 50, 7, 1e5];
const E = [0.7, 12, 3, 40, 0.3, 1000, 10.1, 9.9, 0.02, 1e4, 10, 0.5, 7, 2e5];

const special = model('special_agree', (m) => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => m.param(n, Flat()));
  m.factor(M.lgamma(a!).add(M.digamma(b!)).add(M.erf(c!)).add(M.lbeta(d!, e!)));
});

const ENGINES: { backend: BackendName; tol: number }[] = [
  { backend: 'reference', tol: 0 },
  { backend: 'fused', tol: 1e-14 },
  { backend: 'mlx', tol: 1e-14 }, // MLX's erf primitive is std::erf, not the series and fraction written here
];

describe('special functions of every engine against src/math/special.ts (float64)', () => {
  for (const { backend, tol } of ENGINES) {
    test(`${backend}: values and derivatives at ${A.length} points per function`, async () => {
      const d = await logDensity(special, { backend, dtype: 'float64' });
      const n = A.length;
      const q = new Float64Array(n * 5);
      for (let c = 0; c < n; c++) q.set([A[c]!, B[c]!, C[c]!, D[c]!, E[c]!], c * 5);
      const { logp, grad } = d.logpGradBatch(q, n);
      const bad: string[] = [];
      const check = (what: string, got: number, want: number, scale = Math.abs(want)) => {
        if (!(Math.abs(got - want) <= tol * Math.max(1, scale))) bad.push(`${what}: ${got}, TypeScript ${want}`);
      };
      for (let c = 0; c < n; c++) {
        const [a, b, x, p, r] = [A[c]!, B[c]!, C[c]!, D[c]!, E[c]!];
        const terms = [lgamma(a), digamma(b), erf(x), lbeta(p, r)];
        check(`logp at a=${a} b=${b} c=${x} d=${p} e=${r}`, logp[c]!, terms.reduce((s, t) => s + t, 0), terms.reduce((s, t) => s + Math.abs(t), 0));
        check(`digamma(${a}) (lgamma's derivative)`, grad[c * 5]!, digamma(a));
        check(`trigamma(${b}) (digamma's derivative)`, grad[c * 5 + 1]!, trigamma(b));
        check(`erf'(${x})`, grad[c * 5 + 2]!, (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
        check(`d/da log B(${p}, ${r})`, grad[c * 5 + 3]!, digammaDiff(p, r));
        check(`d/db log B(${p}, ${r})`, grad[c * 5 + 4]!, digammaDiff(r, p));
      }
      d.dispose();
      expect(bad).toEqual([]);
    });
  }
});
