// Warm start: a run started from an earlier fit takes over its last draws, step sizes and inverse metrics, and with
// little or no warmup reaches the posterior (checked within MCSE-derived tolerances on a badly scaled Normal).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitFromStanCsv, model, Normal, sample, type Fit } from 'mlx-nuts';

// x_i ~ Normal(0, s_i) with scales over four orders of magnitude: a unit metric needs long trees, an adapted one not
const SCALES = [0.01, 0.3, 1, 10, 100];
const scaled = model('scaled', (m) => {
  m.param('x', Normal(0, SCALES), { shape: [SCALES.length] });
});

/** Every coordinate's mean and sd within 5 MCSE of the exact ones (0 and s_i). */
function expectPosterior(fit: Fit, what: string): void {
  fit.summary().forEach((r, i) => {
    const s = SCALES[i]!;
    expect(Math.abs(r.mean), `${what} ${r.name} mean ${r.mean} (mcse ${r.mcseMean})`).toBeLessThan(5 * r.mcseMean);
    expect(Math.abs(r.sd - s), `${what} ${r.name} sd ${r.sd} (mcse ${r.mcseSd})`).toBeLessThan(5 * r.mcseSd);
  });
}

const meanLeapfrogs = (fit: Fit) => {
  const n = fit.data.stats.flatMap((s) => Array.from(s.n_leapfrog__));
  return n.reduce((a, b) => a + b, 0) / n.length;
};

let dir: string;
let first: Fit;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-warm-'));
  first = await sample(scaled, 400, { warmup: 600, chains: 2, seed: 5, output: join(dir, 'first') });
  expectPosterior(first, 'first run');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warmStart', () => {
  it('with warmup 0: the earlier step sizes and inverse metrics are used as they are, from its last draws', async () => {
    const fit = await sample(scaled, 1000, { warmup: 0, chains: 2, seed: 6, warmStart: first });
    fit.data.adaptation.forEach((a, k) => {
      expect(a.stepSize).toBe(first.data.adaptation[k]!.stepSize);
      expect(Array.from(a.invMetric)).toEqual(Array.from(first.data.adaptation[k]!.invMetric));
      expect(fit.data.stats[k]!.stepsize__[0]).toBe(first.data.adaptation[k]!.stepSize);
    });
    expectPosterior(fit, 'warm, warmup 0');
    // the same start without the earlier adaptation (unit metric, searched step size) walks far longer trees
    const cold = await sample(scaled, 200, { warmup: 0, chains: 2, seed: 6, init: lastDraw(first) });
    expect(meanLeapfrogs(cold)).toBeGreaterThan(10 * meanLeapfrogs(fit));
  }, 60_000);

  it('with a short warmup the step size search and windows start from the earlier metric; more chains than before reuse them', async () => {
    const fit = await sample(scaled, 1000, { warmup: 120, chains: 3, seed: 7, warmStart: first });
    expectPosterior(fit, 'warm, warmup 120');
    // the windows re-estimate the metric from this run's draws: close to the earlier one, not equal
    fit.data.adaptation.forEach((a, k) => {
      const earlier = first.data.adaptation[k % 2]!.invMetric;
      a.invMetric.forEach((v, i) => expect(v / earlier[i]!, `chain ${k} coordinate ${i}`).toBeGreaterThan(0.3));
      a.invMetric.forEach((v, i) => expect(v / earlier[i]!, `chain ${k} coordinate ${i}`).toBeLessThan(3));
    });
  }, 60_000);

  it('takes a fit read back from its Stan CSV files (their last draws and adaptation blocks)', async () => {
    const fromCsv = fitFromStanCsv([1, 2].map((c) => join(dir, 'first', `scaled-${c}.csv`)));
    const fit = await sample(scaled, 300, { warmup: 0, chains: 2, seed: 8, warmStart: fromCsv });
    fit.data.adaptation.forEach((a, k) => expect(a.stepSize).toBe(first.data.adaptation[k]!.stepSize));
    expectPosterior(fit, 'warm from CSV');
  }, 60_000);

  it('says what does not fit', async () => {
    const other = model('other', (m) => {
      m.param('y', Normal(0, 1), { shape: [SCALES.length] });
    });
    await expect(sample(other, 10, { warmup: 0, warmStart: first })).rejects.toThrow(/^\[sample\] warmStart: the earlier fit has no column 'y\[0\]' of parameter 'y'/);
    const wider = model('scaled', (m) => {
      m.param('x', Normal(0, 1), { shape: [SCALES.length] });
      m.param('z', Normal(0, 1));
    });
    await expect(sample(wider, 10, { warmup: 0, warmStart: first })).rejects.toThrow(/no column 'z' of parameter 'z'/);
    await expect(sample(scaled, 10, { warmStart: first, init: { x: [0, 0, 0, 0, 0] } })).rejects.toThrow(/give init or warmStart, not both/);
    await expect(sample(scaled, 10, { warmStart: 42 as never })).rejects.toThrow(/warmStart must be a fit/);
  });
});

/** Each chain's last draw as an init object. */
function lastDraw(fit: Fit) {
  return fit.data.values.map((chain) => ({ x: chain.map((c) => c[c.length - 1]!) }));
}
