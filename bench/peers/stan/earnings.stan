// earnings (4d): flat beta, sigma > 0; log(earn) ~ normal(beta[1] + beta[2] height + beta[3] male, sigma) (posteriordb earnings-logearn_height_male).
data {
  int<lower=0> N;
  vector[N] earn;
  vector[N] height;
  vector[N] male;
}
transformed data {
  vector[N] log_earn = log(earn);
}
parameters {
  vector[3] beta;
  real<lower=0> sigma;
}
model {
  log_earn ~ normal(beta[1] + beta[2] * height + beta[3] * male, sigma);
}
