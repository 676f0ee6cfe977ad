// The summary of a spread run without its draws (src/distributed/summaryGather.ts): ranks exchange per-column
// statistics only; the rows agree with one process's summary of all chains — exactly for the quantiles, to rounding
// for mean, sd, mcse and ess_tail, within a stated tolerance for ess_bulk and R-hat (ranks interpolated between knots).
import { describe, expect, test } from 'vitest';
import { runCli } from './cliRun.ts';
import { sample } from '../src/nuts/sample.ts';
import { sampleDistributed } from '../src/distributed/sampleDistributed.ts';
import { mergeDigests } from '../src/distributed/spreadWarnings.ts';
import { warningDigest } from '../src/fit/warnings.ts';
import { APPROXIMATE_NOTE, gatherSummary } from '../src/distributed/summaryGather.ts';
import { fromKey, orderStatistics, sortKey } from '../src/distributed/orderStatistics.ts';
import { chainRange } from '../src/distributed/split.ts';
import type { Fit } from '../src/fit/fit.ts';
import eightSchools from '../models/eight_schools.ts';
import { fakeGroups } from './fakeGroups.ts';

/** Each rank's share of a run of `chains` chains, sampled as a part (the chains of one process, bit for bit). */
async function parts(ranks: number, chains: number, draws: number): Promise<Fit[]> {
  const o = { chains, warmup: 200, seed: 4 };
  return Promise.all(Array.from({ length: ranks }, (_, r) => {
    const { first, count } = chainRange(chains, ranks, r);
    return sample(eightSchools, draws, { ...o, chains: count, part: { firstChain: first, totalChains: chains } });
  }));
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('order statistics across ranks', () => {
  test('sortKey orders floats as numbers (−Inf, negatives, −0, +0, positives, +Inf) and fromKey inverts it', () => {
    const xs = [-Infinity, -1e308, -1, -5e-324, -0, 0, 5e-324, 1, 1e308, Infinity];
    const keys = xs.map(sortKey);
    for (let i = 1; i < keys.length; i++) expect(keys[i]! > keys[i - 1]!).toBe(true);
    keys.forEach((k, i) => expect(Object.is(fromKey(k), xs[i])).toBe(true));
  });

  test('bisection finds the exact k-th value of values spread over 3 ranks', async () => {
    const all = Float64Array.from({ length: 301 }, (_, i) => Math.sin(i * 12.9898) * 1e3);
    const mine = [all.subarray(0, 100), all.subarray(100, 250), all.subarray(250)].map((a) => Float64Array.from(a).sort());
    const sorted = Float64Array.from(all).sort();
    const ks = [0, 1, 150, 299, 300];
    const out = await Promise.all(fakeGroups(3).map((g, r) => orderStatistics(g, [mine[r]!], ks.map((k) => ({ col: 0, k })))));
    for (const o of out) expect(o).toEqual(ks.map((k) => sorted[k]));
  });
});

describe('the summary gather', () => {
  // at most MAX_KNOTS + 1 draws per rank and column: every column exact up to rounding; beyond (2 × 10,000 draws per
  // rank here), ess_bulk and R-hat approximate: measured 3e-5 relative and 1e-7 (2 and 3 ranks, 40,000 draws each)
  test.each([[2, 6, 400, false], [3, 7, 301, false], [2, 4, 10000, true]])('%i ranks, %i chains × %i draws: the rows of one process\'s summary (approximate: %s)', async (ranks, chains, draws, approximate) => {
    const fits = await parts(ranks, chains, draws);
    const one = await sample(eightSchools, draws, { chains, warmup: 200, seed: 4 });
    const expected = one.summary();
    const got = await Promise.all(fakeGroups(ranks).map((g, r) => gatherSummary(g, fits[r]!.data)));
    for (const s of got) {
      expect(s!.chains).toBe(chains);
      expect(s!.draws).toBe(draws);
      expect(s!.approximate).toBe(approximate ? APPROXIMATE_NOTE : null);
      s!.rows.forEach((row, j) => {
        const e = expected[j]!;
        expect(row.name).toBe(e.name);
        expect([row.q5, row.q50, row.q95], row.name).toEqual([e.q5, e.q50, e.q95]); // exact order statistics
        for (const k of ['mean', 'sd', 'mcseMean', 'mcseSd', 'essTail'] as const) expect(rel(row[k], e[k]), `${row.name} ${k}`).toBeLessThan(1e-9);
        expect(rel(row.essBulk, e.essBulk), `${row.name} essBulk`).toBeLessThan(approximate ? 1e-3 : 1e-9);
        expect(Math.abs(row.rhat - e.rhat), `${row.name} rhat`).toBeLessThan(approximate ? 1e-5 : 1e-12);
      });
    }
  }, 120_000);

  test('the columns\' rounds on worker threads give the rows of the rounds on the calling thread, exactly (odd draws)', async () => {
    const fits = await parts(2, 6, 301);
    const here = await Promise.all(fakeGroups(2).map((g, r) => gatherSummary(g, fits[r]!.data, 1)));
    const workers = await Promise.all(fakeGroups(2).map((g, r) => gatherSummary(g, fits[r]!.data, 2, 0)));
    expect(workers).toEqual(here);
    expect(here[0]!.rows.length).toBeGreaterThan(3);
  }, 120_000);

  test('fewer than 4 draws per chain: null (the caller gathers the draws)', async () => {
    const fits = await parts(2, 2, 3);
    expect(await Promise.all(fakeGroups(2).map((g, r) => gatherSummary(g, fits[r]!.data)))).toEqual([null, null]);
  });
});

describe("sampleDistributed({ distributed: { gather: 'summary' } })", () => {
  test('no merged fit; the rows, warnings (divergences, R-hat, low ESS) and chains of one process over all chains', async () => {
    const o = { chains: 5, warmup: 100, seed: 9, targetAccept: 0.55 };
    const one = await sample(eightSchools, 60, o);
    const rs = await Promise.all(fakeGroups(2).map((group) => sampleDistributed(eightSchools, 60, { ...o, distributed: { group, gather: 'summary' } })));
    const expected = one.warnings();
    expect(expected.some((w) => /ended with a divergence/.test(w))).toBe(true); // the case merges something
    for (const r of rs) {
      expect(r.fit).toBeNull();
      const s = r.summary!;
      expect([s.chains, s.draws, s.complete, s.approximate]).toEqual([5, 60, true, null]);
      expect(s.warnings.map((w) => w.message)).toEqual(expected);
      s.rows.forEach((row, j) => expect(rel(row.essBulk, one.summary()[j]!.essBulk)).toBeLessThan(1e-9));
    }
    await expect(sampleDistributed(eightSchools, 60, { ...o, distributed: { group: fakeGroups(1)[0]!, gather: 'all' as 'draws' } })).rejects.toThrow(/gather must be 'draws' or 'summary', got "all"/);
    await expect(sampleDistributed(eightSchools, 60, { ...o, keep: 'summary', distributed: { group: fakeGroups(1)[0]!, gather: 'summary' } })).rejects.toThrow(/keep: 'summary' is for one process/);
  }, 60_000);
});

test('mergeDigests: counts added, E-BFMI per chain joined in chain order, the first non-finite draw named by its global chain', () => {
  const fit = { chains: 3, warmup: 30, seed: 1, backend: 'reference' as const };
  return Promise.all([sample(eightSchools, 20, { ...fit, chains: 2 }), sample(eightSchools, 20, { ...fit, chains: 3 })]).then(([a, b]) => {
    const [da, db] = [warningDigest(a!.data), warningDigest(b!.data)];
    const bad = { ...db, nonFinite: db.nonFinite.map((v, i) => (i === 0 ? { ...v, bad: 2, first: [1, 7, 'mu = NaN'] as const } : v)) };
    const m = mergeDigests([da, bad]);
    expect([m.chains, m.draws, m.divergent, m.treedepth]).toEqual([5, 20, da.divergent + db.divergent, da.treedepth + db.treedepth]);
    expect(m.ebfmi).toEqual([...da.ebfmi, ...db.ebfmi]);
    expect(m.nonFinite[0]).toMatchObject({ variable: 'mu', bad: 2, first: [3, 7, 'mu = NaN'] });
  });
}, 60_000);

test('the command line: --processes 2 --gather summary prints one process\'s table and warnings, and says how it was gathered; --report is refused', async () => {
  const run = ['sample', 'models/eight_schools.ts', '--seed', '6', '--no-progress', '--chains', '4', '--warmup', '150', '--draws', '200'];
  const [one, two] = [await runCli(run), await runCli([...run, '--processes', '2', '--gather', 'summary'])];
  expect(one.code, one.err).toBe(0);
  expect(two.code, two.err).toBe(0);
  const table = (s: string) => s.slice(s.indexOf('name'), s.indexOf('\n\n', s.indexOf('name')) + 1 || undefined).split('\n').filter((l) => !l.startsWith('(summary'));
  expect(table(two.out)).toEqual(table(one.out));
  expect(table(one.out).join('\n')).toMatch(/theta\[7\]/);
  expect(two.out).toMatch(/\(summary gathered without the draws: every column exact up to rounding\)/);
  expect(two.out).toMatch(/eight_schools: 4 chains × 200 draws on 2 processes/);
  const bad = await runCli([...run, '--processes', '2', '--gather', 'summary', '--report', 'r.html']);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/--report plots every draw, and with --gather summary no process has them all: drop one of the two/);
}, 120_000);
