// Named constrained values (inits, points to evaluate) checked against a traced model and mapped to the unconstrained vector.
import { OptionError } from '../base/errors.ts';
import { toHostTensor } from '../graph/constant.ts';
import type { TracedModel } from './traced.ts';
import { fmtShape } from '../graph/shape.ts';
import { supportText } from './describe.ts';

/** A short description of what a value is, for error messages: "the string '42'", "NaN", "an array of shape [3, 2]". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return `a value of type ${typeof v}`;
}

export interface PointCheckOptions {
  /** Allow parameters to be absent (inits: absent ones are drawn at random); default false. */
  readonly partial?: boolean;
}

/** The unconstrained vector of `values` (NaN where a parameter was not given) and the parameters given. */
export interface UnconstrainedPoint {
  readonly q: Float64Array;
  readonly given: ReadonlySet<string>;
}

/**
 * Checks named constrained values against the model's parameters, naming the parameter in every error (`[fn] …`):
 * unknown names, missing parameters (unless partial), shapes that differ from the declared shape (a scalar may be a
 * number or a one-element array), non-finite values and values outside the support. Returns the unconstrained vector.
 */
export function unconstrainPoint(t: TracedModel, values: unknown, fn: string, opts: PointCheckOptions = {}): UnconstrainedPoint {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new OptionError(`[${fn}] values must be an object of parameter values by name, e.g. { ${t.params[0]?.name ?? 'mu'}: 1 }, got ${describeValue(values)}`);
  }
  const v = values as Record<string, unknown>;
  const known = new Map(t.params.map((p) => [p.name, p]));
  for (const k of Object.keys(v)) {
    if (known.has(k)) continue;
    const det = t.deterministics.some((d) => d.name === k);
    throw new OptionError(`[${fn}] '${k}' is ${det ? 'a deterministic, not a parameter' : `not a parameter of '${t.name}'`} (parameters: ${[...known.keys()].join(', ')})`);
  }
  const q = new Float64Array(t.ir.dim).fill(NaN);
  const given = new Set<string>();
  for (const p of t.params) {
    if (!(p.name in v) || v[p.name] === undefined) {
      if (opts.partial) continue;
      throw new OptionError(`[${fn}] no value for parameter '${p.name}' (shape ${fmtShape(p.shape)}); give every parameter: ${t.params.map((x) => x.name).join(', ')}`);
    }
    const raw = v[p.name];
    if (typeof raw !== 'number' && !Array.isArray(raw) && !ArrayBuffer.isView(raw)) {
      throw new OptionError(`[${fn}] ${p.name} must be a number or an array of numbers, got ${describeValue(raw)}`);
    }
    const tensor = toHostTensor(raw, `[${fn}] ${p.name}`);
    const scalarOk = p.shape.length === 0 && tensor.data.length === 1 && tensor.shape.length <= 1;
    const same = tensor.shape.length === p.shape.length && tensor.shape.every((d, i) => d === p.shape[i]);
    if (!scalarOk && !same) {
      throw new OptionError(`[${fn}] ${p.name} has shape ${fmtShape(tensor.shape)}, but the parameter is declared with shape ${fmtShape(p.shape)}`);
    }
    tensor.data.forEach((x, i) => {
      if (!Number.isFinite(x)) throw new OptionError(`[${fn}] ${p.name} holds ${x}${tensor.data.length > 1 ? ` at position ${i}` : ''}: values must be finite`);
    });
    let y: Float64Array;
    try {
      y = p.transform.inverse(tensor.data, p.shape);
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^\[[^\]]*\]\s*/, '') : String(e);
      throw new OptionError(`[${fn}] ${p.name} is outside its support (${supportText(p.dist.support)}, transform ${p.transform.name}): ${why}`);
    }
    if (!y.every(Number.isFinite)) throw new OptionError(`[${fn}] ${p.name} maps to a non-finite unconstrained value: it is on the edge of its support (${supportText(p.dist.support)})`);
    q.set(y, p.offset);
    given.add(p.name);
  }
  return { q, given };
}
