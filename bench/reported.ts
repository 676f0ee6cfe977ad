// Which columns a benchmark reports the ESS of: the model's report list (models/index.ts meta.report), else every
// column, deterministics included. One home for the benchmarks' choice (bench/run.ts, gpu.ts, gpuLoop.ts, ranks).
import { MODELS } from '../models/index.ts';

export function reportedColumns(model: string, columns: readonly string[]): string[] {
  const rep = MODELS[model]!.meta.report;
  return rep ? columns.filter((c) => rep.some((r) => c === r || c.startsWith(`${r}[`))) : [...columns];
}
