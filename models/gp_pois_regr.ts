// gp_pois_regr (13d): Poisson counts with a latent Gaussian process, non-centred (posteriordb's
// gp_pois_regr-gp_pois_regr; data from posteriordb, BSD-3-Clause, via ../shared/datasets/gp_pois_regr.json, N = 11):
// rho ~ Gamma(25, 4); alpha ~ HalfNormal(2); f_tilde[i] ~ Normal(0, 1); f = L·f_tilde with L the Cholesky factor of
// K[i][j] = alpha²·exp(−(x[i] − x[j])² / (2 rho²)) + 1e-10·δ[i][j]; k[i] ~ Poisson(log rate f[i]) (bench/adaptation.ts).
import { choleskyFactor, exp, Gamma, HalfNormal, matmul, model, Normal, Poisson, square, where } from 'mlx-nuts';
import { loadData, type ModelEntry } from './data.ts';

const d = loadData<{ N: number; x: number[]; k: number[] }>('gp_pois_regr');
const sqDist = d.x.map((a) => d.x.map((b) => (a - b) ** 2));
const jitter = d.x.map((_, i) => d.x.map((__, j) => (i === j ? 1e-10 : 0)));

export const gp_pois_regr = model('gp_pois_regr', (m) => {
  const rho = m.param('rho', Gamma(25, 4));
  const alpha = m.param('alpha', HalfNormal(2));
  const fTilde = m.param('f_tilde', Normal(0, 1), { shape: [d.N] });
  const cov = exp(square(rho).mul(-2).pow(-1).mul(sqDist)).mul(square(alpha)).add(jitter);
  const { L, ok } = choleskyFactor(cov);
  m.factor(where(ok, 0, -Infinity)); // a covariance that is not positive definite: rejected, as Stan's cholesky_decompose
  m.observe(Poisson({ logRate: matmul(L, fTilde) }), d.k, 'k');
});
export const meta: ModelEntry = { name: 'gp_pois_regr', dim: 13 };
export default gp_pois_regr;
