// sv (102d), stochastic volatility: s ~ GaussianRandomWalk(sigma); r[t] ~ StudentT(nu, 0, exp(s[t])).
import { exp, Exponential, GaussianRandomWalk, model, StudentT } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ T: number; r: number[] }>('sv');

export const sv = model('sv', (m) => {
  const sigma = m.param('sigma', Exponential(50));
  const nu = m.param('nu', Exponential(0.1));
  const s = m.param('s', GaussianRandomWalk(sigma, { length: d.T }));
  m.observe(StudentT(nu, 0, exp(s)), d.r, 'r');
});
export const meta: ModelEntry = { name: 'sv', dim: 102 };
export default sv;
