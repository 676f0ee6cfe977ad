// sample({ keep: 'summary' }): per-chain moments folded as sampling runs (src/fit/chainSummaries.ts) give what the
// draws of the same run give, memory stays one window of draws, and the summary's MCSE agrees with the draws' own.
import { describe, expect, test } from 'vitest';
import { ebfmi, model, Normal, sample, HalfNormal } from 'mlx-nuts';
import { rhatFromMoments } from '../src/diagnostics/rhat.ts';
import { MIN_CHAINS } from '../src/fit/chainSummaries.ts';

const m = model('keep_summary', (b) => {
  const mu = b.param('mu', Normal(1, 2));
  const s = b.param('s', HalfNormal(1));
  b.param('z', Normal(mu, s), { shape: [3] });
});

/** Moments of one column from the draws: per-chain means, pooled mean and sd, variance of means, mean of variances. */
function fromDraws(chains: Float64Array[]) {
  const n = chains[0]!.length;
  const means = chains.map((c) => c.reduce((a, b) => a + b, 0) / n);
  const mu = means.reduce((a, b) => a + b, 0) / chains.length;
  const all = chains.flatMap((c) => Array.from(c));
  const sd = Math.sqrt(all.reduce((a, x) => a + (x - mu) ** 2, 0) / (all.length - 1));
  const varOfMeans = means.reduce((a, x) => a + (x - mu) ** 2, 0) / (chains.length - 1);
  const meanOfVars = chains.reduce((a, c, k) => a + c.reduce((s, x) => s + (x - means[k]!) ** 2, 0) / (n - 1), 0) / chains.length;
  return { mu, sd, varOfMeans, meanOfVars };
}

describe("sample({ keep: 'summary' })", () => {
  for (const thin of [1, 3]) {
    test(`thin ${thin}: the same run's draws give the same means, sds, R-hat, divergences and E-BFMI; the fit holds no draws`, async () => {
      const opts = { chains: 6, warmup: 150, seed: 11, thin };
      const draws = await sample(m, 900, opts);
      const summ = await sample(m, 900, { ...opts, keep: 'summary' });
      expect(summ.data.chainSummaries!.draws).toBe(draws.numDraws);
      expect(draws.numDraws).toBe(Math.ceil(900 / thin)); // more than one window of 256 kept draws
      const rows = summ.summary();
      expect(rows.map((r) => r.name)).toEqual([...draws.columns]);
      for (const r of rows) {
        const ref = fromDraws(draws.draws(r.name));
        expect(r.mean).toBeCloseTo(ref.mu, 12);
        expect(r.sd).toBeCloseTo(ref.sd, 12);
        expect(r.rhat).toBeCloseTo(rhatFromMoments(draws.numDraws, ref.varOfMeans, ref.meanOfVars), 10);
        expect(r.mcseMean).toBeCloseTo(Math.sqrt(ref.varOfMeans / 6), 12);
        expect(Number.isNaN(r.q50) && Number.isNaN(r.essTail)).toBe(true);
      }
      expect(summ.divergences()).toEqual(draws.divergences());
      summ.ebfmi().forEach((e, k) => expect(e).toBeCloseTo(ebfmi(draws.data.stats[k]!.energy__), 10));
      expect(summ.warningList().map((w) => w.kind)).not.toContain('nodraws');
      expect(summ.noDraws).toBeNull();
      expect(summ.data.values.every((c) => c.every((v) => v.length === 0))).toBe(true);
      expect(summ.data.warmupStats.every((s) => s.lp__.length === 0)).toBe(true); // nor per-iteration warmup statistics
      expect(() => summ.draws('mu')).toThrow(/kept per-chain summaries only \(sample's keep: 'summary'\)/);
      expect(summ.summaryTable()).toContain('mu');
    }, 120_000);
  }

  test('with many chains the MCSE of the mean from chain means agrees with the draws\' own MCSE (within 4 of its relative standard errors)', async () => {
    const chains = 64;
    const opts = { chains, warmup: 200, seed: 3 };
    const summ = await sample(m, 400, { ...opts, keep: 'summary' });
    const draws = await sample(m, 400, opts);
    // the batch-means variance from K chain means has a relative sd of about √(2/(K − 1)); the MCSE, half that
    const tol = 4 * Math.sqrt(2 / (chains - 1)) / 2;
    const ref = draws.summary();
    for (const r of summ.summary()) {
      const d = ref.find((x) => x.name === r.name)!;
      expect(Math.abs(r.mcseMean / d.mcseMean - 1)).toBeLessThan(tol);
      expect(Math.abs(r.mean - d.mean)).toBeLessThan(1e-9 * Math.max(1, Math.abs(d.mean)));
    }
  }, 120_000);

  test('too few chains for a between-chain estimate: mean and sd, NaN MCSE, ESS and R-hat', async () => {
    const fit = await sample(m, 100, { chains: MIN_CHAINS - 1, warmup: 100, seed: 2, keep: 'summary' });
    const r = fit.summary()[0]!;
    expect(Number.isFinite(r.mean) && Number.isFinite(r.sd)).toBe(true);
    expect([r.mcseMean, r.essBulk, r.rhat].every(Number.isNaN)).toBe(true);
  }, 60_000);

  test('bad keep options are refused before sampling, naming the option', async () => {
    await expect(sample(m, 10, { keep: 'all' as never })).rejects.toThrow(/keep must be 'draws' or 'summary', got "all"/);
    await expect(sample(m, 10, { keep: 'summary', saveWarmup: true })).rejects.toThrow(/keep: 'summary' keeps no draws, so it cannot saveWarmup/);
    await expect(sample(m, 10, { keep: 'summary', resume: '/tmp/nowhere' })).rejects.toThrow(/keep: 'summary' cannot resume/);
  });
});
