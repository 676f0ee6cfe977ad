// FitData from Stan CSV files (this library's or CmdStan's), one file per chain: the path of ArviZ and cmdstanpy users.
import { FileError } from '../base/errors.ts';
import { SAMPLER_STATS, type ChainAdaptation, type FitData, type SamplerStat, type VariableMeta } from './fitData.ts';
import { readStanCsv, type StanCsv } from './stanCsvRead.ts';
import { parseFitName } from './stanNames.ts';

function fail(message: string): never {
  throw new FileError(`[fitFromStanCsv] ${message}`);
}

/** Variables from column names: consecutive columns of one base name form an array whose shape is the largest index + 1. */
function variablesOf(columns: readonly string[]): VariableMeta[] {
  const out: { name: string; shape: number[] }[] = [];
  for (const c of columns) {
    const { base, index } = parseFitName(c);
    const last = out[out.length - 1];
    if (last !== undefined && last.name === base && index.length === last.shape.length && index.length > 0) {
      index.forEach((k, d) => (last.shape[d] = Math.max(last.shape[d]!, k + 1)));
    } else {
      out.push({ name: base, shape: index.map((k) => k + 1) });
    }
  }
  // the files do not say which columns are parameters and which are generated quantities: all are 'param'
  return out.map((v) => ({ name: v.name, shape: v.shape, kind: 'param' as const }));
}

const emptyStats = (): Record<SamplerStat, Float64Array> =>
  Object.fromEntries(SAMPLER_STATS.map((s) => [s, new Float64Array(0)])) as Record<SamplerStat, Float64Array>;

/**
 * Reads one Stan CSV per chain into FitData. Chains are ordered by the files' `id` when every file has one,
 * else as given; every file must have the same columns. A file cut short is read up to its last whole line and
 * makes the fit incomplete. Warmup statistics come from files that saved warmup draws; otherwise they are empty.
 */
export function fitDataFromStanCsv(files: string | readonly string[]): FitData {
  const list = typeof files === 'string' ? [files] : [...files];
  if (list.length === 0) fail('no files given');
  let csvs: StanCsv[] = list.map((f) => readStanCsv(f));
  if (csvs.every((c) => c.config.chainId !== null)) {
    const ids = csvs.map((c) => c.config.chainId!);
    if (new Set(ids).size === ids.length) csvs = [...csvs].sort((a, b) => a.config.chainId! - b.config.chainId!);
  }
  const first = csvs[0]!;
  for (const c of csvs) {
    if (c.columns.length !== first.columns.length || c.columns.some((n, j) => n !== first.columns[j])) {
      fail(`${c.path} has other columns than ${first.path} (${c.columns.slice(0, 6).join(', ')}… against ${first.columns.slice(0, 6).join(', ')}…): are they chains of one run?`);
    }
  }
  const cfg = first.config;
  const metric: 'diag' | 'dense' = cfg.metric === 'dense' ? 'dense' : 'diag';
  const adaptation: ChainAdaptation[] = csvs.map((c) => c.adaptation ?? { stepSize: NaN, metric, invMetric: new Float64Array(0) });
  const max = (f: (c: StanCsv) => number | undefined) => Math.max(0, ...csvs.map((c) => f(c) ?? 0));
  return {
    modelName: cfg.modelName ?? 'model',
    variables: variablesOf(first.columns),
    columns: [...first.columns],
    config: {
      seed: cfg.seed ?? 0,
      chains: csvs.length,
      warmup: cfg.numWarmup ?? 0,
      draws: cfg.numSamples !== null ? Math.ceil(cfg.numSamples / cfg.thin) : max((c) => c.values[0]?.length),
      targetAccept: cfg.targetAccept ?? 0.8,
      maxTreeDepth: cfg.maxTreeDepth ?? 10,
      metric,
      backend: cfg.backend ?? (cfg.version === null ? 'stan' : 'unknown'),
      dtype: cfg.dtype ?? 'float64',
      device: cfg.device ?? 'cpu',
      ...(cfg.metricAdaptation !== null ? { metricAdaptation: cfg.metricAdaptation } : {}),
      ...(cfg.warmupSchedule !== null ? { warmupSchedule: cfg.warmupSchedule } : {}),
    },
    values: csvs.map((c) => [...c.values]),
    stats: csvs.map((c) => ({ ...c.stats })),
    warmupStats: csvs.map((c) => (c.warmup ? { ...c.warmup.stats } : emptyStats())),
    adaptation,
    complete: csvs.every((c) => c.complete),
    timing: { warmupSeconds: max((c) => c.timing?.warmupSeconds), samplingSeconds: max((c) => c.timing?.samplingSeconds), compileSeconds: cfg.compileSeconds ?? 0 },
    clampHits: csvs.map((c) => c.config.clampHits ?? 0),
  };
}
