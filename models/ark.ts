// ark (7d): autoregressive model of order K = 5 (posteriordb's arK-arK; data from posteriordb, BSD-3-Clause, via
// ../shared/datasets/arK.json, T = 200): alpha ~ Normal(0, 10); beta[k] ~ Normal(0, 10); sigma ~ HalfCauchy(2.5);
// y[t] ~ Normal(alpha + Σ_k beta[k]·y[t−k], sigma) for t > K. Lagged values are the predictors (bench/adaptation.ts).
import { HalfCauchy, matmul, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ K: number; T: number; y: number[] }>('ark');
// the lag matrix: row t − K holds y[t−1], …, y[t−K]
const lags = Array.from({ length: d.T - d.K }, (_, i) => Array.from({ length: d.K }, (_, k) => d.y[i + d.K - 1 - k]!));

export const ark = model('ark', (m) => {
  const alpha = m.param('alpha', Normal(0, 10));
  const beta = m.param('beta', Normal(0, 10), { shape: [d.K] });
  const sigma = m.param('sigma', HalfCauchy(2.5));
  m.observe(Normal(matmul(lags, beta).add(alpha), sigma), d.y.slice(d.K), 'y');
});
export const meta: ModelEntry = { name: 'ark', dim: 7 };
export default ark;
