// earnings (4d): log earnings on height and sex (posteriordb's earnings-logearn_height_male; data from posteriordb,
// BSD-3-Clause, via ../shared/datasets/earnings.json, N = 1192): flat priors on beta and sigma > 0 (as posteriordb);
// log(earn[i]) ~ Normal(beta[0] + beta[1]·height[i] + beta[2]·male[i], sigma). Height is not centred: intercept
// and slope are strongly correlated (bench/adaptation.ts).
import { Flat, HalfFlat, matmul, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; earn: number[]; height: number[]; male: number[] }>('earnings');
const X = d.height.map((h, i) => [1, h, d.male[i]!]);

export const earnings = model('earnings', (m) => {
  const beta = m.param('beta', Flat(), { shape: [3] });
  const sigma = m.param('sigma', HalfFlat());
  m.observe(Normal(matmul(X, beta), sigma), d.earn.map(Math.log), 'log_earn');
});
export const meta: ModelEntry = { name: 'earnings', dim: 4 };
export default earnings;
