// simple (2d): mu ~ Normal(0, 10); sigma ~ Exponential(1); y[i] ~ Normal(mu, sigma).
import { Exponential, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; y: number[] }>('simple');

export const simple = model('simple', (m) => {
  const mu = m.param('mu', Normal(0, 10));
  const sigma = m.param('sigma', Exponential(1));
  m.observe(Normal(mu, sigma), d.y, 'y');
});
export const meta: ModelEntry = { name: 'simple', dim: 2 };
export default simple;
