// Outside the support logp = −∞ (never NaN) on both backends; invalid constants and data fail when the model is built.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { Flat, logDensitySync, model, type Distribution, type Expr } from 'mlx-nuts';

/** [label, distribution (built from a Flat parameter θ = 1), value outside the support]. */
const OUTSIDE: [string, (t: Expr) => Distribution, number | number[] | number[][]][] = [
  ['HalfNormal', (t) => M.HalfNormal(t), -1],
  ['HalfCauchy', (t) => M.HalfCauchy(t), -0.5],
  ['HalfStudentT', (t) => M.HalfStudentT(3, t), -2],
  ['LogNormal at 0', (t) => M.LogNormal(0, t), 0],
  ['LogNormal below 0', (t) => M.LogNormal(0, t), -3],
  ['Exponential', (t) => M.Exponential(t), -1],
  ['Gamma at 0', (t) => M.Gamma(t, 1), 0],
  ['Gamma below 0', (t) => M.Gamma(t.add(1), 1), -2],
  ['InverseGamma', (t) => M.InverseGamma(t, 1), -1],
  ['Beta at 0', (t) => M.Beta(t, 2), 0],
  ['Beta at 1', (t) => M.Beta(2, t), 1],
  ['Beta above 1', (t) => M.Beta(t, t), 1.5],
  ['Uniform below', (t) => M.Uniform(t.sub(2), 3), -2],
  ['Uniform above', (t) => M.Uniform(-1, t.add(2)), 3.5],
  ['Weibull', (t) => M.Weibull(t, 1), -1],
  ['TruncatedNormal below', (t) => M.TruncatedNormal(0, t, -1, 2), -1.5],
  ['TruncatedNormal above', (t) => M.TruncatedNormal(0, t, -1, 2), 2.5],
  ['Truncated(Cauchy)', (t) => M.Truncated(M.Cauchy(0, t), 0), -0.1],
  ['Truncated(LogNormal)', (t) => M.Truncated(M.LogNormal(0, t), null, 5), 6],
  ['Dirichlet', (t) => M.Dirichlet(M.concat([t.reshape([1]), [2, 3]])), [-0.1, 0.6, 0.5]],
  ['LKJCholesky', (t) => M.LKJCholesky(2, t), [[1, 0], [0.6, -0.8]]],
  ['MvNormal, covariance not positive definite', (t) => M.MvNormal([0, 0], M.stack([M.stack([t, t.mul(2)]), M.stack([t.mul(2), t])])), [0.1, 0.2]],
  ['Bernoulli', (t) => M.Bernoulli(t.mul(0.3)), 2],
  ['Binomial above n', (t) => M.Binomial(10, t.mul(0.3)), 11],
  ['Binomial non-integer', (t) => M.Binomial(10, t.mul(0.3)), 2.5],
  ['Poisson negative', (t) => M.Poisson(t), -1],
  ['Poisson non-integer', (t) => M.Poisson(t), 1.5],
  ['NegativeBinomial', (t) => M.NegativeBinomial(t, 2), -1],
  ['Mixture of half-normals', (t) => M.Mixture([0.4, 0.6], [M.HalfNormal(t), M.HalfNormal(2)]), -1],
];

describe('a value outside the support has log density −∞ (never NaN), on both backends', () => {
  test.each(OUTSIDE)('%s', (_label, make, x) => {
    const mdl = model('outside', (m) => {
      const t = m.param('theta', Flat());
      m.factor(make(t).logProb(M.reshape(x, Array.isArray(x) ? (Array.isArray(x[0]) ? [2, 2] : [x.length]) : [])).sum());
    });
    const q = Float64Array.from([1]);
    for (const [backend, dtype] of [['reference', 'float64'], ['mlx', 'float32'], ['mlx', 'float64']] as const) {
      const d = logDensitySync(mdl, { backend, dtype });
      const { logp } = d.logpGrad(q);
      expect(logp, `${backend} ${dtype}`).toBe(-Infinity);
      d.dispose();
    }
  });
});

