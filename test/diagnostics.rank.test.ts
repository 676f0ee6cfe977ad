// averageRanks (src/diagnostics/rank.ts, a radix sort over float64 bit patterns) against the definition (the rank of
// x is (#{y < x}) + (#{y = x} + 1)/2, NaN unranked), and summarize against the separate diagnostics it shares work with.
import { describe, expect, test } from 'vitest';
import { averageRanks } from '../src/diagnostics/rank.ts';

function definitionRanks(v: readonly number[]): number[] {
  return v.map((x) => {
    if (Number.isNaN(x)) return NaN;
    const below = v.filter((y) => y < x).length;
    const equal = v.filter((y) => y === x).length;
    return below + (equal + 1) / 2;
  });
}

describe('averageRanks', () => {
  test('ties, negatives, ±0, ±∞ and NaN: the definition, entry by entry', () => {
    let s = 7;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const pool = [0, -0, 1, -1, 2.5, -2.5, 1e-300, -1e-300, 1e300, -1e300, Infinity, -Infinity, NaN, 3, 3, 3];
    for (let trial = 0; trial < 20; trial++) {
      const v = Array.from({ length: 300 }, () => (rnd() < 0.5 ? pool[Math.floor(rnd() * pool.length)]! : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4)));
      const got = Array.from(averageRanks(v));
      const want = definitionRanks(v);
      expect(got.map((x) => (Number.isNaN(x) ? 'NaN' : x))).toEqual(want.map((x) => (Number.isNaN(x) ? 'NaN' : x)));
    }
  });

  test('an empty input and an all-NaN input', () => {
    expect(averageRanks([]).length).toBe(0);
    expect(Array.from(averageRanks([NaN, NaN])).every(Number.isNaN)).toBe(true);
  });
});

describe('summarize computes once what the separate diagnostics compute', () => {
  test('its quantiles, bulk and tail ESS and R-hat equal quantile2, essBulk, essTail and rhat exactly', async () => {
    const { summarize } = await import('../src/diagnostics/summary.ts');
    const { essBulk, essTail, quantile2, rhat } = await import('../src/diagnostics/index.ts');
    let s = 3;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const ar = (n: number, phi: number) => { let x = 0; return Float64Array.from({ length: n }, () => (x = phi * x + rnd() - 0.5)); };
    const cases: Float64Array[][] = [
      [ar(200, 0.3), ar(200, 0.9), ar(200, 0.5)],
      [ar(50, 0.1).map((v) => Math.round(v * 4) / 4), ar(50, 0.1).map((v) => Math.round(v * 4) / 4)], // ties
      [Float64Array.from({ length: 40 }, () => 1.5), Float64Array.from({ length: 40 }, () => 1.5)], // constant
      [ar(30, 0.2), Float64Array.from(ar(30, 0.2), (v, i) => (i === 7 ? NaN : v))], // a NaN draw
      [Float64Array.from(ar(60, 0.4), (v, i) => (i === 3 ? Infinity : v)), ar(60, 0.4)], // an infinite draw
    ];
    const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : a === b);
    for (const c of cases) {
      const r = summarize('x', c);
      const [q5, q50, q95] = quantile2(c, [0.05, 0.5, 0.95]);
      for (const [a, b] of [[r.q5, q5], [r.q50, q50], [r.q95, q95], [r.essBulk, essBulk(c)], [r.essTail, essTail(c)], [r.rhat, rhat(c)]] as const) {
        expect(same(a!, b!)).toBe(true);
      }
    }
  });
});
