// Simulation-based calibration (Talts et al. 2018) on a small hierarchical model: ranks of the truth are uniform.
import { describe, expect, test } from 'vitest';
import { HalfNormal, model, Normal, sample, makeRng } from 'mlx-nuts';

/** Regularised upper incomplete gamma Q(a, x) by the series for P (fine for the small a and x of a χ² test). */
function upperGamma(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 1000; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  const lgam = (z: number) => { // Stirling with shift, accurate to ~1e-12 for z ≥ 1
    let s = 0;
    while (z < 10) { s -= Math.log(z); z += 1; }
    return s + (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * z) - 1 / (360 * z ** 3);
  };
  return 1 - Math.exp(a * Math.log(x) - x - lgam(a)) * sum;
}

describe('simulation-based calibration', () => {
  // on the fused engine, which walks the TypeScript oracle's path draw for draw (test/engine.fused.test.ts)
  // with each warmup metric estimator (metricAdaptation): Stan's, and the draw-and-gradient ones
  test.each(['stan', 'gradient-diag', 'low-rank'] as const)('200 replicates: rank uniformity χ² p > 0.001 for every parameter (fused engine, %s adaptation)', async (metricAdaptation) => {
    const J = 4;
    const R = 200;
    const L = 99; // thinned posterior draws per replicate → ranks in 0..99 (10 bins of 10)
    const thin = 3;
    const names = ['mu', 'tau', 'z[0]', 'z[3]'];
    const counts = names.map(() => new Array<number>(10).fill(0));
    for (let r = 0; r < R; r++) {
      const rng = makeRng(777, r);
      const mu = rng.normal();
      const tau = Math.abs(rng.normal());
      const z = Array.from({ length: J }, () => rng.normal());
      const y = z.map((zj) => mu + tau * zj + rng.normal());
      const m = model('sbc_hier', (b) => {
        const muP = b.param('mu', Normal(0, 1));
        const tauP = b.param('tau', HalfNormal(1));
        const zP = b.param('z', Normal(0, 1), { shape: [J] });
        b.observe(Normal(muP.add(tauP.mul(zP)), 1), y);
      });
      const fit = await sample(m, L * thin, { chains: 1, warmup: 200, seed: 1000 + r, backend: 'fused', metricAdaptation });
      const truth: Record<string, number> = { mu, tau, 'z[0]': z[0]!, 'z[3]': z[3]! };
      names.forEach((n, k) => {
        const d = fit.draws(n)[0]!;
        let rank = 0;
        for (let i = thin - 1; i < d.length; i += thin) if (d[i]! < truth[n]!) rank++;
        counts[k]![Math.min(9, Math.floor(rank / 10))]!++;
      });
    }
    names.forEach((n, k) => {
      const expected = R / 10;
      const chi2 = counts[k]!.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      const p = upperGamma(9 / 2, chi2 / 2);
      expect(p, `${n}: bins ${counts[k]!.join(' ')}, χ² = ${chi2.toFixed(1)}`).toBeGreaterThan(0.001);
    });
  }, 600_000);
});
