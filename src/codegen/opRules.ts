// Per-op source of generated code: the forward value and the reverse-mode rule of every IR op, in the common
// dialect. Each formula is the reference interpreter's (src/backend/reference/forward.ts, backward.ts).
import type { GraphNode } from '../graph/ir.ts';
import { sameShape, sizeOf, stridesOf, type Shape } from '../graph/shape.ts';
import { lit } from './prelude.ts';

/** Value x ↦ expression (x is an `R` local). */
export const UNARY_FWD: Record<string, string> = {
  neg: '-x', exp: 'mn_exp(x)', log: 'mn_log(x)', log1p: 'mn_log1p(x)', expm1: 'mn_expm1(x)', sqrt: 'mn_sqrt(x)',
  square: 'x * x', abs: 'mn_fabs(x)', sigmoid: '(R)mn_sigmoid(x)', logSigmoid: '(R)(-mn_softplus(-x))',
  softplus: '(R)mn_softplus(x)', tanh: 'mn_tanh(x)', lgamma: '(R)mn_lgamma(x)', digamma: '(R)mn_digamma(x)',
  erf: '(R)mn_erf(x)', sin: 'mn_sin(x)', cos: 'mn_cos(x)', floor: 'mn_floor(x)', stopGradient: 'x',
};

/** dy/dx from x and y; ops absent here pass no gradient (floor, stopGradient). */
export const UNARY_DER: Record<string, string> = {
  neg: '(R)-1', exp: 'y', log: '(R)1 / x', log1p: '(R)1 / (1 + x)', expm1: 'y + 1', sqrt: '(R)0.5 / y', square: '2 * x',
  abs: '(R)mn_sign(x)', sigmoid: 'y * (1 - y)', logSigmoid: '(R)mn_sigmoid(-x)', softplus: '(R)mn_sigmoid(x)',
  tanh: '1 - y * y', lgamma: '(R)mn_digamma(x)', digamma: '(R)mn_trigamma(x)',
  erf: `(R)(${lit(2 / Math.sqrt(Math.PI))} * mn_exp(-(double)x * x))`, sin: 'mn_cos(x)', cos: '-mn_sin(x)',
};

/**
 * Unary ops whose value and derivative share one costly subexpression `e` of x, which a region (regions.ts) keeps in a
 * register from the value to the adjoint: [e from x, value from x and e, dy/dx from x, y and e]. Each gives its
 * UNARY_FWD and UNARY_DER formula bit for bit, only without computing e twice:
 * - logSigmoid: -softplus(-x) and sigmoid(-x) (prelude.ts) both take exp(-|x|) on their branches (exp(x) for x <= 0,
 *   exp(-x) for x > 0), and -((-x) + l) = x - l exactly, since rounding is symmetric about zero. logistic's rows spent
 *   two exponentials on it (bench/results/2026-11-30h-gpu-h200.md).
 */
export const UNARY_SHARED: Record<string, readonly [string, string, string]> = {
  logSigmoid: ['mn_exp(-mn_fabs(x))', '(R)(x < 0 ? x - mn_log1p(e) : -mn_log1p(e))', '(R)(x <= 0 ? 1 / (1 + e) : e / (1 + e))'],
};

export const BINARY_FWD: Record<string, string> = {
  add: 'a + b', sub: 'a - b', mul: 'a * b', div: 'a / b', pow: 'mn_pow(a, b)', maximum: '(R)mn_max(a, b)',
  minimum: '(R)mn_min(a, b)', logAddExp: '(R)mn_logaddexp(a, b)', lbeta: '(R)mn_lbeta(a, b)',
  lt: '(R)(a < b)', le: '(R)(a <= b)', gt: '(R)(a > b)', ge: '(R)(a >= b)', eq: '(R)(a == b)', ne: '(R)(a != b)',
};

/** (∂y/∂a, ∂y/∂b) from a, b and y. */
export const BINARY_DER: Record<string, [string, string]> = {
  add: ['(R)1', '(R)1'], sub: ['(R)1', '(R)-1'], mul: ['b', 'a'], div: ['(R)1 / b', '-a / (b * b)'],
  pow: ['(b == 0 ? (R)0 : b * mn_pow(a, b - 1))', '(a > 0 ? y * mn_log(a) : (R)0)'],
  maximum: ['(R)(a >= b ? 1 : 0)', '(R)(a >= b ? 0 : 1)'], minimum: ['(R)(a <= b ? 1 : 0)', '(R)(a <= b ? 0 : 1)'],
  logAddExp: ['(R)mn_sigmoid(a - b)', '(R)mn_sigmoid(b - a)'],
  lbeta: ['(R)mn_digamma_diff(a, b)', '(R)mn_digamma_diff(b, a)'],
};

export const REDUCE = new Set(['sum', 'mean', 'logSumExp', 'max']);

/** clamp(x, lo, hi) from the locals x, lo, hi, and which of its three inputs receives the gradient (0, 1 or 2). */
export const CLAMP_FWD = 'x < lo ? lo : (x > hi ? hi : x)';
export const CLAMP_BRANCH = '(x < lo ? 1 : (x > hi ? 2 : 0))';

/** Test-only planted fault (functionEmitter.ts PlantedFault): the factor appended to `op`'s derivatives, or ''. */
export function faultFactor(fault: { readonly op: string; readonly scale: number } | undefined, op: string): string {
  return fault && fault.op === op ? ` * (R)${fault.scale}` : '';
}

