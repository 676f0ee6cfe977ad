// model(name, fn): the builder users write against, and its trace into a graph with a parameter layout.
import { ModelError } from '../base/errors.ts';
import type { Dtype } from '../base/types.ts';
import type { Distribution } from '../distributions/distribution.ts';
import { boundsTransform } from '../transforms/elementwise.ts';
import { transformFor } from './transformFor.ts';
import type { Transform } from '../transforms/transform.ts';
import { toHostTensor, type HostTensor } from '../graph/constant.ts';
import { describeTraced } from './describe.ts';
import { float32Message, float32Problems } from '../graph/float32Range.ts';
import { constant, Expr, lift, type Operand } from '../graph/expr.ts';
import { GraphBuilder, withBuilder, type GraphIR } from '../graph/ir.ts';
import { broadcastShapes, fmtShape, sizeOf, type Shape } from '../graph/shape.ts';
import type { DeterministicInfo, ObservedInfo, ParamInfo, TracedModel } from './traced.ts';

export interface ParamOptions {
  /** Shape of the parameter; defaults to the distribution's batch and event shape. */
  shape?: readonly number[];
  /** Overrides the transform picked from the distribution's support. */
  transform?: Transform;
  /** Declared bounds (constants); they pick a bounds transform. */
  lower?: number;
  upper?: number;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function defaultTransform(d: Distribution): Transform {
  return transformFor(d.support, d.name);
}

/** The object a model function receives: declare parameters, deterministics, observations and extra terms. */
export class ModelBuilder {
  private readonly terms: Expr[] = [];
  /** What each log-density term is ("prior of mu", "observe y", …), for init error messages. */
  readonly termInfo: { label: string; node: number }[] = [];
  private readonly names = new Set<string>();
  readonly params: ParamInfo[] = [];
  readonly deterministics: DeterministicInfo[] = [];
  readonly observed: ObservedInfo[] = [];

  constructor(readonly g: GraphBuilder, readonly dtype: Dtype) {}

  private claim(fn: string, name: string): void {
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      throw new ModelError(`[${fn}] name ${JSON.stringify(name)} must start with a letter or _ and hold only letters, digits, _ and .`);
    }
    if (name.endsWith('__')) {
      throw new ModelError(`[${fn}] the name '${name}' ends in '__', which is reserved for sampler statistics (lp__, accept_stat__, …): ` +
        'Stan CSV readers would take the column for one; pick another name');
    }
    if (this.names.has(name)) throw new ModelError(`[${fn}] the name '${name}' is already used in this model`);
    this.names.add(name);
  }

  /** A parameter with prior `dist`; returns its constrained value. */
  param(name: string, dist: Distribution, opts: ParamOptions = {}): Expr {
    this.claim('param', name);
    if (!dist || typeof dist.logProb !== 'function') throw new ModelError(`[param] '${name}': the second argument must be a distribution`);
    const natural = [...dist.batchShape, ...dist.eventShape];
    const shape = opts.shape ? [...opts.shape] : natural;
    if (!shape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new ModelError(`[param] '${name}': shape ${fmtShape(shape)} must hold positive integers`);
    }
    if (opts.shape) {
      const b = broadcastShapes(`param '${name}'`, natural, shape);
      if (b.length !== shape.length || b.some((d, i) => d !== shape[i])) {
        throw new ModelError(`[param] '${name}': the distribution's shape ${fmtShape(natural)} does not fit shape ${fmtShape(shape)}`);
      }
    }
    for (const [k, v] of [['lower', opts.lower], ['upper', opts.upper]] as const) {
      if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new ModelError(`[param] '${name}': ${k} must be a number`);
    }
    if (opts.lower !== undefined && opts.upper !== undefined && !(opts.lower < opts.upper)) {
      throw new ModelError(`[param] '${name}': lower (${opts.lower}) must be below upper (${opts.upper})`);
    }
    const transform = opts.transform ??
      (opts.lower !== undefined || opts.upper !== undefined ? boundsTransform(opts.lower, opts.upper) : defaultTransform(dist));
    const size = transform.unconstrainedSize ? transform.unconstrainedSize(shape) : sizeOf(shape);
    const offset = this.g.dim;
    // the param node takes the value's own shape when the transform keeps the size (no reshape in the graph)
    const y = new Expr(this.g, this.g.param(size === sizeOf(shape) ? shape : [size]));
    const ctx = { dtype: this.dtype };
    const x = transform.forward(y, shape, ctx);
    this.addTerm(`prior of ${name}`, dist.logProb(x).sum());
    this.addTerm(`log-Jacobian of ${name}`, transform.logDetJacobian(y, x, ctx));
    this.params.push({ name, shape, offset, size, transform, dist, node: x.id });
    return x;
  }

