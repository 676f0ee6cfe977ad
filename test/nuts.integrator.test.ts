// The leapfrog on analytic systems: a Gaussian's Hamiltonian flow is known in closed form, so the integrator's
// order (energy and position errors fall as ε²), its reversibility and its metric handling can be checked exactly.
// Every implementation runs the same checks: the TypeScript leapfrog over the reference density, and MLX's native
// trajectory (one call per trajectory), which is also compared with the TypeScript leapfrog state by state (they agree
// bit for bit here; the bound is 1e-12). The fused C++ kernel's leapfrog is checked draw for draw against the
// TypeScript transition in test/engine.fused.test.ts.
import { describe, expect, test } from 'vitest';
import type { Density } from '../src/backend/density.ts';
import { logDensitySync } from '../src/backend/logDensity.ts';
import { makeMetric, unitMetric, type Metric } from '../src/kernel/metric.ts';
import { model } from '../src/model/model.ts';
import { Normal } from '../src/distributions/index.ts';
import { hasTrajectory, leapfrogs } from '../src/nuts/integrator.ts';

/** Independent normals with these scales: logp(q) = −Σ q²/(2σ²) + const, a harmonic oscillator per coordinate. */
const SIGMA = [1, 0.5];
const gaussian = model('integrator_gaussian', (m) => {
  m.param('a', Normal(0, SIGMA[0]!));
  m.param('b', Normal(0, SIGMA[1]!));
});

const IMPLEMENTATIONS: { name: string; make: () => Density; native: boolean }[] = [
  { name: 'TypeScript leapfrog, reference density', make: () => logDensitySync(gaussian, { backend: 'reference' }), native: false },
  { name: 'MLX trajectory (float64)', make: () => logDensitySync(gaussian, { backend: 'mlx', dtype: 'float64' }), native: true },
];

const q0 = Float64Array.of(0.8, -0.3);
const p0 = Float64Array.of(-0.4, 1.1);

/** Runs `steps` leapfrog steps of size eps from (q0, p0); returns the trajectory. */
function run(d: Density, eps: number, steps: number, metric: Metric, q = q0, p = p0) {
  const { grad } = d.logpGrad(q);
  return leapfrogs(d, q, p, grad, Float64Array.of(eps), [metric], steps, 1);
}

/** H = −logp + ½ pᵀM⁻¹p at step s (M⁻¹ diagonal or dense, as in src/kernel/metric.ts). */
function energy(logp: number, p: Float64Array, metric: Metric): number {
  const n = p.length;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (metric.kind === 'dense') for (let j = 0; j < n; j++) k += p[i]! * metric.invMetric[i * n + j]! * p[j]!;
    else k += p[i]! * metric.invMetric[i]! * p[i]!;
  }
  return -logp + 0.5 * k;
}

/** The exact flow of a diagonal Gaussian with a diagonal metric at time t (ω = √(m⁻¹)/σ per coordinate). */
function exact(t: number, invMetric: readonly number[]): Float64Array {
  return Float64Array.from(q0, (q, i) => {
    const w = Math.sqrt(invMetric[i]!) / SIGMA[i]!;
    return q * Math.cos(w * t) + (invMetric[i]! * p0[i]! / w) * Math.sin(w * t);
  });
}

