// The summary on worker threads (src/fit/summaryPool.ts, Fit.summaryAsync): the rows of the one-thread summary, exactly;
// errors in a worker come back naming the column; a bad thread count is refused.
import { describe, expect, test } from 'vitest';
import { Fit } from 'mlx-nuts';
import { mapColumns, orOnThisThread, srcModule, summarizeColumns } from '../src/fit/summaryPool.ts';
import { summaryRows } from '../src/fit/warnings.ts';
import { syntheticFit } from './fixtures/syntheticFit.ts';

describe('summary on worker threads', () => {
  test('summarizeColumns on 2 workers gives summaryRows exactly (NaN where it has NaN)', async () => {
    const f = syntheticFit({ chains: 6, draws: 300 });
    const values = f.values.map((c, k) => c.map((col, j) => (k === 1 && j === 0 ? Float64Array.from(col, (v, i) => (i === 5 ? NaN : v)) : col)));
    const fit = { ...f, values };
    const want = summaryRows(fit);
    expect(want.some((r) => Number.isNaN(r.essBulk))).toBe(true);
    const got = await summarizeColumns(fit.columns, fit.columns.map((_, j) => fit.values.map((c) => c[j]!)), 2, 0);
    expect(got).toEqual(want);
  });

  test('Fit.summaryAsync: the rows of summary(), kept for summary() and the warnings; threads checked', async () => {
    const fit = new Fit(syntheticFit({ chains: 4, draws: 200 }));
    const want = summaryRows(fit.data);
    expect(await fit.summaryAsync({ threads: 2 })).toEqual(want);
    expect(fit.summary()).toEqual(want);
    await expect(fit.summaryAsync({ threads: 0 })).rejects.toThrow(/\[Fit.summaryAsync\] threads must be a positive integer, got 0/);
  });

  test('a column the summary refuses is an error naming the column', async () => {
    const a = [Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(2, 3, 1, 5, 4)];
    const bad = [Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(1, 2)];
    await expect(summarizeColumns(['a', 'b'], [a, bad], 2, 0)).rejects.toThrow(/column 'b'.*same length/);
  });

  test('workers that cannot load their module fail with a message; orOnThisThread then works here and warns', async () => {
    const cols = [[Float64Array.of(1, 2, 3, 4, 5)], [Float64Array.of(5, 4, 3, 2, 1)]];
    const task = { module: srcModule('diagnostics/no_such_module'), fn: 'essBulk', named: false };
    await expect(mapColumns(task, ['a', 'b'], cols, 2)).rejects.toThrow(/a worker could not load .*no_such_module/);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(await orOnThisThread(mapColumns<number>(task, ['a', 'b'], cols, 2), () => [1, 2])).toEqual([1, 2]);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.join('\n')).toMatch(/worker threads failed .*no_such_module.*working on the calling thread/);
    await expect(orOnThisThread(Promise.reject(new Error('a column')), () => [1])).rejects.toThrow('a column'); // not a worker failure
  });
});
