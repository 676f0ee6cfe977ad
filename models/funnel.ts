// funnel (10d), Neal's centred funnel: v ~ Normal(0, 3); x[k] ~ Normal(0, exp(v/2)) (expect divergences).
import { exp, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ K: number }>('funnel');

export const funnel = model('funnel', (m) => {
  const v = m.param('v', Normal(0, 3));
  m.param('x', Normal(0, exp(v.div(2))), { shape: [d.K] });
});
export const meta: ModelEntry = { name: 'funnel', dim: 10 };
export default funnel;
