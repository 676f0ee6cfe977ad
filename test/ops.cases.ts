// The op table's test cases: each maps a parameter vector x (shape [3]) to a term of the log density.
import * as M from 'mlx-nuts';
import { model, Normal, type Expr } from 'mlx-nuts';

const A = [[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]];

/** Each case maps a parameter vector x (shape [3], values in about (-0.7, 0.7)) to a term added to the density. */
export const OPS: Record<string, (x: Expr) => Expr> = {
  add: (x) => x.add(1.5).add(x).sum(),
  sub: (x) => x.sub([1, 2, 3]).sum(),
  mul: (x) => x.mul(x).mul(-0.5).sum(),
  div: (x) => x.div(M.exp(x)).sum(),
  neg: (x) => x.neg().sum(),
  pow: (x) => M.exp(x).pow(1.7).sum().add(M.pow(2, x).sum()),
  sum: (x) => x.sum(),
  exp: (x) => M.exp(x).sum(),
  log: (x) => M.log(x.add(2)).sum(),
  log1p: (x) => M.log1p(x).sum(),
  expm1: (x) => M.expm1(x).sum(),
  sqrt: (x) => M.sqrt(x.add(1)).sum(),
  square: (x) => M.square(x).sum(),
  abs: (x) => M.abs(x.add(0.05)).sum(),
  sigmoid: (x) => M.sigmoid(x.mul(3)).sum(),
  logSigmoid: (x) => M.logSigmoid(x.mul(4)).sum(),
  softplus: (x) => M.softplus(x.mul(5)).sum(),
  tanh: (x) => M.tanh(x).sum(),
  lgamma: (x) => M.lgamma(M.exp(x).mul(3)).sum().add(M.lgamma(x.add(0.9)).sum()),
  digamma: (x) => M.digamma(M.exp(x).add(0.5)).sum(),
  // the three branches of the Stirling split: both < 10, only one ≥ 10, both ≥ 10
  lbeta: (x) => M.lbeta(M.exp(x).add(0.3), M.exp(x.neg()).mul(2)).sum()
    .add(M.lbeta(M.exp(x).mul(30), 0.5).sum()).add(M.lbeta(M.exp(x).mul(15), M.exp(x.neg()).mul(40)).sum()),
  erf: (x) => M.erf(x.mul(2)).sum(),
  logSumExp: (x) => M.logSumExp(x.mul(3)),
  'logSumExp(axis)': (x) => M.logSumExp(M.stack([x, x.mul(2)]), 0).sum(),
  mean: (x) => M.mean(M.square(x)),
  cumsum: (x) => M.cumsum(x).mul([1, -2, 3]).sum().add(M.cumsum(x, 0, true).mul([0.5, 1, 2]).sum()),
  matmul: (x) => M.matmul(A, x).mul([1, -1]).sum().add(M.matmul(x, M.transpose(A)).sum()),
  'matmul(2d)': (x) => M.matmul(M.reshape(M.concat([x, x]), [2, 3]), M.transpose(A)).square().sum(),
  dot: (x) => M.dot(x, [0.1, 0.2, 0.3]),
  take: (x) => M.take(x, [2, 0, 0, 1]).mul([1, 2, 3, 4]).sum(),
  where: (x) => M.where(M.gt(x, 0), x.mul(2), M.square(x)).sum(),
  maximum: (x) => M.maximum(x, 0.1).sum(),
  minimum: (x) => M.minimum(x, [0.2, 0.2, -0.3]).sum(),
  clamp: (x) => M.clamp(x.mul(2), -0.5, 0.5).mul([1, 2, 3]).sum(),
  concat: (x) => M.concat([x, M.square(x)]).mul([1, 2, 3, 4, 5, 6]).sum(),
  stack: (x) => M.stack([x, M.exp(x)], 1).mul([[1, 2], [3, 4], [5, 6]]).sum(),
  reshape: (x) => M.reshape(M.concat([x, x.mul(2)]), [3, 2]).mul([[1, 2], [3, 4], [5, 6]]).sum(),
  transpose: (x) => M.transpose(M.stack([x, x.mul(x)])).mul([[1, 2], [3, 4], [5, 6]]).sum(),
  slice: (x) => M.slice(x, [1], [3]).mul([3, 5]).sum(),
  broadcastTo: (x) => M.broadcastTo(x, [2, 3]).mul([[1, 2, 3], [4, 5, 6]]).sum(),
  max: (x) => M.max(x.mul([1, 2, 3])),
  logAddExp: (x) => M.logAddExp(x, x.mul(-2)).sum(),
  sinCos: (x) => M.sin(x).add(M.cos(x)).sum(),
  'get (element)': (x) => x.get(1).mul(3),
};

export function opModel(name: string, f: (x: Expr) => Expr) {
  return model(`op_${name}`, (m) => {
    const x = m.param('x', Normal(0, 1), { shape: [3] });
    m.factor(f(x));
  });
}

