// Step size: Stan's initial heuristic (base_hmc.hpp init_stepsize) and dual averaging (stepsize_adaptation.hpp).
import { NumericalError } from '../base/errors.ts';
import type { Density } from '../backend/density.ts';
import { DUAL_AVERAGING } from '../base/defaults.ts';
import type { ChainStream } from '../random/philox.ts';
import { leapfrogs } from './integrator.ts';
import type { PointState } from './kernel.ts';
import { kinetic, sampleMomentum, type Metric } from '../kernel/metric.ts';

export interface DualAveragingState {
  readonly counter: number;
  readonly sBar: number;
  readonly xBar: number;
  readonly mu: number;
}

export function dualAveragingInit(stepSize: number): DualAveragingState {
  return { counter: 0, sBar: 0, xBar: 0, mu: Math.log(10 * stepSize) };
}

/** One update with accept statistic a (clipped to ≤ 1); returns the new state and the step size exp(x). */
export function dualAveragingUpdate(s: DualAveragingState, acceptStat: number, delta: number): { state: DualAveragingState; stepSize: number } {
  const { gamma, kappa, t0 } = DUAL_AVERAGING;
  const a = acceptStat > 1 ? 1 : acceptStat;
  const m = s.counter + 1;
  const eta = 1 / (m + t0);
  const sBar = (1 - eta) * s.sBar + eta * (delta - a);
  const x = s.mu - (sBar * Math.sqrt(m)) / gamma;
  const w = Math.pow(m, -kappa);
  const xBar = w * x + (1 - w) * s.xBar;
  return { state: { counter: m, sBar, xBar, mu: s.mu }, stepSize: Math.exp(x) };
}

/** The final warmup step size exp(x̄). */
export function dualAveragingFinal(s: DualAveragingState): number {
  return Math.exp(s.xBar);
}

/** Why chain k's step-size search stopped without an answer: 1, ε passed 1e7; 2, ε reached 0 (the codes of a kernel's search). */
export function stepSizeSearchFailure(k: number, why: 1 | 2): NumericalError {
  return new NumericalError(why === 1
    ? `[sample] chain ${k}: posterior is improper (step size search passed 1e7); please check the model`
    : `[sample] chain ${k}: no acceptably small step size could be found; perhaps the posterior is not continuous`);
}

/**
 * Stan's init_stepsize for a batch of chains: one leapfrog step with a fresh momentum, doubling ε while
 * ΔH > log 0.8 or halving it while ΔH < log 0.8, until ΔH crosses log 0.8. Chains that finish drop out.
 * Round r's momentum is addressed by (stream, `iteration`, stepSizeMomentum, r): `iteration` is the transition
 * the search precedes.
 */
export function initStepSize(d: Density, states: readonly PointState[], metrics: readonly Metric[],
  streams: readonly ChainStream[], iteration: number, stepSizes: readonly number[]): number[] {
  const dim = d.dim;
  const eps = [...stepSizes];
  const dir = new Array<number>(states.length).fill(0);
  const done = eps.map((e) => e === 0 || e > 1e7 || Number.isNaN(e));
  const LOG08 = Math.log(0.8);
  for (let round = 0; ; round++) {
    const active = states.map((_, k) => k).filter((k) => !done[k]);
    if (active.length === 0) return eps;
    const n = active.length;
    const q0 = new Float64Array(n * dim);
    const p0 = new Float64Array(n * dim);
    const g0 = new Float64Array(n * dim);
    const e = new Float64Array(n);
    const H0 = active.map((k, i) => {
      sampleMomentum(metrics[k]!, { stream: streams[k]!, iteration, purpose: 'stepSizeMomentum', sub: round }, p0, i * dim);
      q0.set(states[k]!.q, i * dim);
      g0.set(states[k]!.grad, i * dim);
      e[i] = eps[k]!;
      return -states[k]!.logp + kinetic(metrics[k]!, p0, i * dim);
    });
    const t = leapfrogs(d, q0, p0, g0, e, active.map((k) => metrics[k]!), 1, n);
    active.forEach((k, i) => {
      let h = -t.logp[i]! + kinetic(metrics[k]!, t.p, i * dim);
      if (Number.isNaN(h)) h = Infinity;
      const dH = H0[i]! - h;
      if (round === 0) {
        dir[k] = dH > LOG08 ? 1 : -1;
        return;
      }
      if ((dir[k] === 1 && !(dH > LOG08)) || (dir[k] === -1 && !(dH < LOG08))) {
        done[k] = true;
        return;
      }
      eps[k] = dir[k] === 1 ? eps[k]! * 2 : eps[k]! * 0.5;
      if (eps[k]! > 1e7) throw stepSizeSearchFailure(k, 1);
      if (eps[k] === 0) throw stepSizeSearchFailure(k, 2);
    });
  }
}
