// Prior and posterior predictive simulation: draw parameters from their priors and observed nodes from their families.
import { ModelError, NumericalError, OptionError } from '../base/errors.ts';
import { GraphInterpreter } from '../backend/reference/interpreter.ts';
import { forwardNode } from '../backend/reference/forward.ts';
import type { Expr } from '../graph/expr.ts';
import { GraphBuilder, withBuilder } from '../graph/ir.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import { sizeOf } from '../graph/shape.ts';
import { makeRng, type Rng } from '../random/rng.ts';
import type { Distribution, Evaluate } from '../distributions/distribution.ts';

/** Evaluates graph nodes on the host in float64, with the constrained values of some nodes given (substituted). */
class HostEvaluator {
  private readonly plans: GraphInterpreter['plans'];
  private cache = new Map<number, Float64Array>();

  constructor(private readonly nodes: TracedModel['ir']['nodes'], private readonly given: Map<number, Float64Array>,
    private readonly what: string) {
    this.plans = new GraphInterpreter({ nodes, output: 0, dim: 0 }).plans;
  }

  reset(): void {
    this.cache = new Map();
  }

  value(id: number): Float64Array {
    const hit = this.given.get(id) ?? this.cache.get(id);
    if (hit) return hit;
    const n = this.nodes[id]!;
    if (n.op === 'param') throw new ModelError(`[${this.what}] a distribution depends on a parameter that has no value yet`);
    const ins = n.inputs.map((j) => this.value(j));
    const v = forwardNode(n, this.plans[id]!, ins, new Float64Array(0), n.inputs.map((j) => this.nodes[j]!.shape));
    this.cache.set(id, v);
    return v;
  }

  readonly at: Evaluate = (e: Expr) => this.value(e.id);
}

function drawOf(what: string, d: Distribution, rng: Rng, at: Evaluate, shape: readonly number[]): Float64Array {
  if (!d.sample) throw new ModelError(`[${what}] ${d.name} has no random draws`);
  return d.sample(rng, at, shape);
}

/**
 * Draws of every observed node at the constrained parameter values `values` (by parameter name, row-major), e.g. one
 * posterior draw: the building block of posterior predictive checks. Returns one array per observed node.
 */
export function simulateObserved(traced: TracedModel, values: Readonly<Record<string, ArrayLike<number>>>, rng: Rng):
  Record<string, Float64Array> {
  const given = new Map<number, Float64Array>();
  for (const p of traced.params) {
    const v = values[p.name];
    if (!v) throw new OptionError(`[simulateObserved] no value for parameter '${p.name}'`);
    if (v.length !== sizeOf(p.shape)) throw new OptionError(`[simulateObserved] '${p.name}' has ${v.length} values, expected ${sizeOf(p.shape)}`);
    given.set(p.node, Float64Array.from(v));
  }
  const ev = new HostEvaluator(traced.ir.nodes, given, 'simulateObserved');
  const out: Record<string, Float64Array> = {};
  for (const o of traced.observed) out[o.name] = drawOf('simulateObserved', o.dist, rng, ev.at, o.data.shape);
  return out;
}

export interface PredictiveDraws {
  /** Per parameter: draws × size values, draw-major (draw d occupies [d·size, (d+1)·size)). */
  readonly params: Record<string, Float64Array>;
  /** Per observed node: draws × size values, draw-major. */
  readonly observed: Record<string, Float64Array>;
}

/** Proposals per parameter before a prior draw outside declared bounds ({ lower, upper }) gives up. */
const MAX_REJECTIONS = 1000;

/**
 * Prior predictive simulation: every parameter from its prior in declaration order (a draw outside bounds declared
 * with { lower, upper } is redrawn), then every observed node from its family. m.factor terms are not part of the
 * simulation (they have no generative form). Reproducible for a given seed.
 */
export function priorPredictive(model: Model | TracedModel, opts: { draws: number; seed: number }): PredictiveDraws {
  const traced = 'ir' in model ? model : model.trace('float64');
  const { draws, seed } = opts;
  if (!(Number.isInteger(draws) && draws >= 1)) throw new OptionError(`[priorPredictive] draws must be a positive integer, got ${draws}`);
  const rng = makeRng(seed, 0);
  const params: Record<string, Float64Array> = {};
  const observed: Record<string, Float64Array> = {};
  for (const p of traced.params) params[p.name] = new Float64Array(draws * sizeOf(p.shape));
  for (const o of traced.observed) observed[o.name] = new Float64Array(draws * sizeOf(o.data.shape));
  const given = new Map<number, Float64Array>();
  const ev = new HostEvaluator(traced.ir.nodes, given, 'priorPredictive');
  for (let d = 0; d < draws; d++) {
    given.clear();
    ev.reset();
    for (const p of traced.params) {
      let v: Float64Array | null = null;
      for (let t = 0; t < MAX_REJECTIONS && !v; t++) {
        const cand = drawOf('priorPredictive', p.dist, rng, ev.at, p.shape);
        try {
          p.transform.inverse(cand, p.shape);
          v = cand;
        } catch {
          v = null;
        }
      }
      if (!v) throw new NumericalError(`[priorPredictive] '${p.name}': ${MAX_REJECTIONS} prior draws all fell outside its ${p.transform.name} bounds`);
      given.set(p.node, v);
      ev.reset();
      params[p.name]!.set(v, d * v.length);
    }
    const sim = simulateObservedWith(traced, ev, rng);
    for (const o of traced.observed) observed[o.name]!.set(sim[o.name]!, d * sim[o.name]!.length);
  }
  return { params, observed };
}

function simulateObservedWith(traced: TracedModel, ev: HostEvaluator, rng: Rng): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const o of traced.observed) out[o.name] = drawOf('priorPredictive', o.dist, rng, ev.at, o.data.shape);
  return out;
}

/**
 * `draws` independent draws of the distribution `make()` builds (its parameters must be constants), e.g.
 * sampleDistribution(() => Gamma(2, 3), { draws: 1000, seed: 1 }): draws × size values, draw-major.
 */
export function sampleDistribution(make: () => Distribution, opts: { draws: number; seed: number; shape?: readonly number[] }):
  Float64Array {
  const g = new GraphBuilder();
  const d = withBuilder(g, make);
  if (!d.sample) throw new ModelError(`[sampleDistribution] ${d.name} has no random draws`);
  const shape = opts.shape ?? [...d.batchShape, ...d.eventShape];
  const ev = new HostEvaluator(g.nodes, new Map(), 'sampleDistribution');
  const rng = makeRng(opts.seed, 0);
  const size = sizeOf(shape);
  const out = new Float64Array(opts.draws * size);
  for (let i = 0; i < opts.draws; i++) out.set(d.sample(rng, ev.at, shape), i * size);
  return out;
}
