// logistic (21d): alpha ~ Normal(0, 10); beta[k] ~ Normal(0, 10); y[i] ~ Bernoulli(logit = alpha + X[i] . beta) (as a GLM: same density, faster gradient).
data {
  int<lower=0> N;
  int<lower=0> K;
  matrix[N, K] X;
  int<lower=0, upper=1> y[N];
}
parameters {
  real alpha;
  vector[K] beta;
}
model {
  alpha ~ normal(0, 10);
  beta ~ normal(0, 10);
  y ~ bernoulli_logit_glm(X, alpha, beta);
}
