// sblrc (6d): Bayesian linear regression with correlated predictors (posteriordb's sblrc-blr; data from posteriordb,
// BSD-3-Clause, via ../shared/datasets/sblrc.json): beta[d] ~ Normal(0, 10); sigma ~ HalfNormal(10);
// y[i] ~ Normal(X[i]·beta, sigma). A dense posterior: the benchmark of the low-rank metric (bench/adaptation.ts).
import { HalfNormal, matmul, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; D: number; X: number[][]; y: number[] }>('sblrc');

export const sblrc = model('sblrc', (m) => {
  const beta = m.param('beta', Normal(0, 10), { shape: [d.D] });
  const sigma = m.param('sigma', HalfNormal(10));
  m.observe(Normal(matmul(d.X, beta), sigma), d.y, 'y');
});
export const meta: ModelEntry = { name: 'sblrc', dim: 6 };
export default sblrc;