  /** A named function of the parameters, reported with the draws. */
  deterministic(name: string, value: Operand): Expr {
    this.claim('deterministic', name);
    const e = lift('deterministic', name, value, this.g);
    this.deterministics.push({ name, shape: e.shape, node: e.id });
    return e;
  }

  /** Observed data `data` from `dist`: adds its log density. */
  observe(dist: Distribution, data: unknown, name?: string): void {
    if (!dist || typeof dist.logProb !== 'function') throw new ModelError('[observe] the first argument must be a distribution');
    const label = name ?? `obs${this.observed.length}`;
    const t = toHostTensor(data, `[observe] ${label} data`);
    t.data.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new ModelError(`[observe] ${label} data holds ${v} at position ${i}: observed values must be finite`);
    });
    dist.checkObserved?.(t);
    const batch = [...dist.batchShape, ...dist.eventShape];
    const b = broadcastShapes(`observe ${label}`, batch, t.shape);
    if (b.length !== t.shape.length || b.some((d, i) => d !== t.shape[i])) {
      throw new ModelError(`[observe] ${label}: data of shape ${fmtShape(t.shape)} does not match the distribution's shape ${fmtShape(batch)}`);
    }
    const x = constant(this.g, t.data, `[observe] ${label}`).reshape(t.shape);
    this.addTerm(`observe ${label}`, dist.logProb(x).sum());
    this.observed.push({ name: label, dist, data: t });
  }

  /** Adds any term to the log density (must be a scalar, or is summed). */
  factor(term: Operand): void {
    this.addTerm(`factor ${this.termInfo.filter((t) => t.label.startsWith('factor')).length}`, lift('factor', 'term', term, this.g).sum());
  }

  private addTerm(label: string, e: Expr): void {
    this.terms.push(e);
    this.termInfo.push({ label, node: e.id });
  }

  /** The total log density node. */
  total(): Expr {
    if (this.terms.length === 0) return lift('model', 'logp', 0, this.g);
    return this.terms.reduce((a, b) => a.add(b));
  }
}

export class Model {
  constructor(readonly name: string, readonly build: (m: ModelBuilder) => void) {}

  /** The model as text: parameters with shapes, supports and transforms, deterministics, data (see describe). */
  toString(): string {
    try {
      return describeTraced(this.trace('float64'));
    } catch (e) {
      return `model '${this.name}' (it does not trace: ${e instanceof Error ? e.message : String(e)})`;
    }
  }

  /** console.log(model) prints the same listing. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Traces the model into a graph for `dtype` (the dtype picks the log-transform clamp). */
  trace(dtype: Dtype = 'float64'): TracedModel {
    const g = new GraphBuilder();
    const m = new ModelBuilder(g, dtype);
    const out = withBuilder(g, () => {
      const r = this.build(m) as unknown;
      if (r instanceof Promise) throw new ModelError(`[model] '${this.name}': the model function must be synchronous`);
      return m.total();
    });
    if (out.size !== 1) throw new ModelError(`[model] '${this.name}': the log density must be a scalar`);
    const scalar = out.ndim === 0 ? out : withBuilder(g, () => out.reshape([]));
    if (g.dim === 0) throw new ModelError(`[model] '${this.name}' declares no parameters (use m.param)`);
    const ir = g.toIR(scalar.id);
    if (dtype === 'float32') {
      const why = float32Message(this.name, float32Problems(ir, m.termInfo, m.observed.map((o) => ({ name: o.name, data: o.data.data }))));
      if (why !== null) throw new ModelError(why);
    }
    return { name: this.name, dtype, ir, params: m.params, deterministics: m.deterministics,
      observed: m.observed, terms: m.termInfo };
  }
}

export function model(name: string, build: (m: ModelBuilder) => void): Model {
  if (typeof name !== 'string' || name.length === 0) throw new ModelError('[model] name must be a non-empty string');
  if (typeof build !== 'function') throw new ModelError(`[model] '${name}': the second argument must be a function (m) => { ... }`);
  return new Model(name, build);
}
