// Every family against scipy/mpmath reference log densities (fixture), on both backends, with finite-difference gradients.
import { afterAll, describe, expect, test } from 'vitest';
import { logDensitySync, type Density } from 'mlx-nuts';
import { caseModel, familyOf, FAMILIES, loadCases, type Case } from './distributions.cases.ts';

const cases = loadCases();

/**
 * Issue 4's tolerances: the reference within 1e-10 relative or 1e-12 absolute; MLX float32 within 1e-5 relative.
 * For float32 the relative error is taken against max(|logp|, 1): a log density near 0 is a sum of O(1) terms
 * (½ log 2π, log σ, a normaliser) each rounded to about 6e-8 absolute, so its relative error is unbounded as it
 * crosses 0 (e.g. −0.015 for a truncated LogNormal). The table printed at the end reports the plain relative errors.
 */
const REF_REL = 1e-10;
const REF_ABS = 1e-12;
const F32_REL = 1e-5;
const f32Err = (a: number, ref: number) => Math.abs(a - ref) / Math.max(Math.abs(ref), 1);
/** Finite differences (5-point stencil, step 1e-4 of each coordinate's scale) agree to this, relative. */
const FD_REL = 1e-6;

interface Row { ref: number; f32: number; f32Input: number; f64: number; fd: number; f32Grad: number; n: number }
const table = new Map<string, Row>();
function record(fam: string, k: keyof Omit<Row, 'n'>, v: number): void {
  const row = table.get(fam) ?? { ref: 0, f32: 0, f32Input: 0, f64: 0, fd: 0, f32Grad: 0, n: 0 };
  row[k] = Math.max(row[k], v);
  table.set(fam, row);
}

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

/** d logp / d q_i by the 5-point stencil (8(f₊₁ − f₋₁) − (f₊₂ − f₋₂))/(12h): error O(h⁴). */
function fdGrad(d: Density, q: Float64Array, scale: (i: number) => number): Float64Array {
  const g = new Float64Array(q.length);
  const f = (i: number, t: number) => {
    const qq = Float64Array.from(q);
    qq[i]! += t;
    return d.logpGrad(qq).logp;
  };
  for (let i = 0; i < q.length; i++) {
    const h = 1e-4 * scale(i);
    g[i] = (8 * (f(i, h) - f(i, -h)) - (f(i, 2 * h) - f(i, -2 * h))) / (12 * h);
  }
  return g;
}

/** Step scale per coordinate: |q_i| (0.1 at 0), never beyond the distance to the support's edge (fixture xScale). */
function scaleFor(c: Case, q: Float64Array): (i: number) => number {
  return (i) => {
    const v = Math.abs(q[i]!) > 0 ? Math.abs(q[i]!) : 0.1;
    return c.xScale ? Math.min(v, c.xScale) : v;
  };
}

describe.each(Object.keys(FAMILIES).filter((id) => cases.some((c) => c.id === id)))('%s', (id) => {
  const mine = cases.filter((c) => c.id === id);

  test(`reference float64 matches the fixture at ${mine.length} points`, () => {
    const bad: string[] = [];
    for (const c of mine) {
      const { model, q } = caseModel(c);
      const lp = logDensitySync(model, { backend: 'reference' }).logpGrad(q).logp;
      const err = rel(lp, c.logp);
      record(familyOf(id), 'ref', err);
      const ok = Math.abs(lp - c.logp) <= Math.max(REF_REL * Math.abs(c.logp), REF_ABS);
      if (!ok) bad.push(`x=${JSON.stringify(c.x)} params=${JSON.stringify(c.params)}: ${lp} vs ${c.logp} (rel ${err.toExponential(2)})`);
    }
    expect(bad).toEqual([]);
  });

  test('reference gradient matches finite differences', () => {
    const bad: string[] = [];
    for (const c of mine) {
      if (c.fd === false) continue; // a kink or a gradient below rounding noise: see the fixture script
      const { model, q, xOffset } = caseModel(c);
      const d = logDensitySync(model, { backend: 'reference' });
      const { logp, grad } = d.logpGrad(q);
      const scale = scaleFor(c, q);
      const fd = fdGrad(d, q, scale);
      let worst = 0;
      grad.forEach((g, i) => {
        if (c.xScale === 0 && i >= xOffset) return; // x sits on the support's edge: no central difference there
        // relative error, beyond the stencil's rounding noise ≈ 1.5·ε·|logp|/h (ε = 2⁻⁵², h = 1e-4·scale)
        const noise = (20 * Number.EPSILON * Math.max(Math.abs(logp), 1)) / (1e-4 * scale(i));
        worst = Math.max(worst, Math.max(0, Math.abs(g - fd[i]!) - noise) / Math.max(Math.abs(g), 1e-300));
      });
      record(familyOf(id), 'fd', worst);
      if (!(worst < FD_REL)) bad.push(`x=${JSON.stringify(c.x)} params=${JSON.stringify(c.params)}: AD ${Array.from(grad)} vs FD ${Array.from(fd)} (${worst.toExponential(2)})`);
    }
    expect(bad).toEqual([]);
  });

  // compiles two MLX densities per fixture point: minutes on a cold JIT kernel cache (first run on a machine)
  test('MLX float32 matches the reference at the float32-rounded point (and float64 matches the fixture)', { timeout: 1_800_000 }, () => {
    const bad: string[] = [];
    for (const c of mine) {
      const { model, q } = caseModel(c);
      const q32 = Float64Array.from(Float32Array.from(q));
      const r32 = logDensitySync(model, { backend: 'reference' }).logpGrad(q32);
      const ref32 = r32.logp;
      const m32 = logDensitySync(model, { backend: 'mlx', dtype: 'float32' });
      const m64 = logDensitySync(model, { backend: 'mlx', dtype: 'float64' });
      const g32 = m32.logpGrad(q);
      const a = g32.logp;
      // gradient (information only): ‖∇f32 − ∇ref‖ / max(‖∇ref‖, 1) at the float32-rounded point
      const dn = Math.hypot(...g32.grad.map((v, i) => v - r32.grad[i]!));
      record(familyOf(id), 'f32Grad', dn / Math.max(Math.hypot(...r32.grad), 1));
      const b = m64.logpGrad(q).logp;
      m32.dispose();
      m64.dispose();
      record(familyOf(id), 'f32', rel(a, ref32));
      record(familyOf(id), 'f32Input', rel(a, c.logp));
      record(familyOf(id), 'f64', rel(b, c.logp));
      if (!(f32Err(a, ref32) < F32_REL)) bad.push(`x=${JSON.stringify(c.x)} params=${JSON.stringify(c.params)}: f32 ${a} vs reference ${ref32} (${rel(a, ref32).toExponential(2)})`);
    }
    expect(bad).toEqual([]);
  });
});

afterAll(() => {
  const fmt = (v: number) => v.toExponential(1).padStart(8);
  const lines = ['family                 ref-vs-fixture  mlx-f32-vs-ref(q32)  mlx-f32-vs-fixture  mlx-f64-vs-fixture  fd-grad   f32-grad'];
  for (const [fam, r] of [...table.entries()].sort()) {
    lines.push(`${fam.padEnd(22)} ${fmt(r.ref)}        ${fmt(r.f32)}             ${fmt(r.f32Input)}            ${fmt(r.f64)}          ${fmt(r.fd)}  ${fmt(r.f32Grad)}`);
  }
  console.log(`max relative errors per family (${cases.length} fixture points)\n${lines.join('\n')}`);
});
