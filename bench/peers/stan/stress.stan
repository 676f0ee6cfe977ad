// stress (8d): centred hierarchy, 3 groups with their own noise scales sigma[g] ~ HalfNormal(10) (group 1-based here).
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
  vector<lower=0>[G] sigma;
}
model {
  mu ~ normal(0, 5);
  tau ~ normal(0, 2);
  a ~ normal(mu, tau);
  sigma ~ normal(0, 10);
  y ~ normal(a[group], sigma[group]);
}
