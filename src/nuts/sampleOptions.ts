// sample()'s options: what each means and its default (src/base/defaults.ts), and the checks of the plain ones
// (counts, seed, target acceptance, tree depth, metric) made before anything is compiled.
import type { BackendName, Device, Dtype } from '../base/types.ts';
import { OptionError } from '../base/errors.ts';
import { SAMPLE_DEFAULTS, SAMPLE_LIMITS } from '../base/defaults.ts';
import { integerOption, numberOption } from '../fit/optionChecks.ts';
import type { CheckpointOption } from './checkpoint.ts';
import type { WarmStartOption } from './warmStart.ts';
import type { InitValues } from './init.ts';
import type { ProgressCallback } from './progress.ts';
import type { GradientSchedule, MetricAdaptation } from './gradientSchedule.ts';
import type { ChainPart } from './chainPart.ts';

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
  /**
   * Allow falling back to the MLX graph when the fused engine cannot run the model (an op it has no code for,
   * no C++ compiler). Default: true when `backend` is not given, false when it is.
   */
  allowFallback?: boolean;
  /**
   * A directory for one Stan CSV per chain, checked before the first gradient and written as sampling runs: the header
   * first, each draw as it is made (flushed at least every second and when warmup ends), the adaptation block when
   * warmup ends, and a footer that marks the file complete (src/io/stanCsvStream.ts).
   */
  output?: string;
  /** Replace existing chain files in `output` (default false: they are an error before sampling starts). */
  overwrite?: boolean;
  /** Keep every `thin`-th iteration (CmdStan's thin; default 1): iterations 0, thin, 2·thin, … of each phase. */
  thin?: number;
  /** Keep the warmup draws too (CmdStan's save_warmup): on the fit as `data.warmupValues`, and in `output`'s files. */
  saveWarmup?: boolean;
  /**
   * What the fit holds of the draws: 'draws' (default: every kept draw) or 'summary' (each chain's running moments
   * and sampler-statistic totals, folded as sampling runs, so that memory does not grow with the draws: for very
   * many chains; src/fit/chainSummaries.ts says what the summary can and cannot give). With `output` every draw still
   * goes to the chain files. Not with saveWarmup or resume.
   */
  keep?: 'draws' | 'summary';
  /**
   * Options of the MLX engine (the only engine-specific options; other engines have none). `pinThreads`: on the
   * CPU, while sampling, keep this thread and MLX's CPU stream thread on one core (Linux), which makes each gradient
   * call cheaper (see native/src/affinity.cc); both threads' affinity is restored afterwards. Default true; also off
   * with the environment variable MLX_NUTS_PIN=0.
   */
  mlx?: { readonly pinThreads?: boolean };
  /**
   * Warmup: 'chain' adapts each chain's step size and metric (Stan); 'pooled' keeps each chain's step size and adapts
   * one metric shared by all chains from all of their draws (src/nuts/pooledWarmup.ts). Default 'pooled' for the
   * fused engine on the GPU with 32 chains or more, else 'chain'.
   */
  adaptation?: 'chain' | 'pooled';
  /**
   * How warmup estimates the metric: 'gradient-diag' (nutpie's diagonal from draws and gradients, √(var(x)/var(∇log p));
   * the default on the CPU engines), 'low-rank' (that diagonal plus the eigen-directions of the draw/gradient
   * covariances; CPU engines), both on nutpie's schedule (src/nuts/gradientWarmup.ts), or 'stan' (Stan's windowed draw
   * variance, `metric` diagonal or dense; the default on the GPU, with adaptation 'pooled' and with metric 'dense':
   * defaultMetricAdaptation, src/base/defaults.ts). With `adaptation: 'pooled'` the estimate pools every chain's draws.
   */
  metricAdaptation?: MetricAdaptation;
  /** The schedule of 'gradient-diag' and 'low-rank' (fields and defaults: GRADIENT_SCHEDULE, src/nuts/gradientSchedule.ts). */
  warmupSchedule?: Partial<GradientSchedule>;
  /**
   * Continue the killed or interrupted run in `output` (true) or in the given directory from its last checkpoint: the
   * chain files are cut back to it and appended, and the draws are bit-identical to an uninterrupted run's. The model,
   * its data and every option that changes the draws must be the same (an error names what differs).
   */
  resume?: boolean | string;
  /**
   * With `output`: when to save the sampler's state there (src/nuts/checkpoint.ts). Always at the start, at each metric
   * window's end, at warmup's end and when stopped by `signal`; in between after `seconds` (default 10) or `iterations`.
   * `false`: no checkpoints (such a run cannot be resumed).
   */
  checkpoint?: CheckpointOption;
  /**
   * Start where an earlier run ended (src/nuts/warmStart.ts): its fit (or FitData, e.g. from fitFromStanCsv) gives each
   * chain its last draw as init and its step size and inverse metric as warmup's start; pair it with a short `warmup`
   * (a few hundred; 0 keeps the earlier adaptation as it is).
   */
  warmStart?: WarmStartOption;
  /** This process's share of a run spread over processes (set by sampleDistributed, src/distributed/). */
  part?: ChainPart;
}

