// Free functions of the model language; each is differentiable and accepts constants wherever it accepts Exprs.
import { ModelError } from '../base/errors.ts';
import { binary, compare, Expr, lift, reduce, unary, type Operand } from './expr.ts';

export { broadcastTo, clamp, concat, cumsum, matmul, reshape, slice, stack, take, transpose, where } from './expr.ts';

export const exp = (x: Operand): Expr => unary('exp', x);
export const log = (x: Operand): Expr => unary('log', x);
export const log1p = (x: Operand): Expr => unary('log1p', x);
export const expm1 = (x: Operand): Expr => unary('expm1', x);
export const sqrt = (x: Operand): Expr => unary('sqrt', x);
export const square = (x: Operand): Expr => unary('square', x);
export const abs = (x: Operand): Expr => unary('abs', x);
export const sigmoid = (x: Operand): Expr => unary('sigmoid', x);
export const logSigmoid = (x: Operand): Expr => unary('logSigmoid', x);
export const softplus = (x: Operand): Expr => unary('softplus', x);
export const tanh = (x: Operand): Expr => unary('tanh', x);
export const lgamma = (x: Operand): Expr => unary('lgamma', x);
export const digamma = (x: Operand): Expr => unary('digamma', x);
export const erf = (x: Operand): Expr => unary('erf', x);
export const sin = (x: Operand): Expr => unary('sin', x);
export const cos = (x: Operand): Expr => unary('cos', x);
export const stopGradient = (x: Operand): Expr => unary('stopGradient', x);
export const neg = (x: Operand): Expr => unary('neg', x);

export const add = (a: Operand, b: Operand): Expr => binary('add', a, b);
export const sub = (a: Operand, b: Operand): Expr => binary('sub', a, b);
export const mul = (a: Operand, b: Operand): Expr => binary('mul', a, b);
export const div = (a: Operand, b: Operand): Expr => binary('div', a, b);
export const pow = (a: Operand, b: Operand): Expr => binary('pow', a, b);
export const maximum = (a: Operand, b: Operand): Expr => binary('maximum', a, b);
export const minimum = (a: Operand, b: Operand): Expr => binary('minimum', a, b);
export const logAddExp = (a: Operand, b: Operand): Expr => binary('logAddExp', a, b);
/** log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b), accurate for large arguments (gradient ψ(a) − ψ(a+b)). */
export const lbeta = (a: Operand, b: Operand): Expr => binary('lbeta', a, b);

export const lt = (a: Operand, b: Operand): Expr => compare('lt', a, b);
export const le = (a: Operand, b: Operand): Expr => compare('le', a, b);
export const gt = (a: Operand, b: Operand): Expr => compare('gt', a, b);
export const ge = (a: Operand, b: Operand): Expr => compare('ge', a, b);
export const eq = (a: Operand, b: Operand): Expr => compare('eq', a, b);
export const ne = (a: Operand, b: Operand): Expr => compare('ne', a, b);

export const sum = (x: Operand, axis?: number | number[], keepdims = false): Expr => reduce('sum', x, axis, keepdims);
export const mean = (x: Operand, axis?: number | number[], keepdims = false): Expr => reduce('mean', x, axis, keepdims);
export const max = (x: Operand, axis?: number | number[], keepdims = false): Expr => reduce('max', x, axis, keepdims);
export const logSumExp = (x: Operand, axis?: number | number[], keepdims = false): Expr =>
  reduce('logSumExp', x, axis, keepdims);

/** Inner product of two vectors of equal length. */
export function dot(a: Operand, b: Operand): Expr {
  const ea = lift('dot', 'a', a instanceof Expr ? a : a, b instanceof Expr ? b.g : undefined);
  const eb = lift('dot', 'b', b, ea.g);
  if (ea.ndim !== 1 || eb.ndim !== 1 || ea.shape[0] !== eb.shape[0]) {
    throw new ModelError(`[dot] needs two vectors of equal length, got [${ea.shape}] and [${eb.shape}]`);
  }
  return binary('mul', ea, eb).sum();
}
