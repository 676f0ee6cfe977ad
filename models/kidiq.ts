// kidiq (4d): children's test scores on the mother's high school and IQ (posteriordb's kidiq-kidscore_momhsiq; data
// from posteriordb, BSD-3-Clause, via ../shared/datasets/kidiq.json, N = 434): flat priors on beta (as posteriordb);
// sigma ~ HalfCauchy(2.5); kid_score[i] ~ Normal(beta[0] + beta[1]·mom_hs[i] + beta[2]·mom_iq[i], sigma).
// mom_iq is not centred: intercept and slope are strongly correlated (bench/adaptation.ts).
import { Flat, HalfCauchy, matmul, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; kid_score: number[]; mom_hs: number[]; mom_iq: number[] }>('kidiq');
const X = d.mom_hs.map((hs, i) => [1, hs, d.mom_iq[i]!]);

export const kidiq = model('kidiq', (m) => {
  const beta = m.param('beta', Flat(), { shape: [3] });
  const sigma = m.param('sigma', HalfCauchy(2.5));
  m.observe(Normal(matmul(X, beta), sigma), d.kid_score, 'kid_score');
});
export const meta: ModelEntry = { name: 'kidiq', dim: 4 };
export default kidiq;
