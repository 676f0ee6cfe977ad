// stress (8d): centred hierarchy with 3 groups whose noise scales span 0.1 to 20.
import { HalfNormal, model, Normal, take } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; G: number; group: number[]; y: number[] }>('stress');

export const stress = model('stress', (m) => {
  const mu = m.param('mu', Normal(0, 5));
  const tau = m.param('tau', HalfNormal(2));
  const a = m.param('a', Normal(mu, tau), { shape: [d.G] });
  const sigma = m.param('sigma', HalfNormal(10), { shape: [d.G] });
  m.observe(Normal(take(a, d.group), take(sigma, d.group)), d.y, 'y');
});
export const meta: ModelEntry = { name: 'stress', dim: 8 };
export default stress;
