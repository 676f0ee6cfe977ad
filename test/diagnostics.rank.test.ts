// averageRanks (src/diagnostics/rank.ts, a radix sort over float64 bit patterns) against the definition: the rank of
// x is (#{y < x}) + (#{y = x} + 1)/2, NaN unranked, on values with ties, signs, ±0, ±∞ and NaN.
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