/** [label, builder that must throw, the message it must match]. */
const INVALID: [string, () => unknown, RegExp][] = [
  ['negative scale', () => M.Normal(0, -1), /^\[Normal\] sigma must be positive/],
  ['NaN location', () => M.Normal(NaN, 1), /^\[Normal\] mu is NaN/],
  ['zero scale', () => M.HalfNormal(0), /^\[HalfNormal\] sigma/],
  ['shapes that do not broadcast', () => M.Normal([0, 1], [1, 2, 3]), /^\[Normal\] parameter shapes mu \[2\], sigma \[3\]/],
  ['Cauchy scale', () => M.Cauchy(0, -2), /^\[Cauchy\] sigma/],
  ['HalfCauchy scale', () => M.HalfCauchy(-1), /^\[HalfCauchy\] sigma/],
  ['StudentT nu', () => M.StudentT(-1, 0, 1), /^\[StudentT\] nu/],
  ['HalfStudentT sigma', () => M.HalfStudentT(1, 0), /^\[HalfStudentT\] sigma/],
  ['Laplace b', () => M.Laplace(0, 0), /^\[Laplace\] b/],
  ['Logistic s', () => M.Logistic(0, -1), /^\[Logistic\] s/],
  ['LogNormal sigma', () => M.LogNormal(0, Infinity), /^\[LogNormal\] sigma/],
  ['Exponential rate', () => M.Exponential(-1), /^\[Exponential\] rate/],
  ['Gamma shape', () => M.Gamma(0, 1), /^\[Gamma\] shape/],
  ['Gamma rate', () => M.Gamma(1, -1), /^\[Gamma\] rate/],
  ['InverseGamma shape', () => M.InverseGamma(-1, 1), /^\[InverseGamma\] shape/],
  ['Beta a', () => M.Beta(0, 1), /^\[Beta\] a/],
  ['Beta b', () => M.Beta(1, -2), /^\[Beta\] b/],
  ['Uniform bounds', () => M.Uniform(2, 1), /^\[Uniform\] lower must be below upper/],
  ['Weibull shape', () => M.Weibull(0, 1), /^\[Weibull\] shape/],
  ['TruncatedNormal bounds', () => M.TruncatedNormal(0, 1, 2, 1), /^\[TruncatedNormal\] lower \(2\) must be below upper \(1\)/],
  ['GaussianRandomWalk sigma', () => M.GaussianRandomWalk(-1), /^\[GaussianRandomWalk\] sigma/],
  ['GaussianRandomWalk non-scalar sigma', () => M.GaussianRandomWalk([1, 2]), /^\[GaussianRandomWalk\] sigma must be a scalar/],
  ['MvNormal not positive definite', () => M.MvNormal([0, 0], [[1, 2], [2, 1]]), /^\[MvNormal\] cov must be positive definite/],
  ['MvNormal not symmetric', () => M.MvNormal([0, 0], [[1, 0.5], [0.2, 1]]), /^\[MvNormal\] cov must be symmetric/],
  ['MvNormal wrong shape', () => M.MvNormal([0, 0, 0], [[1, 0], [0, 1]]), /^\[MvNormal\] cov must have shape \[3, 3\]/],
  ['MvNormal Cholesky factor upper entry', () => M.MvNormal([0, 0], { cholesky: [[1, 1], [0, 1]] }), /^\[MvNormal\] cholesky must be lower triangular/],
  ['MvNormal two matrices', () => M.MvNormal([0], { cov: [[1]], precision: [[1]] } as never), /^\[MvNormal\] give exactly one of cov, cholesky, precision/],
  ['Dirichlet alpha', () => M.Dirichlet([1, -1]), /^\[Dirichlet\] alpha/],
  ['Dirichlet shape', () => M.Dirichlet(1), /^\[Dirichlet\] alpha must have a last axis/],
  ['LKJCholesky K', () => M.LKJCholesky(1), /^\[LKJCholesky\] K/],
  ['LKJCholesky eta', () => M.LKJCholesky(3, 0), /^\[LKJCholesky\] eta/],
  ['Bernoulli p', () => M.Bernoulli(1.5), /^\[Bernoulli\] p must be in \[0, 1\]/],
  ['Bernoulli logits', () => M.Bernoulli({ logits: NaN }), /^\[Bernoulli\] logits is NaN/],
  ['Bernoulli options', () => M.Bernoulli({} as never), /^\[Bernoulli\] give exactly one of p, logits/],
  ['Binomial n', () => M.Binomial(2.5, 0.5), /^\[Binomial\] n must be a non-negative integer/],
  ['Binomial p', () => M.Binomial(10, 2), /^\[Binomial\] p/],
  ['Poisson rate', () => M.Poisson(-1), /^\[Poisson\] rate/],
  ['NegativeBinomial mu', () => M.NegativeBinomial(-1, 1), /^\[NegativeBinomial\] mu/],
  ['NegativeBinomial phi', () => M.NegativeBinomial(1, 0), /^\[NegativeBinomial\] phi/],
  ['Categorical probabilities that do not sum to 1', () => M.Categorical([0.5, 0.6]), /^\[Categorical\] probs must sum to 1/],
  ['Categorical negative probability', () => M.Categorical([-0.1, 1.1]), /^\[Categorical\] probs must be in \[0, 1\]/],
  ['Mixture weights that do not sum to 1', () => M.Mixture([0.5, 0.6], [M.Normal(0, 1), M.Normal(1, 1)]), /^\[Mixture\] weights must sum to 1/],
  ['Mixture weights shape', () => M.Mixture([1], [M.Normal(0, 1), M.Normal(1, 1)]), /^\[Mixture\] weights must have shape \[2\]/],
  ['Mixture supports', () => M.Mixture([0.5, 0.5], [M.Normal(0, 1), M.Gamma(2, 1)]), /^\[Mixture\] components\[1\] \(Gamma\) has a different support/],
  ['Censored without a CDF', () => M.Censored(M.Gamma(2, 1), 0, 5), /^\[Censored\] Gamma has no CDF here/],
  ['Truncated without a CDF', () => M.Truncated(M.StudentT(3, 0, 1), 0), /^\[Truncated\] StudentT has no CDF here/],
  ['Censored without bounds', () => M.Censored(M.Normal(0, 1)), /^\[Censored\] give a lower or an upper bound/],
];

