// gp_pois_regr (13d): rho ~ gamma(25, 4); alpha ~ normal(0, 2), alpha > 0; f_tilde ~ normal(0, 1); f = cholesky(K) f_tilde; k ~ poisson_log(f) (posteriordb gp_pois_regr-gp_pois_regr; f computed in the model block, so it is no output column).
data {
  int<lower=1> N;
  real x[N];
  int k[N];
}
parameters {
  real<lower=0> rho;
  real<lower=0> alpha;
  vector[N] f_tilde;
}
model {
  matrix[N, N] cov = cov_exp_quad(x, alpha, rho) + diag_matrix(rep_vector(1e-10, N));
  vector[N] f = cholesky_decompose(cov) * f_tilde;
  rho ~ gamma(25, 4);
  alpha ~ normal(0, 2);
  f_tilde ~ normal(0, 1);
  k ~ poisson_log(f);
}
