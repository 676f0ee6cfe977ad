// Synthetic FitData for the io tests and the interop check: a scalar, a vector and a non-square matrix, awkward numbers included.
import { flatNames, SAMPLER_STATS, type FitData, type SamplerStat, type VariableMeta } from '../../src/io/fitData.ts';
import { makeRng } from '../../src/random/rng.ts';

export interface SyntheticOptions {
  readonly modelName?: string;
  readonly chains?: number;
  readonly draws?: number;
  readonly warmup?: number;
  readonly metric?: 'diag' | 'dense';
  /** Draws actually present per chain (fewer than `draws` makes an aborted run, marked incomplete). */
  readonly drawsDone?: number;
  readonly seed?: number;
  /** Put NaN, ±Infinity, -0, subnormals and extreme magnitudes into the deterministic L[1,2]. */
  readonly awkward?: boolean;
  readonly variables?: readonly VariableMeta[];
}

export const DEFAULT_VARIABLES: readonly VariableMeta[] = [
  { name: 'mu', shape: [], kind: 'param' },
  { name: 'theta', shape: [3], kind: 'param' },
  { name: 'L', shape: [2, 3], kind: 'deterministic' },
];

const AWKWARD = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1 / 3, 0.1 + 0.2, -1e-7, 123456789012345680000, 1e21];

export function syntheticFit(opts: SyntheticOptions = {}): FitData {
  const chains = opts.chains ?? 2;
  const draws = opts.draws ?? 25;
  const n = opts.drawsDone ?? draws;
  const metric = opts.metric ?? 'diag';
  const variables = opts.variables ?? DEFAULT_VARIABLES;
  const columns = variables.flatMap((v) => flatNames(v.name, v.shape));
  const seed = opts.seed ?? 7;
  const dim = variables.filter((v) => v.kind === 'param').reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
  const stats = (rng: ReturnType<typeof makeRng>, len: number, stepSize: number): Record<SamplerStat, Float64Array> => {
    const depth = Float64Array.from({ length: len }, () => 1 + Math.floor(rng.uniform() * 4));
    const out = {
      lp__: Float64Array.from({ length: len }, () => -5 - 3 * rng.uniform()),
      accept_stat__: Float64Array.from({ length: len }, () => rng.uniform()),
      stepsize__: new Float64Array(len).fill(stepSize),
      treedepth__: depth,
      n_leapfrog__: depth.map((d) => 2 ** d - 1),
      divergent__: Float64Array.from({ length: len }, () => (rng.uniform() < 0.1 ? 1 : 0)),
      energy__: Float64Array.from({ length: len }, () => 5 + 3 * rng.uniform()),
    };
    for (const s of SAMPLER_STATS) if (out[s].length !== len) throw new Error('[syntheticFit] bad stats');
    return out;
  };
  const values: Float64Array[][] = [];
  const allStats: Record<SamplerStat, Float64Array>[] = [];
  const warmupStats: Record<SamplerStat, Float64Array>[] = [];
  const adaptation: FitData['adaptation'][number][] = [];
  for (let c = 0; c < chains; c++) {
    const rng = makeRng(seed, c);
    const stepSize = 0.3 + rng.uniform();
    const cols = columns.map(() => rng.normals(new Float64Array(n)));
    const k = columns.indexOf('L[1,2]');
    if (opts.awkward === true && k >= 0) for (let i = 0; i < n; i++) cols[k]![i] = AWKWARD[(i + c) % AWKWARD.length]!;
    values.push(cols);
    allStats.push(stats(rng, n, stepSize));
    warmupStats.push(stats(rng, opts.warmup ?? 10, stepSize));
    let invMetric: Float64Array;
    if (metric === 'dense') {
      invMetric = new Float64Array(dim * dim);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j <= i; j++) {
          const x = i === j ? 1 + rng.uniform() : 0.2 * rng.normal();
          invMetric[i * dim + j] = x;
          invMetric[j * dim + i] = x;
        }
      }
    } else {
      invMetric = Float64Array.from({ length: dim }, () => 0.5 + rng.uniform());
    }
    adaptation.push({ stepSize, metric, invMetric });
  }
  return {
    modelName: opts.modelName ?? 'synthetic',
    variables,
    columns,
    config: { seed, chains, warmup: opts.warmup ?? 10, draws, targetAccept: 0.8, maxTreeDepth: 10, metric, backend: 'reference', dtype: 'float64', device: 'cpu' },
    values,
    stats: allStats,
    warmupStats,
    adaptation,
    complete: n === draws,
    timing: { warmupSeconds: 0.125 + seed / 1000, samplingSeconds: 0.5 / 3, compileSeconds: 0.0625 },
    clampHits: Array.from({ length: chains }, (_, c) => c),
  };
}
