// Warmup composed outside the kernel: step-size search, dual averaging and windowed metric adaptation per chain.
import type { Density } from '../backend/density.ts';
import type { ChainStream } from '../random/philox.ts';
import type { PointState, TransitionInfo } from './kernel.ts';
import { makeMetric, unitMetric, type Metric, type MetricKind } from '../kernel/metric.ts';
import { dualAveragingFinal, dualAveragingInit, dualAveragingUpdate, initStepSize, type DualAveragingState } from './stepsize.ts';
import { inSlowWindow, Welford, windowSchedule, type WindowSchedule } from './windows.ts';

export interface WarmupState {
  readonly numWarmup: number;
  readonly delta: number;
  readonly schedule: WindowSchedule;
  stepSizes: number[];
  metrics: Metric[];
  dual: DualAveragingState[];
  estimators: Welford[];
  counter: number;
}

/** Stan's start: unit metric, ε = 1, μ = log(10·1), then the initial step-size search. */
export function warmupInit(d: Density, states: readonly PointState[], streams: readonly ChainStream[], numWarmup: number,
  delta: number, kind: MetricKind, stepSize = 1): WarmupState {
  const metrics = states.map(() => unitMetric(kind, d.dim));
  const dual = states.map(() => dualAveragingInit(stepSize));
  const stepSizes = initStepSize(d, states, metrics, streams, 0, states.map(() => stepSize));
  return {
    numWarmup, delta, schedule: windowSchedule(numWarmup), stepSizes, metrics, dual,
    estimators: states.map(() => new Welford(d.dim, kind)), counter: 0,
  };
}

/** After a warmup transition: adapt ε, collect the draw, and at a window's end update the metric and restart ε. */
export function warmupUpdate(w: WarmupState, d: Density, states: readonly PointState[], info: readonly TransitionInfo[],
  streams: readonly ChainStream[]): void {
  const c = w.counter;
  const updated: number[] = [];
  states.forEach((s, k) => {
    const r = dualAveragingUpdate(w.dual[k]!, info[k]!.acceptStat, w.delta);
    w.dual[k] = r.state;
    w.stepSizes[k] = r.stepSize;
    if (inSlowWindow(w.schedule, c, w.numWarmup)) w.estimators[k]!.add(s.q);
    if (w.schedule.windowEnds.includes(c)) {
      w.metrics[k] = makeMetric(w.metrics[k]!.kind, w.estimators[k]!.regularised());
      w.estimators[k] = new Welford(d.dim, w.metrics[k]!.kind);
      updated.push(k);
    }
  });
  if (updated.length) {
    const eps = initStepSize(d, updated.map((k) => states[k]!), updated.map((k) => w.metrics[k]!), updated.map((k) => streams[k]!),
      c + 1, updated.map((k) => w.stepSizes[k]!));
    updated.forEach((k, i) => {
      w.stepSizes[k] = eps[i]!;
      w.dual[k] = dualAveragingInit(eps[i]!);
    });
  }
  w.counter++;
}

/** The adapted step sizes: exp(x̄) of dual averaging (unchanged when there was no warmup). */
export function warmupFinal(w: WarmupState): number[] {
  return w.numWarmup > 0 ? w.dual.map((s, k) => (s.counter > 0 ? dualAveragingFinal(s) : w.stepSizes[k]!)) : w.stepSizes;
}
