// mesquite (8d): log weight of mesquite bushes on log dimensions (posteriordb's mesquite-logmesquite; data from
// posteriordb, BSD-3-Clause, via ../shared/datasets/mesquite.json, N = 46): flat priors on beta and sigma > 0 (as
// posteriordb); log(weight[i]) ~ Normal(beta[0] + beta[1]·log(diam1[i]) + beta[2]·log(diam2[i]) +
// beta[3]·log(canopy_height[i]) + beta[4]·log(total_height[i]) + beta[5]·log(density[i]) + beta[6]·group[i], sigma).
// The size predictors are correlated (bench/adaptation.ts).
import { Flat, HalfFlat, matmul, model, Normal } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

type Mesquite = Record<'weight' | 'diam1' | 'diam2' | 'canopy_height' | 'total_height' | 'density' | 'group', number[]> & { N: number };
const d = loadData<Mesquite>('mesquite');
const X = d.weight.map((_, i) => [1, Math.log(d.diam1[i]!), Math.log(d.diam2[i]!), Math.log(d.canopy_height[i]!),
  Math.log(d.total_height[i]!), Math.log(d.density[i]!), d.group[i]!]);

export const mesquite = model('mesquite', (m) => {
  const beta = m.param('beta', Flat(), { shape: [7] });
  const sigma = m.param('sigma', HalfFlat());
  m.observe(Normal(matmul(X, beta), sigma), d.weight.map(Math.log), 'log_weight');
});
export const meta: ModelEntry = { name: 'mesquite', dim: 8 };
export default mesquite;
