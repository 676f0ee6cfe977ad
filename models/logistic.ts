// logistic (21d): alpha ~ Normal(0, 10); beta[k] ~ Normal(0, 10); y[i] ~ Bernoulli(logit = alpha + X[i]·beta).
import { Bernoulli, matmul, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; K: number; X: number[][]; y: number[] }>('logistic');

export const logistic = model('logistic', (m) => {
  const alpha = m.param('alpha', Normal(0, 10));
  const beta = m.param('beta', Normal(0, 10), { shape: [d.K] });
  m.observe(Bernoulli({ logits: matmul(d.X, beta).add(alpha) }), d.y, 'y');
});
export const meta: ModelEntry = { name: 'logistic', dim: 21 };
export default logistic;