describe('an invalid constant parameter is an error naming the family and the parameter, when the model is built', () => {
  test.each(INVALID)('%s', (_label, make, message) => {
    expect(() => model('bad', (m) => {
      m.param('z', M.Normal(0, 1));
      make();
    }).trace()).toThrow(message);
  });
});

/** [label, distribution, observed data that must be rejected, message]. */
const BAD_DATA: [string, () => Distribution, unknown, RegExp][] = [
  ['Bernoulli 2', () => M.Bernoulli(0.5), [0, 1, 2], /^\[Bernoulli\] observed value 2 at position 2 is not 0 or 1/],
  ['Binomial above n', () => M.Binomial(10, 0.5), [3, 11], /^\[Binomial\] observed value 11 at position 1 is more than n = 10/],
  ['Binomial non-integer', () => M.Binomial(10, 0.5), [2.5], /^\[Binomial\] observed value 2.5 at position 0 is not a non-negative integer/],
  ['Poisson negative', () => M.Poisson(2), [1, -1], /^\[Poisson\] observed value -1 at position 1/],
  ['Poisson non-integer', () => M.Poisson(2), [1.5], /^\[Poisson\] observed value 1.5/],
  ['NegativeBinomial', () => M.NegativeBinomial(2, 1), [0.5], /^\[NegativeBinomial\] observed value 0.5/],
  ['Categorical out of range', () => M.Categorical([0.2, 0.3, 0.5]), [0, 3], /^\[Categorical\] observed value 3 at position 1 is not an integer in \[0, 2\]/],
  ['Dirichlet row sum', () => M.Dirichlet([1, 1, 1]), [[0.2, 0.3, 0.4]], /^\[Dirichlet\] observed row 0 sums to 0.9/],
];

describe('observed data outside a discrete support is an error when the model is built', () => {
  test.each(BAD_DATA)('%s', (_label, make, data, message) => {
    expect(() => model('bad', (m) => {
      m.param('z', M.Normal(0, 1));
      m.observe(make(), data, 'y');
    }).trace()).toThrow(message);
  });
});
