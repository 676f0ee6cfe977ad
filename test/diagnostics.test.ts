// Diagnostics against the R package posterior (fixtures made by test/fixtures/diagnostics/make-fixtures.R), plus E-BFMI by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  autocorrelation, autocovariance, autocovarianceSum, ebfmi, ebfmiPerChain, essBasic, essBulk, essMean, essQuantile, essSd, essTail,
  mcseMean, mcseQuantile, mcseSd, median, qbeta, quantile2, rhat, rhatBasic, splitChains, summarize,
} from '../src/diagnostics/index.ts';

/** The requirement: "matching the R posterior package … compared in tests to 1e-8" (relative). */
const REL_TOL = 1e-8;

type Encoded = number | string | null;
interface FixtureCase {
  name: string;
  description: string;
  chains: Encoded[][];
  expected: Record<string, Encoded | Encoded[]>;
}
interface Fixtures {
  posterior_version: string;
  cases: FixtureCase[];
  qbeta: { p: number[]; a: number[]; b: number[]; q: number[] };
}

const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/diagnostics/posterior-fixtures.json', import.meta.url), 'utf8'),
) as Fixtures;

/** The fixture encoding: R's NA is null, and Inf, -Inf, NaN are strings. NA and NaN both become NaN. */
function decode(v: Encoded): number {
  if (v === null || v === 'NaN') return NaN;
  if (v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (typeof v !== 'number') throw new Error(`bad fixture value ${String(v)}`);
  return v;
}

const chainsOf = (c: FixtureCase): Float64Array[] => c.chains.map((chain) => Float64Array.from(chain, decode));
const expected = (c: FixtureCase, key: string): number => decode(c.expected[key] as Encoded);

/** NaN matches NaN (posterior's NA), ±Inf matches itself, finite values match to REL_TOL relative. */
function expectMatch(actual: number, want: number, label: string): void {
  if (Number.isNaN(want)) {
    expect(actual, `${label}: posterior gives NA/NaN`).toBeNaN();
    return;
  }
  if (!Number.isFinite(want)) {
    expect(actual, label).toBe(want);
    return;
  }
  expect(Number.isFinite(actual), `${label}: got ${actual}, posterior ${want}`).toBe(true);
  const err = Math.abs(actual - want);
  expect(err, `${label}: got ${actual}, posterior ${want}`).toBeLessThanOrEqual(REL_TOL * Math.max(Math.abs(want), Math.abs(actual)));
}

/** Every diagnostic the fixtures hold, by the posterior call that produced it. */
const DIAGNOSTICS: Record<string, (chains: Float64Array[]) => number> = {
  rhat: (c) => rhat(c),
  rhat_basic: (c) => rhatBasic(c),
  rhat_basic_nosplit: (c) => rhatBasic(c, false),
  ess_bulk: (c) => essBulk(c),
  ess_tail: (c) => essTail(c),
  ess_basic: (c) => essBasic(c),
  ess_basic_nosplit: (c) => essBasic(c, false),
  ess_mean: (c) => essMean(c),
  ess_sd: (c) => essSd(c),
  ess_q05: (c) => essQuantile(c, 0.05),
  ess_q50: (c) => essQuantile(c, 0.5),
  ess_q95: (c) => essQuantile(c, 0.95),
  mcse_mean: (c) => mcseMean(c),
  mcse_sd: (c) => mcseSd(c),
  mcse_q05: (c) => mcseQuantile(c, 0.05),
  mcse_q50: (c) => mcseQuantile(c, 0.5),
  mcse_q95: (c) => mcseQuantile(c, 0.95),
  q5: (c) => quantile2(c, [0.05])[0]!,
  q50: (c) => quantile2(c, [0.5])[0]!,
  q95: (c) => quantile2(c, [0.95])[0]!,
  median: (c) => median(c.flatMap((chain) => [...chain])),
};

describe('fixtures', () => {
  it('come from posterior and cover the edge cases', () => {
    expect(fixtures.posterior_version).toMatch(/^\d+\.\d+\.\d+$/);
    const names = fixtures.cases.map((c) => c.name);
    for (const name of ['iid_normal', 'ar1_rho09', 'cauchy', 'shifted_chain', 'short_2x10', 'constant', 'with_inf', 'with_nan']) {
      expect(names).toContain(name);
    }
    // The shifted chain must really be flagged, and the constant case really NA.
    const shifted = fixtures.cases.find((c) => c.name === 'shifted_chain')!;
    expect(expected(shifted, 'rhat')).toBeGreaterThan(1.3);
    expect(expected(fixtures.cases.find((c) => c.name === 'constant')!, 'rhat')).toBeNaN();
  });
});

describe.each(fixtures.cases.map((c) => [c.name, c] as const))('posterior fixture %s', (_name, fixture) => {
  const chains = chainsOf(fixture);

  it.each(Object.keys(DIAGNOSTICS))('%s matches posterior', (key) => {
    expectMatch(DIAGNOSTICS[key]!(chains), expected(fixture, key), `${fixture.name}.${key}`);
  });

  it('summarize matches posterior field by field', () => {
    const row = summarize(fixture.name, chains);
    expect(row.name).toBe(fixture.name);
    const fields: [keyof typeof row, string][] = [
      ['mean', 'mean'], ['sd', 'sd'], ['mcseMean', 'mcse_mean'], ['mcseSd', 'mcse_sd'], ['q5', 'q5'], ['q50', 'q50'],
      ['q95', 'q95'], ['essBulk', 'ess_bulk'], ['essTail', 'ess_tail'], ['rhat', 'rhat'],
    ];
    for (const [field, key] of fields) expectMatch(row[field] as number, expected(fixture, key), `${fixture.name}.summary.${field}`);
  });

  if (fixture.expected.acov_chain1 !== undefined) {
    it('autocovariance of chain 1 matches posterior:::autocovariance at every lag', () => {
      const want = (fixture.expected.acov_chain1 as Encoded[]).map(decode);
      const got = autocovariance(chains[0]!);
      expect(got.length).toBe(want.length);
      // Lags whose autocovariance is near zero carry FFT rounding of order 1e-16·acov[0]: the scale is acov[0].
      const scale = Math.abs(want[0]!);
      for (let t = 0; t < want.length; t++) {
        expect(Math.abs(got[t]! - want[t]!), `lag ${t}`).toBeLessThanOrEqual(REL_TOL * Math.max(Math.abs(want[t]!), scale));
      }
    });
  }
});

describe('qbeta', () => {
  it("matches R's qbeta on the grid mcse_quantile uses", () => {
    const { p, a, b, q } = fixtures.qbeta;
    expect(q.length).toBeGreaterThan(100);
    q.forEach((want, i) => expectMatch(qbeta(p[i]!, a[i]!, b[i]!), want, `qbeta(${p[i]}, ${a[i]}, ${b[i]})`));
  });

  it('handles its boundary and invalid arguments', () => {
    expect(qbeta(0, 2, 3)).toBe(0);
    expect(qbeta(1, 2, 3)).toBe(1);
    // log B(1, 1) from the Lanczos lgamma (src/math/special.ts, relative error ~1e-15) is −9e-16, not 0
    expect(qbeta(0.5, 1, 1)).toBeCloseTo(0.5, 14); // uniform
    expect(qbeta(0.3, 2, 1)).toBeCloseTo(Math.sqrt(0.3), 14); // Beta(2, 1): F(x) = x²
    expect(qbeta(0.5, NaN, 1)).toBeNaN();
    expect(qbeta(1.5, 1, 1)).toBeNaN();
  });
});

describe('E-BFMI', () => {
  it('equals a hand computation: Σ(E_n − E_{n−1})² / Σ(E_n − Ē)²', () => {
    // E = 1, 2, 4, 3: jumps 1, 2, −1 → 1 + 4 + 1 = 6; Ē = 2.5, deviations −1.5, −0.5, 1.5, 0.5 → 5.
    expect(ebfmi(Float64Array.of(1, 2, 4, 3))).toBe(6 / 5);
    // E = 10, 10, 13, 7, 10: jumps 0, 3, −6, 3 → 54; Ē = 10, deviations 0, 0, 3, −3, 0 → 18.
    expect(ebfmi([10, 10, 13, 7, 10])).toBe(3);
  });

  it('equals a direct two-pass evaluation on a long series', () => {
    const energy = chainsOf(fixtures.cases.find((c) => c.name === 'cauchy')!)[0]!;
    let jumps = 0;
    for (let i = 1; i < energy.length; i++) jumps += (energy[i]! - energy[i - 1]!) ** 2;
    const m = energy.reduce((s, v) => s + v, 0) / energy.length;
    const devs = energy.reduce((s, v) => s + (v - m) ** 2, 0);
    expect(Math.abs(ebfmi(energy) - jumps / devs)).toBeLessThanOrEqual(1e-12 * (jumps / devs));
  });

  it('is near 2 for independent energies and near 2(1 − ρ) for an AR(1) series', () => {
    const iid = chainsOf(fixtures.cases.find((c) => c.name === 'iid_normal')!);
    const ar = chainsOf(fixtures.cases.find((c) => c.name === 'long_ar1')!); // ρ = 0.98
    const perChainIid = ebfmiPerChain(iid);
    expect(perChainIid.length).toBe(4);
    for (const v of perChainIid) expect(Math.abs(v - 2)).toBeLessThan(0.4);
    for (const v of ebfmiPerChain(ar)) {
      expect(v).toBeLessThan(0.1); // well below the 0.3 threshold: the low-E-BFMI warning would fire
      expect(v).toBeGreaterThan(0.01);
    }
  });

  it('is NaN for constant, too short or non-finite energies, and rejects a bad argument', () => {
    expect(ebfmi(new Float64Array(10).fill(3))).toBeNaN();
    expect(ebfmi([1])).toBeNaN();
    expect(ebfmi([1, 2, NaN, 4])).toBeNaN();
    expect(ebfmi([1, 2, Infinity, 4])).toBeNaN();
    expect(() => ebfmiPerChain([])).toThrow(/^\[ebfmiPerChain\] energyByChain/);
  });
});

describe('split chains (posterior .split_chains)', () => {
  const chain = (...v: number[]) => Float64Array.from(v);
  it('halves even chains and drops the middle draw of odd ones', () => {
    expect(splitChains([chain(1, 2, 3, 4), chain(5, 6, 7, 8)]).map((c) => [...c])).toEqual([[1, 2], [5, 6], [3, 4], [7, 8]]);
    expect(splitChains([chain(1, 2, 3, 4, 5)]).map((c) => [...c])).toEqual([[1, 2], [4, 5]]);
  });
  it('keeps one-draw chains and reproduces R dropping dimensions for 2 or 3 draws', () => {
    expect(splitChains([chain(1), chain(2)]).map((c) => [...c])).toEqual([[1], [2]]);
    expect(splitChains([chain(1, 2, 3), chain(4, 5, 6), chain(7, 8, 9)]).map((c) => [...c])).toEqual([[1, 4, 7], [3, 6, 9]]);
  });
});

describe('properties and input checks', () => {
  const iid = chainsOf(fixtures.cases.find((c) => c.name === 'iid_normal')!);

  it('bulk ESS and bulk R-hat are invariant under a strictly increasing transform (ranks only)', () => {
    const transformed = iid.map((c) => c.map((v) => Math.exp(3 * v) + 7));
    expect(essBulk(transformed)).toBe(essBulk(iid));
  });

  it('autocorrelation starts at 1 and the autocovariance at lag 0 is the biased variance', () => {
    const x = iid[0]!;
    expect(autocorrelation(x)[0]).toBe(1);
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    const biased = x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length;
    expect(Math.abs(autocovariance(x)[0]! - biased)).toBeLessThan(1e-14);
    expect([...autocovariance(new Float64Array(5).fill(2))]).toEqual([0, 0, 0, 0, 0]);
  });

  it('autocovarianceSum equals the sum of the chains\' autocovariances at every lag (a constant chain adds 0, a NaN makes all NaN)', () => {
    const chains = [...iid.slice(0, 3), new Float64Array(iid[0]!.length).fill(4)];
    const got = autocovarianceSum(chains);
    const want = new Float64Array(chains[0]!.length);
    for (const c of chains) autocovariance(c).forEach((v, t) => (want[t] += v));
    // the two differ by FFT rounding, of order 1e-16 of the lag-0 value
    for (let t = 0; t < want.length; t++) expect(Math.abs(got[t]! - want[t]!)).toBeLessThan(1e-13 * want[0]!);
    const withNaN = [iid[0]!, Float64Array.from(iid[1]!, (v, i) => (i === 7 ? NaN : v))];
    expect(autocovarianceSum(withNaN).every(Number.isNaN)).toBe(true);
  });

  it('rejects malformed draws with a message naming the function and the argument', () => {
    expect(() => rhat([])).toThrow(/^\[rhat\] chains must be a non-empty array/);
    expect(() => essBulk([Float64Array.of(1, 2, 3), Float64Array.of(1, 2)])).toThrow(/^\[essBulk\] chains must all have the same length/);
    expect(() => mcseMean([[1, 2, 3] as unknown as Float64Array])).toThrow(/^\[mcseMean\] chains\[0\] must be a Float64Array/);
    expect(() => summarize('x', [new Float64Array(0)])).toThrow(/^\[summarize\] chains hold no draws/);
    expect(() => essQuantile(iid, 1.5)).toThrow(/^\[essQuantile\] prob must be a number in \[0, 1\]/);
    expect(() => mcseQuantile(iid, -0.1)).toThrow(/^\[mcseQuantile\] prob/);
    expect(() => quantile2(iid, [NaN])).toThrow(/^\[quantile2\] prob/);
  });

  it('essQuantile at prob = 1 uses (S − 0.5)/S as posterior does, so it is defined', () => {
    expect(Number.isFinite(essQuantile(iid, 1))).toBe(true);
  });
});
