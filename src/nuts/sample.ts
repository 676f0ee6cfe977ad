// sample(model, draws, options): initialise, warm up, sample; returns a Fit. Yields to the event loop as it goes.
import { logDensitySync, resolveOptions } from '../backend/logDensity.ts';
import type { BackendName, Device, Dtype } from '../backend/density.ts';
import { loadNative } from '../backend/native.ts';
import { Fit } from '../fit/fit.ts';
import { flatNames, SAMPLER_STATS, type FitData, type SamplerStat, type VariableMeta } from '../fit/types.ts';
import type { Model } from '../graph/model.ts';
import { logClamp } from '../precision/policy.ts';
import { makeRng } from '../random/rng.ts';
import { initialPoint, type InitValues } from './init.ts';
import { callCounter } from './integrator.ts';
import { transition, type PointState, type TransitionInfo } from './kernel.ts';
import { ProgressReporter, type ProgressCallback } from './progress.ts';
import { warmupFinal, warmupInit, warmupUpdate } from './warmup.ts';

export interface SampleOptions {
  warmup?: number;
  chains?: number;
  seed?: number;
  backend?: BackendName;
  dtype?: Dtype;
  device?: Device;
  targetAccept?: number;
  maxTreeDepth?: number;
  metric?: 'diag' | 'dense';
  /** Initial values on the constrained scale: one object for every chain, or one per chain. */
  init?: InitValues | readonly InitValues[];
  progress?: boolean | ProgressCallback;
  signal?: AbortSignal;
  /** A directory for one Stan CSV per chain. */
  output?: string;
  /**
   * MLX on the CPU: while sampling, keep this thread and MLX's CPU stream thread on one core (Linux), which makes
   * each gradient call cheaper (see native/src/affinity.cc); both threads' affinity is restored afterwards.
   * Default true; also off with the environment variable MLX_NUTS_PIN=0.
   */
  pinThreads?: boolean;
}

function checkInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`[sample] ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

function emptyStats(n: number): Record<SamplerStat, Float64Array> {
  return Object.fromEntries(SAMPLER_STATS.map((s) => [s, new Float64Array(n)])) as Record<SamplerStat, Float64Array>;
}

function record(stats: Record<SamplerStat, Float64Array>, i: number, s: PointState, info: TransitionInfo, eps: number): void {
  stats.lp__[i] = s.logp;
  stats.accept_stat__[i] = info.acceptStat;
  stats.stepsize__[i] = eps;
  stats.treedepth__[i] = info.treeDepth;
  stats.n_leapfrog__[i] = info.nLeapfrog;
  stats.divergent__[i] = info.divergent ? 1 : 0;
  stats.energy__[i] = info.energy;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Runs NUTS with Stan's warmup on `model` and returns `draws` post-warmup draws per chain. */
export async function sample(model: Model, draws = 1000, options: SampleOptions = {}): Promise<Fit> {
  const numDraws = checkInt('draws', draws, 0);
  const warmup = checkInt('warmup', options.warmup ?? 1000, 0);
  const chains = checkInt('chains', options.chains ?? 4, 1);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`[sample] seed must be an integer, got ${seed}`);
  const delta = options.targetAccept ?? 0.8;
  if (!(delta >= 0.1 && delta < 1)) throw new Error(`[sample] targetAccept must be in [0.1, 1), got ${delta}`);
  const maxTreeDepth = checkInt('maxTreeDepth', options.maxTreeDepth ?? 10, 1);
  const metricKind = options.metric ?? 'diag';
  if (metricKind !== 'diag' && metricKind !== 'dense') throw new Error(`[sample] metric must be 'diag' or 'dense', got '${metricKind}'`);
  const { backend, dtype, device } = resolveOptions('sample', options);
  if (Array.isArray(options.init) && options.init.length !== chains) {
    throw new Error(`[sample] init has ${options.init.length} entries but there are ${chains} chains`);
  }
  const pin = (options.pinThreads ?? true) && process.env['MLX_NUTS_PIN'] !== '0' && backend === 'mlx' && device === 'cpu';
  const t0 = performance.now();
  const d = logDensitySync(model, { backend, dtype, device });
  const compileSeconds = (performance.now() - t0) / 1000;
  const pinned = pin && loadNative().pinCpuThreads();
  try {
    const rngs = Array.from({ length: chains }, (_, c) => makeRng(seed, c));
    const inits = Array.isArray(options.init) ? options.init : Array.from({ length: chains }, () => options.init as InitValues | undefined);
    let states = rngs.map((rng, c) => initialPoint(d, rng, c, inits[c]));
    const variables: VariableMeta[] = [
      ...d.model.params.map((p) => ({ name: p.name, shape: p.shape, kind: 'param' as const })),
      ...d.model.deterministics.map((p) => ({ name: p.name, shape: p.shape, kind: 'deterministic' as const })),
    ];
    const columns = variables.flatMap((v) => flatNames(v.name, v.shape));
    const values = states.map(() => columns.map(() => new Float64Array(numDraws)));
    const stats = states.map(() => emptyStats(numDraws));
    const warmupStats = states.map(() => emptyStats(warmup));
    const clampHits = new Array<number>(chains).fill(0);
    const clampedSlices = d.model.params.filter((p) => /^(log|lower|upper)/.test(p.transform.name));
    const L = logClamp(dtype);
    const progress = new ProgressReporter(options.progress ?? false, chains, warmup, numDraws);
    callCounter.calls = 0;

    const tw = performance.now();
    const w = warmupInit(d, states, rngs, warmup, delta, metricKind);
    let aborted = false;
    let lastYield = performance.now();
    for (let it = 0; it < warmup; it++) {
      const params = states.map((_, k) => ({ stepSize: w.stepSizes[k]!, metric: w.metrics[k]! }));
      const r = transition(d, states, params, rngs, maxTreeDepth);
      states = r.states;
      r.info.forEach((info, k) => record(warmupStats[k]!, it, states[k]!, info, params[k]!.stepSize));
      warmupUpdate(w, d, states, r.info, rngs);
      progress.update('warmup', it + 1, r.info, w.stepSizes);
      if (performance.now() - lastYield > 25) {
        await yieldToLoop();
        lastYield = performance.now();
      }
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
    }
    const stepSizes = warmupFinal(w);
    const warmupSeconds = (performance.now() - tw) / 1000;
    const ts = performance.now();
    let done = 0;
    let recordMs = 0;
    const callsBefore = callCounter.calls;
    d.takeProfile?.();
    for (let it = 0; !aborted && it < numDraws; it++) {
      const params = states.map((_, k) => ({ stepSize: stepSizes[k]!, metric: w.metrics[k]! }));
      const r = transition(d, states, params, rngs, maxTreeDepth);
      states = r.states;
      const tr = performance.now();
      states.forEach((s, k) => {
        record(stats[k]!, it, s, r.info[k]!, stepSizes[k]!);
        const c = d.constrain(s.q);
        let col = 0;
        for (const v of variables) for (const x of c[v.name]!) values[k]![col++]![it] = x;
        if (clampedSlices.some((p) => s.q.subarray(p.offset, p.offset + p.size).some((y) => Math.abs(y) >= L))) clampHits[k]!++;
      });
      recordMs += performance.now() - tr;
      done = it + 1;
      progress.update('sampling', it + 1, r.info, stepSizes);
      if (performance.now() - lastYield > 25) {
        await yieldToLoop();
        lastYield = performance.now();
      }
      if (options.signal?.aborted) aborted = true;
    }
    progress.stop();
    const samplingSeconds = (performance.now() - ts) / 1000;
    const np = d.takeProfile?.();
    const profile = np ? {
      nativeValueAndGrad: np.buildSeconds + np.evalSeconds, nativeGraphBuild: np.buildSeconds, nativeEval: np.evalSeconds,
      hostDeviceCopies: np.copySeconds, nativeLeapfrog: np.leapfrogHostSeconds, recordDraws: recordMs / 1000,
      typescript: samplingSeconds - np.buildSeconds - np.evalSeconds - np.copySeconds - np.leapfrogHostSeconds - recordMs / 1000,
      gradientCalls: np.calls, primitivesPerCall: np.primitives,
    } : undefined;
    const cut = <T extends Float64Array>(a: T) => (done < numDraws ? (a.slice(0, done) as T) : a);
    const data: FitData = {
      modelName: d.model.name,
      variables,
      columns,
      config: { seed, chains, warmup, draws: numDraws, targetAccept: delta, maxTreeDepth, metric: metricKind, backend, dtype, device },
      values: values.map((vs) => vs.map(cut)),
      stats: stats.map((s) => Object.fromEntries(SAMPLER_STATS.map((k) => [k, cut(s[k])])) as Record<SamplerStat, Float64Array>),
      warmupStats,
      adaptation: stepSizes.map((eps, k) => ({ stepSize: eps, metric: metricKind, invMetric: w.metrics[k]!.invMetric })),
      complete: !aborted && done === numDraws,
      timing: { warmupSeconds, samplingSeconds, compileSeconds },
      clampHits,
    };
    const fit = new Fit(data, { nativeCallsPerDraw: done > 0 ? (callCounter.calls - callsBefore) / done : 0, profile, model: d.model });
    if (options.output) fit.writeStanCsv(options.output);
    return fit;
  } finally {
    if (pinned) loadNative().unpinCpuThreads();
    d.dispose();
  }
}
