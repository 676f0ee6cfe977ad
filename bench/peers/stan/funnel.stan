// funnel (10d), Neal's centred funnel: v ~ Normal(0, 3); x[k] ~ Normal(0, exp(v/2)) (expect divergences).
data {
  int<lower=0> K;
}
parameters {
  real v;
  vector[K] x;
}
model {
  v ~ normal(0, 3);
  x ~ normal(0, exp(v / 2));
}
