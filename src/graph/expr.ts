// The tracing tensor: an Expr is a node of the graph being built; its methods append nodes with checked shapes.
import { ModelError } from '../base/errors.ts';
import { toHostTensor, toIntTensor } from './constant.ts';
import { activeBuilder, type BinaryOp, type CompareOp, type GraphBuilder, type GraphNode, type NodeAttrs,
  type ReduceOp, type UnaryOp } from './ir.ts';
import { broadcastShapes, fmtShape, normAxis, sizeOf, type Shape } from './shape.ts';
import { foldBinary, foldUnary } from './fold.ts';

/** Anything accepted where an expression is: an Expr, a number, a (nested) array or a typed array. */
export type Operand = Expr | number | boolean | readonly unknown[] | ArrayBufferView;

export class Expr {
  constructor(readonly g: GraphBuilder, readonly id: number) {}

  get node(): GraphNode {
    return this.g.nodes[this.id]!;
  }
  get shape(): Shape {
    return this.node.shape;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** The constant value if this node is a float constant (used to validate distribution parameters early). */
  get constValue(): Float64Array | null {
    const n = this.node;
    return n.op === 'const' && n.dtype === 'float' ? (n.data as Float64Array) : null;
  }

  add(o: Operand): Expr { return binary('add', this, o); }
  sub(o: Operand): Expr { return binary('sub', this, o); }
  mul(o: Operand): Expr { return binary('mul', this, o); }
  div(o: Operand): Expr { return binary('div', this, o); }
  pow(o: Operand): Expr { return binary('pow', this, o); }
  neg(): Expr { return unary('neg', this); }
  sum(axis?: number | number[], keepdims = false): Expr { return reduce('sum', this, axis, keepdims); }
  mean(axis?: number | number[], keepdims = false): Expr { return reduce('mean', this, axis, keepdims); }
  exp(): Expr { return unary('exp', this); }
  log(): Expr { return unary('log', this); }
  square(): Expr { return unary('square', this); }
  sqrt(): Expr { return unary('sqrt', this); }
  reshape(shape: readonly number[]): Expr { return reshape(this, shape); }
  /** Element `i` along the first axis (a take, never a strided slice). */
  get(i: number): Expr { return take(this, [i], 0).reshape(this.shape.slice(1)); }
}

function builderOf(fn: string, ...xs: Operand[]): GraphBuilder {
  for (const x of xs) if (x instanceof Expr) return x.g;
  return activeBuilder(fn);
}

export function constant(g: GraphBuilder, v: Operand, what: string): Expr {
  if (v instanceof Expr) {
    if (v.g !== g) throw new ModelError(`${what} belongs to another model`);
    return v;
  }
  const t = toHostTensor(v, what);
  return new Expr(g, g.add({ op: 'const', inputs: [], shape: t.shape, dtype: 'float', data: t.data }));
}

export function intConstant(g: GraphBuilder, v: unknown, what: string): Expr {
  const t = toIntTensor(v, what);
  return new Expr(g, g.add({ op: 'const', inputs: [], shape: t.shape, dtype: 'int', data: t.data }));
}

/** Lifts an operand into the active graph, naming `fn` and the argument in errors. */
export function lift(fn: string, arg: string, v: Operand, g?: GraphBuilder): Expr {
  const b = g ?? builderOf(fn, v);
  const e = constant(b, v, `[${fn}] ${arg}`);
  if (e.node.dtype !== 'float') throw new ModelError(`[${fn}] ${arg} must be a float expression, got ${e.node.dtype}`);
  return e;
}

function node(g: GraphBuilder, op: GraphNode['op'], inputs: Expr[], shape: Shape, dtype: GraphNode['dtype'] = 'float',
  attrs?: NodeAttrs): Expr {
  return new Expr(g, g.add({ op, inputs: inputs.map((e) => e.id), shape: [...shape], dtype, attrs }));
}

export function unary(op: UnaryOp, x: Operand): Expr {
  const e = lift(op, 'x', x);
  const c = e.constValue;
  if (c) return folded(e.g, e.shape, foldUnary(op, c));
  return node(e.g, op, [e], e.shape);
}

export function binary(op: BinaryOp, a: Operand, b: Operand): Expr {
  const g = builderOf(op, a, b);
  const ea = lift(op, 'a', a, g);
  const eb = lift(op, 'b', b, g);
  const shape = broadcastShapes(op, ea.shape, eb.shape);
  const ca = ea.constValue;
  const cb = eb.constValue;
  if (ca && cb) return folded(g, shape, foldBinary(op, ca, ea.shape, cb, eb.shape, shape));
  return node(g, op, [ea, eb], shape);
}

/**
 * Constant folding: an elementwise op whose inputs are all float constants is evaluated here, in float64 with the
 * reference backend's functions, and becomes a constant. Data-only subexpressions (a centred observation, the log of
 * a known scale) then cost no kernel per gradient call, and a float32 backend sees them rounded once.
 */
function folded(g: GraphBuilder, shape: Shape, data: Float64Array): Expr {
  return new Expr(g, g.add({ op: 'const', inputs: [], shape: [...shape], dtype: 'float', data }));
}

export function compare(op: CompareOp, a: Operand, b: Operand): Expr {
  const g = builderOf(op, a, b);
  const ea = lift(op, 'a', a, g);
  const eb = lift(op, 'b', b, g);
  return node(g, op, [ea, eb], broadcastShapes(op, ea.shape, eb.shape), 'bool');
}

function axesList(fn: string, axis: number | number[] | undefined, ndim: number): number[] | null {
  if (axis === undefined) return null;
  const list = Array.isArray(axis) ? axis : [axis];
  const out = list.map((a) => normAxis(fn, a, ndim));
  if (new Set(out).size !== out.length) throw new ModelError(`[${fn}] repeated axis in ${JSON.stringify(axis)}`);
  return out.sort((p, q) => p - q);
}

export function reduce(op: ReduceOp, x: Operand, axis?: number | number[], keepdims = false): Expr {
  const e = lift(op, 'x', x);
  const axes = axesList(op, axis, e.ndim);
  const all = axes ?? e.shape.map((_, i) => i);
  const shape = keepdims ? e.shape.map((d, i) => (all.includes(i) ? 1 : d)) : e.shape.filter((_, i) => !all.includes(i));
  return node(e.g, op, [e], shape, 'float', { axes, keepdims });
}

export function reshape(x: Operand, shape: readonly number[]): Expr {
  const e = lift('reshape', 'x', x);
  const want = [...shape];
  const neg = want.indexOf(-1);
  if (neg >= 0) want[neg] = e.size / sizeOf(want.filter((d) => d !== -1));
  if (!want.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(want) !== e.size) {
    throw new ModelError(`[reshape] cannot reshape ${fmtShape(e.shape)} (size ${e.size}) to ${fmtShape(shape)}`);
  }
  const c = e.constValue;
  if (c) return folded(e.g, want, c);
  return node(e.g, 'reshape', [e], want);
}

export function broadcastTo(x: Operand, shape: readonly number[]): Expr {
  const e = lift('broadcastTo', 'x', x);
  const out = broadcastShapes('broadcastTo', e.shape, shape);
  if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    throw new ModelError(`[broadcastTo] cannot broadcast ${fmtShape(e.shape)} to ${fmtShape(shape)}`);
  }
  return node(e.g, 'broadcastTo', [e], out);
}

