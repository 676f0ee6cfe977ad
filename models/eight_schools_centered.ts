// eight_schools_centered (10d): theta[j] ~ Normal(mu, tau) directly (a funnel: expect divergences).
import { HalfCauchy, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ J: number; y: number[]; sigma: number[] }>('eight_schools');

export const eightSchoolsCentered = model('eight_schools_centered', (m) => {
  const mu = m.param('mu', Normal(0, 5));
  const tau = m.param('tau', HalfCauchy(5));
  const theta = m.param('theta', Normal(mu, tau), { shape: [d.J] });
  m.observe(Normal(theta, d.sigma), d.y, 'y');
});
export const meta: ModelEntry = { name: 'eight_schools_centered', dim: 10 };
export default eightSchoolsCentered;
