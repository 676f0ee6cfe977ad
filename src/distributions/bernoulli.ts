// Bernoulli(p) or Bernoulli({ logits }): log p(y) = y·log p + (1−y)·log(1−p), with log σ(±logit) for logits.
import type { Operand } from '../graph/expr.ts';
import { log, log1p, logSigmoid } from '../graph/ops.ts';
import { batchOf, checkValues, param, type Distribution, type Expr } from './distribution.ts';

export function Bernoulli(p: Operand | { logits: Operand } | { p: Operand }): Distribution {
  const isObj = typeof p === 'object' && p !== null && !ArrayBuffer.isView(p) && !Array.isArray(p) && !('g' in p);
  const logits = isObj && 'logits' in p ? param('Bernoulli', 'logits', p.logits, (x) => !Number.isNaN(x), 'a number') : null;
  const prob = logits ? null : param('Bernoulli', 'p', isObj && 'p' in p ? p.p : (p as Operand),
    (x) => x >= 0 && x <= 1, 'in [0, 1]');
  const theta = (logits ?? prob)!;
  return {
    name: 'Bernoulli',
    support: { kind: 'binary' },
    batchShape: batchOf('Bernoulli', theta),
    eventShape: [],
    logProb(y: Expr) {
      if (logits) return y.mul(logSigmoid(logits)).add(y.neg().add(1).mul(logSigmoid(logits.neg())));
      return y.mul(log(prob!)).add(y.neg().add(1).mul(log1p(prob!.neg())));
    },
    checkObserved: (data) => checkValues('Bernoulli', data, (v) => v === 0 || v === 1, '0 or 1'),
  };
}
