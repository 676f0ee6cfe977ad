// medium (5d): centred hierarchy with 2 groups: a[g] ~ Normal(mu, tau); y[i] ~ Normal(a[group[i]], sigma).
import { HalfNormal, model, Normal, take } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; G: number; group: number[]; y: number[] }>('medium');

export const medium = model('medium', (m) => {
  const mu = m.param('mu', Normal(0, 5));
  const tau = m.param('tau', HalfNormal(2));
  const a = m.param('a', Normal(mu, tau), { shape: [d.G] });
  const sigma = m.param('sigma', HalfNormal(2));
  m.observe(Normal(take(a, d.group), sigma), d.y, 'y');
});
export const meta: ModelEntry = { name: 'medium', dim: 5 };
export default medium;
