// mesquite (8d): flat beta, sigma > 0; log(weight) ~ normal(beta[1] + beta[2..6] . log(dimensions) + beta[7] group, sigma) (posteriordb mesquite-logmesquite).
data {
  int<lower=0> N;
  vector[N] weight;
  vector[N] diam1;
  vector[N] diam2;
  vector[N] canopy_height;
  vector[N] total_height;
  vector[N] density;
  int group[N]; // bench/peers/stan.R adds 1 to a field named group (0-based indices elsewhere): here it is 0/1 data
}
transformed data {
  vector[N] group01 = to_vector(group) - 1;
}
parameters {
  vector[7] beta;
  real<lower=0> sigma;
}
model {
  log(weight) ~ normal(beta[1] + beta[2] * log(diam1) + beta[3] * log(diam2) + beta[4] * log(canopy_height)
                       + beta[5] * log(total_height) + beta[6] * log(density) + beta[7] * group01, sigma);
}
