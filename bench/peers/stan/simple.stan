// simple (2d): mu ~ Normal(0, 10); sigma ~ Exponential(1); y[i] ~ Normal(mu, sigma).
data {
  int<lower=0> N;
  vector[N] y;
}
parameters {
  real mu;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 10);
  sigma ~ exponential(1);
  y ~ normal(mu, sigma);
}
