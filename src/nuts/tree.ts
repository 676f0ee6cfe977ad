// Builds one NUTS subtree from leapfrog states as they are made (Stan's build_tree: multinomial, uniform progressive),
// keeping O(depth) states per chain: the finished left halves waiting for their right halves, never the trajectory.
import { MAX_DELTA_H } from '../base/defaults.ts';
import { kinetic, velocity, type Metric } from '../kernel/metric.ts';
import type { Trajectory } from './integrator.ts';
import { mergeContinues, type Span } from './termination.ts';
import { uniformAt, type ChainStream } from '../random/philox.ts';

export interface SubtreeCounters {
  nLeapfrog: number;
  sumMetroProb: number;
  divergent: boolean;
  /** Why and where the trajectory diverged ('nonfinite': H is +∞ after NaN/∞ log density or gradient). */
  divergence?: Divergence;
}

export interface Divergence {
  readonly cause: 'energy' | 'nonfinite';
  /** The unconstrained position of the leapfrog step where H − H₀ exceeded MAX_DELTA_H. */
  readonly q: Float64Array;
}

/** A trajectory state the tree keeps (a proposal): its own copies of position, momentum and gradient. */
export interface TreeState {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly grad: Float64Array;
  readonly logp: number;
}

export interface Subtree {
  readonly valid: boolean;
  readonly logSumWeight: number;
  /** The state chosen among the subtree's leaves (as far as it was built). */
  readonly proposal: TreeState;
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

function leafSpan(p: Float64Array, metric: Metric): Span {
  const ps = velocity(metric, p, new Float64Array(p.length));
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

/** A finished, valid sub-subtree waiting for its right sibling: its first leaf's index, weight, proposal and span. */
interface Node {
  readonly depth: number;
  readonly start: number;
  readonly lsw: number;
  readonly proposal: TreeState;
  readonly span: Span;
}

/**
 * Stan's recursive build_tree walked leaf by leaf, in integration order: `add` takes the next leaf, and every subtree
 * it completes is merged with the finished left sibling on a stack (at most depth + 1 entries: Stan's recursion keeps
 * as many frames), so memory is O(depth) states whatever the subtree's length. The merges see the same operands in
 * the same order, with the uniform addressed by the first leaf of the right half, as the recursion: the result is
 * the recursion's bit for bit. The first invalid leaf (divergence) or merge (U-turn) finishes the subtree at once, so
 * counters see only the leaves Stan would evaluate.
 */
export class SubtreeBuilder {
  /** Set once the subtree is finished: complete, divergent or turned. */
  result: Subtree | null = null;
  private readonly stack: Node[] = [];
  private leaves: number;

  /** `first`: the index of the first leaf in the doubling's trajectory (the uniforms are addressed by leaf index). */
  constructor(private readonly depth: number, private readonly H0: number, private readonly metric: Metric,
    private readonly at: SubtreeAddress, private readonly ctr: SubtreeCounters, first = 0) {
    this.leaves = first;
  }

  /** Adds the next leaf, step s of chain k of `t`; true once the subtree is finished (then `result` is set). */
  add(t: Trajectory, s: number, k: number): boolean {
    if (this.result !== null) return true;
    const start = this.leaves++;
    const h = leafEnergy(t, s, k, this.metric);
    this.ctr.nLeapfrog++;
    const w = this.H0 - h;
    this.ctr.sumMetroProb += w > 0 ? 1 : Math.exp(w);
    const off = (s * t.chains + k) * t.dim;
    const state: TreeState = {
      q: t.q.slice(off, off + t.dim), p: t.p.slice(off, off + t.dim), grad: t.grad.slice(off, off + t.dim), logp: t.logp[s * t.chains + k]!,
    };
    if (h - this.H0 > MAX_DELTA_H) {
      this.ctr.divergent = true;
      this.ctr.divergence = { cause: h === Infinity ? 'nonfinite' : 'energy', q: state.q };
      this.result = { valid: false, logSumWeight: w, proposal: state, span: null };
      return true;
    }
    let node: Node = { depth: 0, start, lsw: w, proposal: state, span: leafSpan(state.p, this.metric) };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.depth === node.depth) {
      const init = this.stack.pop()!;
      const lsw = logAddExp(init.lsw, node.lsw);
      let proposal = init.proposal;
      if (node.lsw > lsw) proposal = node.proposal;
      else if (uniformAt(this.at.stream, this.at.iteration, 'subtreeMerge', this.at.doubling, node.start) < Math.exp(node.lsw - lsw)) proposal = node.proposal;
      const valid = mergeContinues(init.span, node.span);
      node = { depth: node.depth + 1, start: init.start, lsw, proposal, span: joinSpans(init.span, node.span) };
      if (!valid) {
        this.result = { valid: false, logSumWeight: lsw, proposal, span: node.span };
        return true;
      }
    }
    if (node.depth === this.depth) {
      this.result = { valid: true, logSumWeight: node.lsw, proposal: node.proposal, span: node.span };
      return true;
    }
    this.stack.push(node);
    return false;
  }
}

/** A subtree of depth `depth` over steps [start, start + 2^depth) of chain k of a computed trajectory. */
export function buildSubtree(t: Trajectory, k: number, start: number, depth: number, H0: number, metric: Metric,
  at: SubtreeAddress, ctr: SubtreeCounters): Subtree {
  const b = new SubtreeBuilder(depth, H0, metric, at, ctr, start);
  for (let s = start; !b.add(t, s, k); s++);
  return b.result!;
}

/** A span read in the opposite direction (a backward subtree, in time order). */
export function reversed(s: Span): Span {
  return { pBeg: s.pEnd, pEnd: s.pBeg, pSharpBeg: s.pSharpEnd, pSharpEnd: s.pSharpBeg, rho: s.rho };
}

export { joinSpans };
