// The fit's per-chain arrays as views of one block per kind (src/nuts/fitBlocks.ts), which kernels write in place.
import { describe, expect, test } from 'vitest';
import { chainBlocks, statsRecord } from '../src/nuts/fitBlocks.ts';
import { SAMPLER_STATS } from '../src/io/fitData.ts';

describe('chainBlocks and statsRecord', () => {
  test('each chain row is a view of the block at [chain][row][n]: a write into the block is read through the view', () => {
    const chains = 3, rows = 4, n = 5;
    const b = chainBlocks(chains, rows, n);
    expect(b.block).toHaveLength(chains * rows * n);
    b.block!.forEach((_, i) => (b.block![i] = i));
    for (let k = 0; k < chains; k++) {
      expect(b.views[k]).toHaveLength(rows);
      for (let r = 0; r < rows; r++) {
        expect(b.views[k]![r]!.buffer).toBe(b.block!.buffer);
        expect([...b.views[k]![r]!]).toEqual(Array.from({ length: n }, (_, i) => (k * rows + r) * n + i));
      }
    }
    b.views[2]![3]![4] = -1;
    expect(b.block![chains * rows * n - 1]).toBe(-1);
  });

  test("a statistics record names a chain's rows in SAMPLER_STATS' order", () => {
    const rows = SAMPLER_STATS.map((_, i) => Float64Array.of(i));
    const r = statsRecord(rows);
    expect(Object.keys(r)).toEqual([...SAMPLER_STATS]);
    SAMPLER_STATS.forEach((s, i) => expect(r[s]).toBe(rows[i]));
  });
});
