// The float64 value of every elementwise graph op on scalars, keyed by op name: the reference interpreter evaluates
// with it and the graph folds constants with it, so folding never changes a value the interpreter would compute.
import { digamma, erf, lbeta, lgamma, sigmoid, softplus } from './special.ts';

export const UNARY_F: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  abs: Math.abs,
  sigmoid,
  logSigmoid: (x) => -softplus(-x),
  softplus,
  tanh: Math.tanh,
  lgamma,
  digamma,
  erf,
  sin: Math.sin,
  cos: Math.cos,
  floor: Math.floor,
  stopGradient: (x) => x,
};

export const BINARY_F: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  logAddExp: (a, b) => {
    const m = Math.max(a, b);
    if (m === -Infinity) return -Infinity;
    if (m === Infinity) return Infinity;
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  },
  lbeta,
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
};
