// Test models and re-exports shared by the sampler's statistical tests.
import { model, Normal, square, sum, type Model } from 'mlx-nuts';

export * from 'mlx-nuts';

/** x ∈ R² ~ N(0, [[1, ρ], [ρ, 1]]) written with a factor: −½ (x₀² − 2ρx₀x₁ + x₁²)/(1 − ρ²) (flat prior). */
export function MvNormalTestModel(rho: number): Model {
  return model(`corr_gauss_${rho}`, (m) => {
    const x = m.param('x', Normal(0, 1000), { shape: [2] });
    const x0 = x.get(0);
    const x1 = x.get(1);
    m.factor(square(x0).add(square(x1)).sub(x0.mul(x1).mul(2 * rho)).mul(-0.5 / (1 - rho * rho)));
    m.factor(sum(square(x)).mul(0.5 / 1000 ** 2)); // cancel the wide prior so the target is exactly N(0, Σ)
  });
}