for (const impl of IMPLEMENTATIONS) {
  describe(`leapfrog on a Gaussian: ${impl.name}`, () => {
    const d = impl.make();
    if (impl.native) test('is the native trajectory', () => expect(hasTrajectory(d)).toBe(true));

    test('energy error and position error fall as ε² at a fixed time (second order)', () => {
      const metric = makeMetric('diag', Float64Array.of(1.3, 0.7));
      const T = 1.6;
      const errs = [0.08, 0.04, 0.02].map((eps) => {
        const steps = Math.round(T / eps);
        const t = run(d, eps, steps, metric);
        const H0 = energy(d.logpGrad(q0).logp, p0, metric);
        let dH = 0;
        for (let s = 0; s < steps; s++) dH = Math.max(dH, Math.abs(energy(t.logp[s]!, t.p.subarray(2 * s, 2 * s + 2), metric) - H0));
        const want = exact(T, [1.3, 0.7]);
        const dq = Math.hypot(t.q[2 * (steps - 1)]! - want[0]!, t.q[2 * (steps - 1) + 1]! - want[1]!);
        return { dH, dq };
      });
      for (let k = 1; k < errs.length; k++) {
        // halving ε divides both errors by 4 (2² for a second-order method) up to higher-order terms
        expect(errs[k - 1]!.dH / errs[k]!.dH).toBeGreaterThan(3.6);
        expect(errs[k - 1]!.dH / errs[k]!.dH).toBeLessThan(4.4);
        expect(errs[k - 1]!.dq / errs[k]!.dq).toBeGreaterThan(3.6);
        expect(errs[k - 1]!.dq / errs[k]!.dq).toBeLessThan(4.4);
      }
      expect(errs[0]!.dH).toBeGreaterThan(1e-4); // the errors are real, not rounding
      expect(errs[2]!.dH).toBeLessThan(1e-2);
    });

    test('is reversible: n steps, flip the momentum, n steps back to the start', () => {
      for (const metric of [unitMetric('diag', 2), makeMetric('dense', Float64Array.of(1.2, 0.3, 0.3, 0.6))]) {
        const n = 37;
        const fwd = run(d, 0.11, n, metric);
        const q1 = fwd.q.slice(2 * (n - 1), 2 * n);
        const p1 = fwd.p.slice(2 * (n - 1), 2 * n).map((x) => -x);
        const back = run(d, 0.11, n, metric, q1, p1);
        for (let i = 0; i < 2; i++) {
          expect(Math.abs(back.q[2 * (n - 1) + i]! - q0[i]!)).toBeLessThan(1e-12);
          expect(Math.abs(-back.p[2 * (n - 1) + i]! - p0[i]!)).toBeLessThan(1e-12);
        }
        // a negative step size integrates backward: the same as flipping the momentum twice
        const neg = run(d, -0.11, n, metric, q1, fwd.p.slice(2 * (n - 1), 2 * n));
        expect(Math.abs(neg.q[2 * (n - 1)]! - q0[0]!)).toBeLessThan(1e-12);
      }
    });

    test('a dense metric conserves the energy like a diagonal one (bounded error, order 2)', () => {
      const metric = makeMetric('dense', Float64Array.of(1.2, 0.3, 0.3, 0.6));
      const dH = [0.1, 0.05].map((eps) => {
        const steps = Math.round(2 / eps);
        const t = run(d, eps, steps, metric);
        const H0 = energy(d.logpGrad(q0).logp, p0, metric);
        let m = 0;
        for (let s = 0; s < steps; s++) m = Math.max(m, Math.abs(energy(t.logp[s]!, t.p.subarray(2 * s, 2 * s + 2), metric) - H0));
        return m;
      });
      expect(dH[0]! / dH[1]!).toBeGreaterThan(3.5);
      expect(dH[0]! / dH[1]!).toBeLessThan(4.5);
    });
  });
}

describe('the native trajectory against the TypeScript leapfrog', () => {
  test("MLX's trajectory (float64) walks the TypeScript leapfrog's states over the same density: 3 chains, diagonal and dense", () => {
    const d = logDensitySync(gaussian, { backend: 'mlx', dtype: 'float64' });
    expect(hasTrajectory(d)).toBe(true);
    // the same density without its trajectory(): leapfrogs() steps in TypeScript, one batched gradient call per step
    const plain: Density = {
      dim: d.dim, backend: d.backend, dtype: d.dtype, logpGrad: (q) => d.logpGrad(q),
      logpGradBatch: (q, chains, logp, grad) => d.logpGradBatch(q, chains, logp, grad), dispose: () => {},
    };
    expect(hasTrajectory(plain)).toBe(false);
    const chains = 3;
    const q = Float64Array.of(0.8, -0.3, -1.1, 0.4, 0.2, 0.9);
    const p = Float64Array.of(-0.4, 1.1, 0.7, -0.2, 1.5, 0.3);
    const eps = Float64Array.of(0.1, -0.07, 0.13); // a negative step integrates backward
    const rel = (a: Float64Array, b: Float64Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.max(1, Math.abs(b[i]!))));
    const g = d.logpGradBatch(q, chains).grad;
    const steps = 25;
    const dense = (a: number, b: number, c: number) => makeMetric('dense', Float64Array.of(a, b, b, c));
    // one metric kind per batch (the native call's rule), each chain its own metric
    for (const metrics of [[unitMetric('diag', 2), makeMetric('diag', Float64Array.of(1.3, 0.7)), makeMetric('diag', Float64Array.of(0.5, 2))],
      [dense(1.2, 0.3, 0.6), dense(1, 0, 1), dense(0.8, -0.2, 1.4)]]) {
      const native = leapfrogs(d, q, p, g, eps, metrics, steps, chains);
      const ts = leapfrogs(plain, q, p, g, eps, metrics, steps, chains);
      for (const k of ['q', 'p', 'grad', 'logp'] as const) {
        expect(native[k]).toHaveLength(ts[k].length);
        expect(rel(native[k], ts[k]), `${metrics[0]!.kind} ${k}`).toBeLessThan(1e-12);
      }
      expect(rel(ts.q.subarray((steps - 1) * 6), q)).toBeGreaterThan(0.1); // the chains moved
    }
  });
});
