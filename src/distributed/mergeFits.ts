// One fit from every rank's share of a run: chains concatenated in rank order (= global chain order), as if one
// process had run them all; timing is the slowest rank's, complete only when every rank completed.
import { ModelError } from '../base/errors.ts';
import type { FitData } from '../io/fitData.ts';

export function mergeFitData(parts: readonly FitData[]): FitData {
  const first = parts[0];
  if (first === undefined) throw new ModelError('[distributed] no fits to merge');
  for (const [r, p] of parts.entries()) {
    if (p.columns.join(',') !== first.columns.join(',') || p.modelName !== first.modelName) {
      throw new ModelError(`[distributed] rank ${r} sampled '${p.modelName}' with columns ${p.columns.join(',')}; rank 0 '${first.modelName}' with ${first.columns.join(',')}: every rank must run the same model`);
    }
  }
  const max = (f: (t: FitData['timing']) => number) => Math.max(...parts.map((p) => f(p.timing)));
  const warmupValues = first.warmupValues ? parts.flatMap((p) => p.warmupValues ?? []) : undefined;
  return {
    ...first,
    config: { ...first.config, chains: parts.reduce((n, p) => n + p.values.length, 0) },
    values: parts.flatMap((p) => p.values),
    stats: parts.flatMap((p) => p.stats),
    ...(warmupValues ? { warmupValues } : {}),
    warmupStats: parts.flatMap((p) => p.warmupStats),
    adaptation: parts.flatMap((p) => p.adaptation),
    complete: parts.every((p) => p.complete),
    timing: { warmupSeconds: max((t) => t.warmupSeconds), samplingSeconds: max((t) => t.samplingSeconds), compileSeconds: max((t) => t.compileSeconds) },
    clampHits: parts.flatMap((p) => p.clampHits),
  };
}