/** Gathers `indices` (integer constants, checked against the axis length here) along `axis`. */
export function take(x: Operand, indices: unknown, axis = 0): Expr {
  const e = lift('take', 'x', x);
  const ax = normAxis('take', axis, e.ndim);
  const idx = indices instanceof Expr ? indices : intConstant(e.g, indices, '[take] indices');
  if (idx.node.dtype !== 'int') throw new ModelError('[take] indices must be integers');
  const len = e.shape[ax]!;
  const data = idx.node.data;
  if (data) {
    for (let i = 0; i < data.length; i++) {
      if (data[i]! < 0 || data[i]! >= len) throw new ModelError(`[take] index ${data[i]} is out of range for an axis of length ${len}`);
    }
  }
  const shape = [...e.shape.slice(0, ax), ...idx.shape, ...e.shape.slice(ax + 1)];
  return node(e.g, 'take', [e, idx], shape, 'float', { axis: ax });
}

export function where(cond: Operand, a: Operand, b: Operand): Expr {
  const g = builderOf('where', cond, a, b);
  let c: Expr;
  if (cond instanceof Expr) c = cond;
  else {
    const t = toIntTensor(cond, '[where] cond');
    c = new Expr(g, g.add({ op: 'const', inputs: [], shape: t.shape, dtype: 'bool', data: t.data }));
  }
  if (c.node.dtype !== 'bool') throw new ModelError('[where] cond must be a comparison (lt, gt, ...) or an array of booleans');
  const ea = lift('where', 'a', a, g);
  const eb = lift('where', 'b', b, g);
  return node(g, 'where', [c, ea, eb], broadcastShapes('where', c.shape, ea.shape, eb.shape));
}

/** Clamps to [lo, hi] with the gradient 1 strictly inside and 0 outside. */
export function clamp(x: Operand, lo: Operand, hi: Operand): Expr {
  const g = builderOf('clamp', x, lo, hi);
  const ex = lift('clamp', 'x', x, g);
  const el = lift('clamp', 'lo', lo, g);
  const eh = lift('clamp', 'hi', hi, g);
  return node(g, 'clamp', [ex, el, eh], broadcastShapes('clamp', ex.shape, el.shape, eh.shape));
}

