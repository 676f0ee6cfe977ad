// Shared test helpers: relative errors and central finite differences.
import type { Density } from 'mlx-nuts';

export function relErr(a: number, b: number, floor = 1e-12): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

export function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

export function maxRelErrVec(a: Float64Array, b: Float64Array, floor = 1e-3): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return m;
}

/** Central finite-difference gradient of d.logpGrad(q).logp with step h (scaled by |q_i| + 1). */
export function fdGrad(d: Density, q: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const step = h * (Math.abs(q[i]!) + 1);
    const qp = Float64Array.from(q);
    const qm = Float64Array.from(q);
    qp[i]! += step;
    qm[i]! -= step;
    g[i] = (d.logpGrad(qp).logp - d.logpGrad(qm).logp) / (2 * step);
  }
  return g;
}

/** A deterministic point of length n with entries in (-0.7, 0.7). */
export function testPoint(n: number, phase = 1): Float64Array {
  return new Float64Array(n).map((_, i) => 0.7 * Math.sin(phase * (i + 1)));
}