/** Names of node k's value and adjoint arrays in generated code. */
export const v = (k: number) => `v${k}`;
export const g = (k: number) => `g${k}`;

/** A loop nest over `shape` with loop variables i0…; `o` is the flat (row-major) index inside `body`. */
export function loops(shape: Shape, body: (ix: string[]) => string[], tag: string): string[] {
  const r = shape.length;
  const n = sizeOf(shape);
  if (r === 0 || n === 1) return ['{', `  const int o = 0;`, ...(r ? shape.map((_, k) => `  const int ${tag}${k} = 0;`) : []), ...body(shape.map((_, k) => `${tag}${k}`)).map((l) => '  ' + l), '}'];
  if (r === 1) {
    return [`for (int o = 0; o < ${n}; ++o) {`, `  const int ${tag}0 = o;`, ...body([`${tag}0`]).map((l) => '  ' + l), '}'];
  }
  const ix = shape.map((_, k) => `${tag}${k}`);
  const head = shape.map((d, k) => `${'  '.repeat(k + 1)}for (int ${ix[k]} = 0; ${ix[k]} < ${d}; ++${ix[k]})`);
  return ['{', '  int o = 0;', ...head, `${'  '.repeat(r + 1)}{`, ...body(ix).map((l) => '  '.repeat(r + 2) + l),
    `${'  '.repeat(r + 2)}++o;`, `${'  '.repeat(r + 1)}}`, '}'];
}

/** Σ coeff·var + constant, with zero terms dropped. */
function linear(terms: [string, number][], c = 0): string {
  const parts = terms.filter(([, s]) => s !== 0).map(([v, s]) => (s === 1 ? v : `${v} * ${s}`));
  if (c !== 0 || parts.length === 0) parts.push(String(c));
  return parts.join(' + ');
}

/** Flat index into an input of shape `inp` broadcast to `out`, at loop variables `ix` (flat `o`). */
export function bindex(inp: Shape, out: Shape, ix: string[]): string {
  if (sameShape(inp, out)) return 'o';
  if (sizeOf(inp) === 1) return '0';
  const st = stridesOf(inp);
  const off = out.length - inp.length;
  return linear(inp.map((d, k) => [ix[k + off]!, d === 1 ? 0 : st[k]!] as [string, number]));
}

/** For a reduction: the output index of the input element at `ix`, and the number of elements per output. */
export function reduceIndex(n: GraphNode, inp: Shape, ix: string[]): { idx: string; count: number; outSize: number } {
  const axes = n.attrs?.axes ?? inp.map((_, i) => i);
  const kept = inp.map((d, i) => (axes.includes(i) ? 1 : d));
  const ks = stridesOf(kept);
  return {
    idx: linear(inp.map((d, k) => [ix[k]!, axes.includes(k) ? 0 : ks[k]!] as [string, number])),
    count: axes.reduce((p, a) => p * inp[a]!, 1),
    outSize: sizeOf(kept),
  };
}

/** For gather ops: for each source input, loops over a shape and the (output index, input index) pair. */
export interface GatherMap {
  readonly input: number;
  readonly shape: Shape;
  /** [output index, input index] as expressions of the loop variables (and `o`, the flat loop index). */
  readonly at: (ix: string[]) => [string, string];
}

export function gatherMaps(n: GraphNode, inShapes: Shape[], idxVar: (k: number) => string): GatherMap[] {
  const out = n.shape;
  const os = stridesOf(out);
  const a = n.attrs ?? {};
  const in0 = inShapes[0]!;
  const is0 = stridesOf(in0);
  switch (n.op) {
    case 'broadcastTo':
      return [{ input: 0, shape: out, at: (ix) => ['o', bindex(in0, out, ix)] }];
    case 'transpose':
      return [{ input: 0, shape: out, at: (ix) => ['o', linear(ix.map((v, k) => [v, is0[a.perm![k]!]!] as [string, number]))] }];
    case 'slice': {
      const c = a.begin!.reduce((s, b, k) => s + b * is0[k]!, 0);
      return [{ input: 0, shape: out, at: (ix) => ['o', linear(ix.map((v, k) => [v, is0[k]!] as [string, number]), c)] }];
    }
    case 'concat': {
      let off = 0;
      return inShapes.map((s, j) => {
        const base = off * os[a.axis!]!;
        off += s[a.axis!]!;
        return { input: j, shape: s, at: (ix) => [linear(ix.map((v, k) => [v, os[k]!] as [string, number]), base), 'o'] };
      });
    }
    case 'stack':
      return inShapes.map((s, j) => ({
        input: j, shape: s,
        at: (ix) => [linear(ix.map((v, k) => [v, os[k < a.axis! ? k : k + 1]!] as [string, number]), j * os[a.axis!]!), 'o'],
      }));
    case 'take': {
      const ax = a.axis!;
      const P = in0.slice(0, ax).reduce((p, d) => p * d, 1);
      const L = in0[ax]!;
      const S = in0.slice(ax + 1).reduce((p, d) => p * d, 1);
      const J = sizeOf(inShapes[1]!);
      const idx = idxVar(1);
      return [{
        input: 0, shape: [P, J, S],
        at: (ix) => ['o', `(${ix[0]} * ${L} + ${idx}[${ix[1]}]) * ${S} + ${ix[2]}`],
      }];
    }
    default:
      throw new Error(`[codegen] ${n.op} is not a gather op`);
  }
}

export const GATHER = new Set(['broadcastTo', 'transpose', 'slice', 'concat', 'stack', 'take']);
