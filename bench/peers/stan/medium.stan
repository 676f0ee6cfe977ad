// medium (5d): centred hierarchy, 2 groups: a[g] ~ Normal(mu, tau); y[i] ~ Normal(a[group[i]], sigma) (group 1-based here).
data {
  int<lower=0> N;
  int<lower=1> G;
  int<lower=1, upper=G> group[N];
  vector[N] y;
}
parameters {
  real mu;
  real<lower=0> tau;
  vector[G] a;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  tau ~ normal(0, 2);
  a ~ normal(mu, tau);
  sigma ~ normal(0, 2);
  y ~ normal(a[group], sigma);
}
