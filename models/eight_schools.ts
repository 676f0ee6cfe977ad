// eight_schools (10d), non-centred: theta = mu + tau · theta_tilde; y[j] ~ Normal(theta[j], sigma[j]).
import { HalfCauchy, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ J: number; y: number[]; sigma: number[] }>('eight_schools');

export const eightSchools = model('eight_schools', (m) => {
  const mu = m.param('mu', Normal(0, 5));
  const tau = m.param('tau', HalfCauchy(5));
  const thetaTilde = m.param('theta_tilde', Normal(0, 1), { shape: [d.J] });
  const theta = m.deterministic('theta', mu.add(tau.mul(thetaTilde)));
  m.observe(Normal(theta, d.sigma), d.y, 'y');
});
export const meta: ModelEntry = { name: 'eight_schools', dim: 10, report: ['mu', 'tau', 'theta'] };
export default eightSchools;
