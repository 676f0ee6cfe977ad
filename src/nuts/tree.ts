// Builds one NUTS subtree over precomputed leapfrog states (Stan's build_tree: multinomial, uniform progressive).
import { MAX_DELTA_H } from '../base/defaults.ts';
import { kinetic, velocity, type Metric } from './metric.ts';
import type { Trajectory } from './integrator.ts';
import { mergeContinues, type Span } from './termination.ts';
import { uniformAt, type ChainStream } from '../random/philox.ts';

export { MAX_DELTA_H };

export interface SubtreeCounters {
  nLeapfrog: number;
  sumMetroProb: number;
  divergent: boolean;
}

export interface Subtree {
  readonly valid: boolean;
  readonly logSumWeight: number;
  /** Step index (in the trajectory) of the proposal. */
  readonly proposal: number;
  readonly span: Span | null;
}

export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** The Hamiltonian at step s of chain k of the trajectory; NaN (and a non-finite gradient) count as +∞. */
export function leafEnergy(t: Trajectory, s: number, k: number, metric: Metric): number {
  const lp = t.logp[s * t.chains + k]!;
  const off = (s * t.chains + k) * t.dim;
  for (let i = 0; i < t.dim; i++) if (!Number.isFinite(t.grad[off + i]!)) return Infinity;
  const h = -lp + kinetic(metric, t.p, off);
  return Number.isNaN(h) ? Infinity : h;
}

function leafSpan(t: Trajectory, s: number, k: number, metric: Metric): Span {
  const off = (s * t.chains + k) * t.dim;
  const p = t.p.slice(off, off + t.dim);
  const ps = velocity(metric, p, new Float64Array(t.dim));
  return { pBeg: p, pEnd: p, pSharpBeg: ps, pSharpEnd: ps, rho: Float64Array.from(p) };
}

function joinSpans(a: Span, b: Span): Span {
  const rho = new Float64Array(a.rho.length);
  for (let i = 0; i < rho.length; i++) rho[i] = a.rho[i]! + b.rho[i]!;
  return { pBeg: a.pBeg, pEnd: b.pEnd, pSharpBeg: a.pSharpBeg, pSharpEnd: b.pSharpEnd, rho };
}

/** Where a subtree's choices come from: the chain's stream, the iteration and the doubling being built. */
export interface SubtreeAddress {
  readonly stream: ChainStream;
  readonly iteration: number;
  readonly doubling: number;
}

/**
 * Subtree of depth `depth` over steps [start, start + 2^depth) of chain k, in integration order.
 * Stops at the first invalid sub-subtree, as Stan does, so counters see only the leaves Stan would evaluate.
 * The choice at a merge uses the uniform addressed by the first step of the right half.
 */
export function buildSubtree(t: Trajectory, k: number, start: number, depth: number, H0: number, metric: Metric,
  at: SubtreeAddress, ctr: SubtreeCounters): Subtree {
  if (depth === 0) {
    const h = leafEnergy(t, start, k, metric);
    ctr.nLeapfrog++;
    const w = H0 - h;
    ctr.sumMetroProb += w > 0 ? 1 : Math.exp(w);
    if (h - H0 > MAX_DELTA_H) {
      ctr.divergent = true;
      return { valid: false, logSumWeight: w, proposal: start, span: null };
    }
    return { valid: true, logSumWeight: w, proposal: start, span: leafSpan(t, start, k, metric) };
  }
  const init = buildSubtree(t, k, start, depth - 1, H0, metric, at, ctr);
  if (!init.valid) return init;
  const mid = start + (1 << (depth - 1));
  const fin = buildSubtree(t, k, mid, depth - 1, H0, metric, at, ctr);
  if (!fin.valid) return fin;
  const lsw = logAddExp(init.logSumWeight, fin.logSumWeight);
  let proposal = init.proposal;
  if (fin.logSumWeight > lsw) proposal = fin.proposal;
  else if (uniformAt(at.stream, at.iteration, 'subtreeMerge', at.doubling, mid) < Math.exp(fin.logSumWeight - lsw)) proposal = fin.proposal;
  const valid = mergeContinues(init.span!, fin.span!);
  return { valid, logSumWeight: lsw, proposal, span: joinSpans(init.span!, fin.span!) };
}

/** A span read in the opposite direction (a backward subtree, in time order). */
export function reversed(s: Span): Span {
  return { pBeg: s.pEnd, pEnd: s.pBeg, pSharpBeg: s.pSharpEnd, pSharpEnd: s.pSharpBeg, rho: s.rho };
}

export { joinSpans };