export function cumsum(x: Operand, axis = 0, reverse = false): Expr {
  const e = lift('cumsum', 'x', x);
  return node(e.g, 'cumsum', [e], e.shape, 'float', { axis: normAxis('cumsum', axis, e.ndim), reverse });
}

/** numpy matmul for 1-D and 2-D operands (a vector on the left is a row, on the right a column). */
export function matmul(a: Operand, b: Operand): Expr {
  const g = builderOf('matmul', a, b);
  const ea = lift('matmul', 'a', a, g);
  const eb = lift('matmul', 'b', b, g);
  const sa = ea.shape;
  const sb = eb.shape;
  if (sa.length < 1 || sa.length > 2 || sb.length < 1 || sb.length > 2) {
    throw new ModelError(`[matmul] operands must be 1-D or 2-D, got ${fmtShape(sa)} and ${fmtShape(sb)}`);
  }
  const k1 = sa[sa.length - 1]!;
  const k2 = sb.length === 1 ? sb[0]! : sb[0]!;
  if (k1 !== k2) throw new ModelError(`[matmul] inner dimensions differ: ${fmtShape(sa)} @ ${fmtShape(sb)}`);
  const shape = [...(sa.length === 2 ? [sa[0]!] : []), ...(sb.length === 2 ? [sb[1]!] : [])];
  return node(g, 'matmul', [ea, eb], shape);
}

export function concat(xs: readonly Operand[], axis = 0): Expr {
  if (xs.length === 0) throw new ModelError('[concat] needs at least one array');
  const g = builderOf('concat', ...xs);
  const es = xs.map((x, i) => lift('concat', `xs[${i}]`, x, g));
  const nd = es[0]!.ndim;
  const ax = normAxis('concat', axis, nd);
  let total = 0;
  for (const [i, e] of es.entries()) {
    if (e.ndim !== nd || e.shape.some((d, k) => k !== ax && d !== es[0]!.shape[k])) {
      throw new ModelError(`[concat] xs[${i}] has shape ${fmtShape(e.shape)}, incompatible with ${fmtShape(es[0]!.shape)} on axis ${ax}`);
    }
    total += e.shape[ax]!;
  }
  const shape = es[0]!.shape.map((d, k) => (k === ax ? total : d));
  return node(g, 'concat', es, shape, 'float', { axis: ax });
}

export function stack(xs: readonly Operand[], axis = 0): Expr {
  if (xs.length === 0) throw new ModelError('[stack] needs at least one array');
  const g = builderOf('stack', ...xs);
  const es = xs.map((x, i) => lift('stack', `xs[${i}]`, x, g));
  for (const [i, e] of es.entries()) {
    if (e.ndim !== es[0]!.ndim || e.shape.some((d, k) => d !== es[0]!.shape[k])) {
      throw new ModelError(`[stack] xs[${i}] has shape ${fmtShape(e.shape)}, but xs[0] has ${fmtShape(es[0]!.shape)}`);
    }
  }
  const ax = normAxis('stack', axis, es[0]!.ndim + 1);
  const shape = [...es[0]!.shape.slice(0, ax), es.length, ...es[0]!.shape.slice(ax)];
  return node(g, 'stack', es, shape, 'float', { axis: ax });
}

export function transpose(x: Operand, perm?: readonly number[]): Expr {
  const e = lift('transpose', 'x', x);
  const p = perm ? [...perm] : e.shape.map((_, i) => e.ndim - 1 - i);
  if (p.length !== e.ndim || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new ModelError(`[transpose] perm ${JSON.stringify(perm)} is not a permutation of ${e.ndim} axes`);
  }
  return node(e.g, 'transpose', [e], p.map((i) => e.shape[i]!), 'float', { perm: p });
}

/** Unit-stride slice [begin, end) on every axis (strided slices are never emitted: MLX #4444). */
export function slice(x: Operand, begin: readonly number[], end: readonly number[]): Expr {
  const e = lift('slice', 'x', x);
  if (begin.length !== e.ndim || end.length !== e.ndim) throw new ModelError(`[slice] begin/end must have ${e.ndim} entries`);
  const shape = e.shape.map((d, i) => {
    const b = begin[i]!;
    const en = end[i]!;
    if (!(Number.isInteger(b) && Number.isInteger(en) && b >= 0 && en <= d && b <= en)) {
      throw new ModelError(`[slice] range [${b}, ${en}) is outside axis ${i} of length ${d}`);
    }
    return en - b;
  });
  return node(e.g, 'slice', [e], shape, 'float', { begin: [...begin], end: [...end] });
}