function checkInt(name: string, v: unknown, min: number): number {
  return integerOption('sample', name, v, min);
}

/** The plain options checked (each error names the option and what it got), with their defaults filled in. */
export function checkSampleOptions(draws: number, options: SampleOptions) {
  const numDraws = checkInt('draws', draws, 0);
  if ('pinThreads' in options) throw new OptionError('[sample] pinThreads is an option of the MLX engine: pass mlx: { pinThreads } instead');
  const pinThreads: unknown = options.mlx?.pinThreads;
  if (pinThreads !== undefined && typeof pinThreads !== 'boolean') throw new OptionError(`[sample] mlx.pinThreads must be true or false, got ${JSON.stringify(pinThreads)}`);
  const thin = checkInt('thin', options.thin ?? SAMPLE_DEFAULTS.thin, 1);
  const saveWarmup = options.saveWarmup ?? false;
  if (typeof saveWarmup !== 'boolean') throw new OptionError(`[sample] saveWarmup must be true or false, got ${JSON.stringify(saveWarmup)}`);
  const keep = options.keep ?? 'draws';
  if (keep !== 'draws' && keep !== 'summary') throw new OptionError(`[sample] keep must be 'draws' or 'summary', got ${JSON.stringify(keep)}`);
  if (keep === 'summary' && saveWarmup) throw new OptionError("[sample] keep: 'summary' keeps no draws, so it cannot saveWarmup: leave one of them out");
  if (keep === 'summary' && options.resume !== undefined && options.resume !== false) {
    throw new OptionError("[sample] keep: 'summary' cannot resume: a resumed run reads its draws back from the chain files, and a summary's moments are not checkpointed");
  }
  const warmup = checkInt('warmup', options.warmup ?? SAMPLE_DEFAULTS.warmup, 0);
  const chains = checkInt('chains', options.chains ?? SAMPLE_DEFAULTS.chains, 1);
  const seed = options.seed ?? SAMPLE_DEFAULTS.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new OptionError(`[sample] seed must be an integer in [0, 2^53), got ${typeof seed === 'string' ? `the string '${seed}'` : String(seed)}`);
  }
  const delta = numberOption('sample', 'targetAccept', options.targetAccept ?? SAMPLE_DEFAULTS.targetAccept, ...SAMPLE_LIMITS.targetAccept);
  const maxTreeDepth = checkInt('maxTreeDepth', options.maxTreeDepth ?? SAMPLE_DEFAULTS.maxTreeDepth, SAMPLE_LIMITS.maxTreeDepth[0]);
  if (maxTreeDepth > SAMPLE_LIMITS.maxTreeDepth[1]) throw new OptionError(`[sample] maxTreeDepth must be at most ${SAMPLE_LIMITS.maxTreeDepth[1]}, got ${maxTreeDepth}`);
  const metricKind = options.metric ?? SAMPLE_DEFAULTS.metric;
  if (metricKind !== 'diag' && metricKind !== 'dense') throw new OptionError(`[sample] metric must be 'diag' or 'dense', got '${metricKind}'`);
  return { numDraws, thin, saveWarmup, keep, warmup, chains, seed, delta, maxTreeDepth, metricKind };
}
