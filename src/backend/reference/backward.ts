// Reverse-mode rules of the reference interpreter: accumulate each node's cotangent into its inputs.
import type { GraphNode } from '../../graph/ir.ts';
import { mmDims, stridesOf } from '../../graph/shape.ts';
import { at } from './forward.ts';
import type { NodePlan } from './plan.ts';
import { digamma, digammaDiff, sigmoid, trigamma } from '../../math/special.ts';

/** d f(x)/dx given x and y = f(x). */
export const UNARY_D: Record<string, (x: number, y: number) => number> = {
  neg: () => -1,
  exp: (_x, y) => y,
  log: (x) => 1 / x,
  log1p: (x) => 1 / (1 + x),
  expm1: (_x, y) => y + 1,
  sqrt: (_x, y) => 0.5 / y,
  square: (x) => 2 * x,
  abs: (x) => Math.sign(x),
  sigmoid: (_x, y) => y * (1 - y),
  logSigmoid: (x) => sigmoid(-x),
  softplus: (x) => sigmoid(x),
  tanh: (_x, y) => 1 - y * y,
  lgamma: (x) => digamma(x),
  digamma: (x) => trigamma(x),
  erf: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
  sin: (x) => Math.cos(x),
  cos: (x) => -Math.sin(x),
  floor: () => 0,
  stopGradient: () => 0,
};

/** Partial derivatives (d/da, d/db) of a binary op at (a, b) with value y. */
export const BINARY_D: Record<string, (a: number, b: number, y: number) => [number, number]> = {
  add: () => [1, 1],
  sub: () => [1, -1],
  mul: (a, b) => [b, a],
  div: (a, b) => [1 / b, -a / (b * b)],
  pow: (a, b, y) => [b === 0 ? 0 : b * Math.pow(a, b - 1), a > 0 ? y * Math.log(a) : 0],
  maximum: (a, b) => (a >= b ? [1, 0] : [0, 1]),
  minimum: (a, b) => (a <= b ? [1, 0] : [0, 1]),
  logAddExp: (a, b) => [sigmoid(a - b), sigmoid(b - a)],
  lbeta: (a, b) => [digammaDiff(a, b), digammaDiff(b, a)],
};

/**
 * TEST ONLY, off by default (op null): every node of `op` sends `factor` times its true cotangents to its inputs,
 * i.e. a wrong derivative planted in this engine, so that tests can see check() find and name it (test/check.test.ts).
 */
export const plantedDerivativeFault: { op: string | null; factor: number } = { op: null, factor: 1.5 };

function acc(g: Float64Array, map: Int32Array | null | undefined, i: number, v: number): void {
  g[map ? map[i]! : i]! += v;
}

/**
 * Adds the vector-Jacobian product of node `n` with cotangent `gy` to the input cotangents `gins`
 * (entries are null for inputs that need no gradient: constants and int/bool nodes).
 */
export function backwardNode(n: GraphNode, plan: NodePlan, ins: Float64Array[], y: Float64Array, gy: Float64Array,
  gins: (Float64Array | null)[], inShapes: readonly (readonly number[])[]): void {
  const op = n.op;
  if (plantedDerivativeFault.op === op) gy = gy.map((v) => v * plantedDerivativeFault.factor);
  const size = y.length;
  if (plan.gather) {
    const { src, idx } = plan.gather;
    for (let i = 0; i < size; i++) {
      const gi = gins[src[i]!];
      if (gi) gi[idx[i]!]! += gy[i]!;
    }
    return;
  }
  if (plan.rmap) {
    const g0 = gins[0];
    if (!g0) return;
    const x = ins[0]!;
    const r = plan.rmap;
    if (op === 'sum') for (let i = 0; i < x.length; i++) g0[i]! += gy[r[i]!]!;
    else if (op === 'mean') for (let i = 0; i < x.length; i++) g0[i]! += gy[r[i]!]! / plan.rcount!;
    else if (op === 'logSumExp') for (let i = 0; i < x.length; i++) g0[i]! += gy[r[i]!]! * Math.exp(x[i]! - y[r[i]!]!);
    else {
      const taken = new Uint8Array(size); // max: the first maximal element takes the gradient
      for (let i = 0; i < x.length; i++) {
        if (!taken[r[i]!] && x[i] === y[r[i]!]) {
          taken[r[i]!] = 1;
          g0[i]! += gy[r[i]!]!;
        }
      }
    }
    return;
  }
  if (op === 'matmul') {
    const [m, k, nn] = mmDims(inShapes[0]!, inShapes[1]!);
    const [a, b] = ins as [Float64Array, Float64Array];
    const [ga, gb] = gins;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < nn; j++) {
        const g = gy[i * nn + j]!;
        if (g === 0) continue;
        for (let t = 0; t < k; t++) {
          if (ga) ga[i * k + t]! += g * b[t * nn + j]!;
          if (gb) gb[t * nn + j]! += g * a[i * k + t]!;
        }
      }
    }
    return;
  }
  if (op === 'cumsum') {
    const g0 = gins[0];
    if (!g0) return;
    const ax = n.attrs!.axis!;
    const st = stridesOf(n.shape)[ax]!;
    const len = n.shape[ax]!;
    for (let base = 0; base < size; base++) {
      if (Math.floor(base / st) % len !== 0) continue;
      let s = 0; // the adjoint of a cumsum is the cumsum in the opposite direction
      for (let t = len - 1; t >= 0; t--) {
        const j = n.attrs!.reverse ? base + (len - 1 - t) * st : base + t * st;
        s += gy[j]!;
        g0[j]! += s;
      }
    }
    return;
  }
  const maps = plan.bmaps!;
  if (op === 'where') {
    for (let i = 0; i < size; i++) {
      const c = at(ins[0]!, maps[0], i);
      const gi = c ? gins[1] : gins[2];
      if (gi) acc(gi, c ? maps[1] : maps[2], i, gy[i]!);
    }
    return;
  }
  if (op === 'clamp') {
    for (let i = 0; i < size; i++) {
      const x = at(ins[0]!, maps[0], i);
      const lo = at(ins[1]!, maps[1], i);
      const hi = at(ins[2]!, maps[2], i);
      const k = x < lo ? 1 : x > hi ? 2 : 0;
      const gi = gins[k];
      if (gi) acc(gi, maps[k], i, gy[i]!);
    }
    return;
  }
  const ud = UNARY_D[op];
  if (ud) {
    const g0 = gins[0];
    if (!g0) return;
    for (let i = 0; i < size; i++) {
      if (gy[i] === 0) continue;
      acc(g0, maps[0], i, gy[i]! * ud(at(ins[0]!, maps[0], i), y[i]!));
    }
    return;
  }
  const bd = BINARY_D[op];
  if (bd) {
    const [ga, gb] = gins;
    if (!ga && !gb) return;
    for (let i = 0; i < size; i++) {
      if (gy[i] === 0) continue;
      const [da, db] = bd(at(ins[0]!, maps[0], i), at(ins[1]!, maps[1], i), y[i]!);
      if (ga) acc(ga, maps[0], i, gy[i]! * da);
      if (gb) acc(gb, maps[1], i, gy[i]! * db);
    }
    return;
  }
  // comparisons produce bool nodes: no gradient
}
