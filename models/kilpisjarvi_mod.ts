// kilpisjarvi_mod (3d): linear trend of summer temperatures at Kilpisjärvi (posteriordb's
// kilpisjarvi_mod-kilpisjarvi; data from posteriordb, BSD-3-Clause, via ../shared/datasets/kilpisjarvi_mod.json,
// N = 62): alpha ~ Normal(pmualpha, psalpha); beta ~ Normal(pmubeta, psbeta); flat sigma > 0 (as posteriordb);
// y[i] ~ Normal(alpha + beta·x[i], sigma). x (the year, shifted) is far from 0: alpha and beta are almost perfectly
// correlated (bench/adaptation.ts).
import { HalfFlat, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; x: number[]; y: number[]; pmualpha: number; psalpha: number; pmubeta: number; psbeta: number }>('kilpisjarvi_mod');

export const kilpisjarvi_mod = model('kilpisjarvi_mod', (m) => {
  const alpha = m.param('alpha', Normal(d.pmualpha, d.psalpha));
  const beta = m.param('beta', Normal(d.pmubeta, d.psbeta));
  const sigma = m.param('sigma', HalfFlat());
  m.observe(Normal(beta.mul(d.x).add(alpha), sigma), d.y, 'y');
});
export const meta: ModelEntry = { name: 'kilpisjarvi_mod', dim: 3 };
export default kilpisjarvi_mod;
