// Centred second moments of a growing, front-cut list of rows (the low-rank warmup's windows): cached block merges
// agree with the two-pass sums, and a cache carried along gives the same bits as one rebuilt from the rows.
import { describe, expect, test } from 'vitest';
import { makeRng } from 'mlx-nuts';
import { BLOCK_ROWS, centredMoments } from '../src/nuts/blockMoments.ts';

function twoPass(rows: readonly Float64Array[], dim: number): { mean: Float64Array; m2: Float64Array } {
  const mean = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mean[i]! += r[i]! / rows.length;
  const m2 = new Float64Array(dim * dim);
  for (const r of rows) for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) m2[i * dim + j]! += (r[i]! - mean[i]!) * (r[j]! - mean[j]!);
  return { mean, m2 };
}

describe('centred moments by cached blocks', () => {
  const dim = 7;
  const rng = makeRng(9, 0);
  // rows far from the origin (mean 1e3, spread 1e-2 … 1): a raw-sums formula would lose most digits here
  const row = () => Float64Array.from({ length: dim }, (_, i) => 1e3 + 10 ** (i / 3 - 2) * rng.normal());

  test('as the list grows and is cut at its front, the moments match two-pass sums; a rebuilt cache gives the same bits', () => {
    const list: Float64Array[] = [];
    for (let step = 0; step < 40; step++) {
      for (let a = 0; a < 1 + (step % 7); a++) list.push(row());
      if (step % 11 === 10) list.splice(0, 13 + step); // a window switch drops the oldest rows
      const got = centredMoments(list, dim);
      const want = twoPass(list, dim);
      expect(got.n).toBe(list.length);
      for (let i = 0; i < dim; i++) expect(Math.abs(got.mean[i]! - want.mean[i]!)).toBeLessThan(1e-12 * 1e3);
      for (let i = 0; i < dim * dim; i++) {
        const scale = Math.sqrt(Math.abs(want.m2[Math.floor(i / dim) * (dim + 1)]! * want.m2[(i % dim) * (dim + 1)]!));
        expect(Math.abs(got.m2[i]! - want.m2[i]!)).toBeLessThan(1e-10 * scale + 1e-300);
      }
      // a fresh list object with the same rows has no cache: the blocks are rebuilt, bit for bit the same
      const rebuilt = centredMoments([...list], dim);
      expect(Array.from(rebuilt.m2)).toEqual(Array.from(got.m2));
      expect(Array.from(rebuilt.mean)).toEqual(Array.from(got.mean));
    }
    expect(list.length).toBeGreaterThan(2 * BLOCK_ROWS);
  });
});
