// Bulk ESS of many columns in parallel (worker threads, one column per task: src/fit/summaryPool.ts mapColumns) with
// mlx-nuts' own essBulk: with thousands of chains one column takes seconds, and the GPU benchmark has tens of columns.
import { availableParallelism } from 'node:os';
import { mapColumns, srcModule } from '../src/fit/summaryPool.ts';

/** essBulk of each column (each an array of per-chain Float64Arrays), computed on up to `threads` workers. */
export function essBulkMany(columns: Float64Array[][], threads = Math.max(1, availableParallelism() - 1)): Promise<number[]> {
  return mapColumns<number>({ module: srcModule('diagnostics/ess'), fn: 'essBulk', named: false }, columns.map((_, j) => `${j}`), columns, threads);
}
