// The metric's part of the NUTS transition in the common dialect (included by nutsSource.ts, after mn_v): the
// kinetic energy and the velocity M⁻¹p under a diagonal, dense or low-rank inverse metric (MnChainArgs dense: 0, 1, 2),
// and the low-rank metric's momentum draw, in the operation order of src/kernel/metric.ts and lowRankMetric.ts.

export function metricSource(): string {
  return `/* The low-rank metric (dense = 2): a->chol holds rank, sigma (dim), U (rank x dim), lambda - 1, lambda^-1/2 - 1 (rank each),
 * applied in src/kernel/lowRankMetric.ts's operation order. */
DEVICE double mn_lr_kinetic(const double* L, const mn_v* p) {
  const int r = (int)L[0]; const double* sg = L + 1; const double* U = sg + MN_DIM; const double* lm1 = U + r * MN_DIM;
  double s = 0;
  for (int i = 0; i < MN_DIM; ++i) { double y = sg[i] * p[i]; s += y * y; }
  for (int k = 0; k < r; ++k) {
    double c = 0;
    for (int i = 0; i < MN_DIM; ++i) c += U[k * MN_DIM + i] * (sg[i] * p[i]);
    s += lm1[k] * c * c;
  }
  return 0.5 * s;
}
/* w = scale ⊙ (U x) over the rank's rows, and x_i + Σ_k U_ki w_k: the two halves both low-rank products share */
DEVICE void mn_lr_project(const double* U, int r, const double* scale, const mn_v* x, mn_v* w) {
  for (int k = 0; k < r; ++k) {
    double c = 0;
    for (int i = 0; i < MN_DIM; ++i) c += U[k * MN_DIM + i] * x[i];
    w[k] = scale[k] * c;
  }
}
DEVICE double mn_lr_back(const double* U, int r, const mn_v* x, const mn_v* w, int i) {
  double s = x[i];
  for (int k = 0; k < r; ++k) s += U[k * MN_DIM + i] * w[k];
  return s;
}
DEVICE void mn_lr_velocity(const double* L, const mn_v* p, mn_v* out, mn_v* w) {
  const int r = (int)L[0]; const double* sg = L + 1; const double* U = sg + MN_DIM; const double* lm1 = U + r * MN_DIM;
  for (int i = 0; i < MN_DIM; ++i) out[i] = sg[i] * p[i];
  mn_lr_project(U, r, lm1, out, w);
  for (int i = 0; i < MN_DIM; ++i) out[i] = sg[i] * mn_lr_back(U, r, out, w, i);
}
DEVICE void mn_lr_momentum(const double* L, const mn_v* z, mn_v* out, mn_v* w) {
  const int r = (int)L[0]; const double* sg = L + 1; const double* U = sg + MN_DIM; const double* lis = U + r * MN_DIM + r;
  mn_lr_project(U, r, lis, z, w);
  for (int i = 0; i < MN_DIM; ++i) out[i] = mn_lr_back(U, r, z, w, i) / sg[i];
}
DEVICE double mn_kinetic(const MnChainArgs* a, const mn_v* p) {
  const double* im = a->inv_metric;
  const int dense = a->dense;
  if (dense == 2) return mn_lr_kinetic(a->chol, p);
  double s = 0;
  if (!dense) {
    for (int i = 0; i < MN_DIM; ++i) s += MN_LDG(im + i) * p[i] * p[i];
  } else {
    for (int i = 0; i < MN_DIM; ++i) {
      double r = 0;
      for (int j = 0; j < MN_DIM; ++j) r += im[i * MN_DIM + j] * p[j];
      s += p[i] * r;
    }
  }
  return 0.5 * s;
}
DEVICE void mn_velocity(const MnChainArgs* a, const mn_v* p, mn_v* out, mn_v* w) {
  const double* im = a->inv_metric;
  const int dense = a->dense;
  if (dense == 2) { mn_lr_velocity(a->chol, p, out, w); return; }
  if (!dense) {
    for (int i = 0; i < MN_DIM; ++i) out[i] = MN_LDG(im + i) * p[i];
  } else {
    for (int i = 0; i < MN_DIM; ++i) {
      double s = 0;
      for (int j = 0; j < MN_DIM; ++j) s += im[i * MN_DIM + j] * p[j];
      out[i] = s;
    }
  }
}`;
}
