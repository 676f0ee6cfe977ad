// Pooled warmup's per-transition update in the common dialect (included by nutsSource.ts before the working state):
// a chain's dual averaging and Welford moments after each warmup transition, as the host's arithmetic does them.

export function warmUpdateSource(): string {
  return `/* Pooled warmup's work after each transition of a chain (mode 3 of the CUDA kernel, src/codegen/cuda.ts): sc holds δ,
   γ and, per transition, the host's η, √m, m^-κ and whether it is in a slow window; E is the chain's [ε, s̄, x̄, μ,
   Welford n], wmean/wm2 its Welford moments, out count × (MN_STATS + 1) statistics (the last: the ε used). The
   arithmetic of src/nuts/pooledWarmup.ts dualUpdateAll and src/nuts/windows.ts welfordAdd. */
struct MnWarm { const double* sc; double* E; double* wmean; double* wm2; MN_STAT_T* out; };
DEVICE void mn_warm_update(const MnWarm* wu, int it, const double* st, const mn_v* q) {
  double* E = wu->E;
  MN_STAT_T* o = wu->out + (long long)it * (MN_STATS + 1);
  for (int j = 0; j < MN_STATS; ++j) o[j] = (MN_STAT_T)st[j];
  o[MN_STATS] = (MN_STAT_T)E[0];
  const double delta = wu->sc[0], gamma = wu->sc[1];
  const double* k = wu->sc + 2 + 4 * it;
  const double acc = st[1] > 1 ? 1.0 : st[1];
  const double sBar = (1 - k[0]) * E[1] + k[0] * (delta - acc);
  const double x = E[3] - (sBar * k[1]) / gamma;
  E[1] = sBar;
  E[2] = k[2] * x + (1 - k[2]) * E[2];
  E[0] = mn_exp(x);
  if (k[3] != 0.0) {
    E[4] += 1.0;
    const double n = E[4];
    double* MN_RESTRICT mean = wu->wmean; double* MN_RESTRICT m2 = wu->wm2;
    for (int i = 0; i < MN_DIM; ++i) {
      const double dq = q[i] - mean[i];
      mean[i] += dq / n;
      m2[i] += dq * (q[i] - mean[i]);
    }
  }
}`;
}
