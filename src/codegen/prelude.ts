// The prelude of generated code: per-target definitions (C++ for g++, CUDA for NVRTC), then shared math,
// special functions and Philox written once in the common dialect. Constants come from their TypeScript homes.
import { ASYMPTOTIC_FROM, DIGAMMA_TAIL, LANCZOS, STIRLING } from '../math/special.ts';
import { HALF_LOG_2PI } from '../math/constants.ts';
import { fdlibmSource } from './fdlibm.ts';
import { PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1, PURPOSE } from '../random/philox.ts';

export type Target = 'cpp' | 'cuda';

/** A double literal that parses back to exactly `x` (JavaScript's shortest round-trip form). */
export function lit(x: number): string {
  if (Number.isNaN(x)) return '(0.0 / 0.0)';
  if (x === Infinity) return 'MN_INF';
  if (x === -Infinity) return '(-MN_INF)';
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

const TARGET_HEADER: Record<Target, string> = {
  cpp: `#include <cmath>
#include <cstdint>
#include <cstring>
#define DEVICE static inline
#define MN_STD std::
#define MN_RESTRICT __restrict__
#define MN_EXPORT extern "C" __attribute__((visibility("default")))
#define MN_INF (__builtin_inf())
typedef uint32_t mn_u32;
typedef uint64_t mn_u64;
#define MN_LANES 1
#define MN_LANE 0
DEVICE double mn_lane_sum(double x) { return x; }
/* one chain per thread and no warp: a count over the warp is the predicate itself (mn_run) */
#define MN_WARP_MASK() 1u
#define MN_WARP_COUNT(mask, p) ((p) ? 1u : 0u)
#ifndef MN_GATE
#define MN_GATE 0.5
#endif
/* every transition's divergence row gets its cause (0 when it did not diverge): the CPU engine's readers need it */
#define MN_DIV_DENSE 1
/* data the model reads (regions.ts isData) and the diagonal metric: plain reads on the CPU */
#define MN_LDG(p) (*(p))
`,
  cuda: `#define DEVICE __device__ static inline
#define MN_STD
#define MN_RESTRICT __restrict__
#define MN_INF (__longlong_as_double(0x7ff0000000000000LL))
typedef unsigned int mn_u32;
typedef unsigned long long mn_u64;
/* MN_LANES threads (a warp, or 1) advance one chain: they split reduction regions (regions.ts) and run the rest alike */
#ifndef MN_LANES
#define MN_LANES 1
#endif
#define MN_LANE ((int)(threadIdx.x % MN_LANES))
/* how many of the warp's chains (threads in mask) have p (mn_run's passes); with a warp per chain, the chain itself */
#if MN_LANES == 1
#define MN_WARP_MASK() __activemask()
#define MN_WARP_COUNT(mask, p) ((unsigned)__popc(__ballot_sync((mask), (p))))
#else
#define MN_WARP_MASK() 1u
#define MN_WARP_COUNT(mask, p) ((p) ? 1u : 0u)
#endif
#ifndef MN_GATE
#define MN_GATE 0.5
#endif
/* divergence rows are written only where a transition diverged (readers go by its statistic) */
#define MN_DIV_DENSE 0
/* data the model reads (regions.ts isData) and the diagonal metric, through the read-only cache (ld.global.nc: they
   do not change during a launch); plain reads of them compiled to generic loads. MLX_NUTS_GPU_LDG=0 (cuda.ts) keeps
   plain reads, for measuring. */
#ifndef MN_LDG
#define MN_LDG(p) __ldg(p)
#endif
/* x summed over the chain's lanes, the same value on every lane (added towards lane 0, then broadcast from it) */
DEVICE double mn_lane_sum(double x) {
#if MN_LANES > 1
  for (int off = MN_LANES / 2; off > 0; off >>= 1) x += __shfl_down_sync(0xffffffffu, x, off, MN_LANES);
  return __shfl_sync(0xffffffffu, x, 0, MN_LANES);
#else
  return x;
#endif
}
`,
};

function unaryWrappers(): string {
  const fns = ['exp', 'log', 'log1p', 'expm1', 'sqrt', 'fabs', 'sin', 'cos', 'tan', 'tanh', 'floor'];
  return fns.map((f) => `template <class T> DEVICE T mn_${f}(T x) { return MN_STD ${f}(x); }`).join('\n') +
    '\ntemplate <class T> DEVICE T mn_pow(T a, T b) { return MN_STD pow(a, b); }\n';
}

/** Special functions, each the same formula as src/math/special.ts (see there for sources). */
function specials(): string {
  const L = LANCZOS.map(lit).join(', ');
  const S = STIRLING.map(lit).join(', ');
  const T = DIGAMMA_TAIL.map(lit);
  return `
DEVICE bool mn_isnan(double x) { return x != x; }
DEVICE bool mn_isfinite(double x) { return x - x == 0.0; }
DEVICE double mn_sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + mn_exp(-x));
  double e = mn_exp(x);
  return e / (1.0 + e);
}
DEVICE double mn_softplus(double x) { return x > 0 ? x + mn_log1p(mn_exp(-x)) : mn_log1p(mn_exp(x)); }
/* float overloads, the same formulas in the float32 model's precision: a float32 GPU model computing these in double
   spent most of its time in double exp/log1p (logistic's logSigmoid, bench/results/2026-11-30d-gpu-h200.md) */
DEVICE float mn_sigmoid(float x) {
  if (x >= 0) return 1.0f / (1.0f + mn_exp(-x));
  float e = mn_exp(x);
  return e / (1.0f + e);
}
DEVICE float mn_softplus(float x) { return x > 0 ? x + mn_log1p(mn_exp(-x)) : mn_log1p(mn_exp(x)); }
DEVICE double mn_lgamma_pos(double x) {
  const double c[9] = {${L}};
  double z = x - 1.0;
  double a = c[0];
  for (int k = 1; k < 9; ++k) a += c[k] / (z + k);
  double t = z + 7.5;
  return ${lit(HALF_LOG_2PI)} + (z + 0.5) * mn_log(t) - t + mn_log(a);
}
DEVICE double mn_lgamma(double x) {
  if (x > 0 && x < 0.5) return mn_lgamma_pos(x + 1.0) - mn_log(x);
  if (x < 0.5) return mn_log(${lit(Math.PI)} / mn_fabs(mn_sin(${lit(Math.PI)} * x))) - mn_lgamma_pos(1.0 - x);
  return mn_lgamma_pos(x);
}
DEVICE double mn_digamma_tail(double x) {
  double i2 = 1.0 / (x * x);
  return i2 * (${T[0]} - i2 * (${T[1]} - i2 * (${T[2]} - i2 * (${T[3]} - i2 * (${T[4]})))));
}
DEVICE double mn_digamma_pos(double x) {
  double acc = 0;
  while (x < 6) { acc += 1.0 / x; x += 1.0; }
  return mn_log(x) - 0.5 / x - mn_digamma_tail(x) - acc;
}
DEVICE double mn_digamma(double x) {
  if (x <= 0) return mn_digamma_pos(1.0 - x) - ${lit(Math.PI)} / mn_tan(${lit(Math.PI)} * x);
  return mn_digamma_pos(x);
}
DEVICE double mn_trigamma_pos(double x) {
  double acc = 0;
  while (x < 6) { acc += 1.0 / (x * x); x += 1.0; }
  double i = 1.0 / x;
  double i2 = i * i;
  return acc + i + 0.5 * i2 + i * i2 * (${lit(1 / 6)} - i2 * (${lit(1 / 30)} - i2 * (${lit(1 / 42)} - i2 * (${lit(1 / 30)}))));
}
DEVICE double mn_trigamma(double x) {
  if (x <= 0) {
    double s = mn_sin(${lit(Math.PI)} * x);
    return -mn_trigamma_pos(1.0 - x) + (${lit(Math.PI)} * ${lit(Math.PI)}) / (s * s);
  }
  return mn_trigamma_pos(x);
}
DEVICE double mn_stirling_diff(double x) {
  const double c[7] = {${S}};
  double r = 1.0 / x;
  double r2 = r * r;
  double s = c[6];
  for (int i = 5; i >= 0; --i) s = s * r2 + c[i];
  return s * r;
}
DEVICE double mn_lbeta(double a, double b) {
  if (mn_isnan(a) || mn_isnan(b)) return a + b;
  double x = a < b ? a : b;
  double y = a < b ? b : a;
  if (y < ${lit(ASYMPTOTIC_FROM)}) return mn_lgamma(a) + mn_lgamma(b) - mn_lgamma(a + b);
  double t = x / (x + y);
  if (x < ${lit(ASYMPTOTIC_FROM)})
    return mn_lgamma(x) + mn_stirling_diff(y) - mn_stirling_diff(x + y) + (y - 0.5) * mn_log1p(-t) + x * (1.0 - mn_log(x + y));
  return mn_stirling_diff(x) + mn_stirling_diff(y) - mn_stirling_diff(x + y) + (x - 0.5) * mn_log(t) + y * mn_log1p(-t)
    + ${lit(HALF_LOG_2PI)} - 0.5 * mn_log(y);
}
DEVICE double mn_digamma_diff(double a, double c) {
  double b = a + c;
  if (a >= ${lit(ASYMPTOTIC_FROM)} && b >= ${lit(ASYMPTOTIC_FROM)})
    return -mn_log1p(c / a) - 0.5 / a + 0.5 / b - mn_digamma_tail(a) + mn_digamma_tail(b);
  return mn_digamma(a) - mn_digamma(b);
}
DEVICE double mn_erfc_large(double x) {
  const double tiny = 1e-300;
  double f = x, c = x, d = 0;
  for (int n = 1; n < 300; ++n) {
    double an = n / 2.0;
    d = x + an * d;
    d = d == 0 ? tiny : d;
    c = x + an / c;
    c = c == 0 ? tiny : c;
    d = 1.0 / d;
    double delta = c * d;
    f *= delta;
    if (mn_fabs(delta - 1.0) < 1e-16) break;
  }
  return mn_exp(-x * x) / mn_sqrt(${lit(Math.PI)}) / f;
}
DEVICE double mn_erf(double x) {
  if (mn_isnan(x)) return x;
  double ax = mn_fabs(x);
  if (ax < 3) {
    double term = ax, sum = ax, x2 = ax * ax;
    for (int n = 1; n < 200; ++n) {
      term *= -x2 / n;
      double add = term / (2 * n + 1);
      sum += add;
      if (mn_fabs(add) < 1e-17 * mn_fabs(sum)) break;
    }
    double r = (2.0 / mn_sqrt(${lit(Math.PI)})) * sum;
    return x < 0 ? -r : r;
  }
  double r = 1.0 - mn_erfc_large(ax);
  return x < 0 ? -r : r;
}
DEVICE double mn_max(double a, double b) { return (mn_isnan(a) || mn_isnan(b)) ? a + b : (a >= b ? a : b); }
DEVICE double mn_min(double a, double b) { return (mn_isnan(a) || mn_isnan(b)) ? a + b : (a <= b ? a : b); }
DEVICE double mn_logaddexp(double a, double b) {
  double m = a > b ? a : b;
  if (mn_isnan(a) || mn_isnan(b)) return a + b;
  if (m == -MN_INF) return -MN_INF;
  if (m == MN_INF) return MN_INF;
  return m + mn_log1p(mn_exp(-mn_fabs(a - b)));
}
DEVICE float mn_logaddexp(float a, float b) {
  float m = a > b ? a : b;
  if (a != a || b != b) return a + b;
  if (m == (float)-MN_INF) return (float)-MN_INF;
  if (m == (float)MN_INF) return (float)MN_INF;
  return m + mn_log1p(mn_exp(-mn_fabs(a - b)));
}
DEVICE double mn_sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : x); }
`;
}

/** Philox-4x32-10 and the stream layout of src/random/philox.ts, bit for bit. */
function philox(): string {
  const purposes = Object.entries(PURPOSE).map(([k, v]) => `#define MN_PURPOSE_${k.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()} ${v}u`).join('\n');
  return `
${purposes}
DEVICE void mn_philox(mn_u32 c0, mn_u32 c1, mn_u32 c2, mn_u32 c3, mn_u32 k0, mn_u32 k1, mn_u32* out) {
  for (int r = 0; r < ${PHILOX_ROUNDS}; ++r) {
    mn_u64 p0 = (mn_u64)${PHILOX_M0}u * c0;
    mn_u64 p1 = (mn_u64)${PHILOX_M1}u * c2;
    mn_u32 n0 = (mn_u32)(p1 >> 32) ^ c1 ^ k0;
    mn_u32 n2 = (mn_u32)(p0 >> 32) ^ c3 ^ k1;
    c0 = n0; c1 = (mn_u32)p1; c2 = n2; c3 = (mn_u32)p0;
    k0 += ${PHILOX_W0}u; k1 += ${PHILOX_W1}u;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}
DEVICE double mn_uniform53(mn_u32 a, mn_u32 b) {
  return ((double)(a >> 5) * 67108864.0 + (double)(b >> 6)) / 9007199254740992.0;
}
DEVICE double mn_uniform_at(mn_u32 k0, mn_u32 k1, mn_u32 chain, mn_u32 iter, mn_u32 purpose, mn_u32 sub, mn_u32 index) {
  mn_u32 w[4];
  mn_philox(chain, iter, purpose | (sub << 8), index, k0, k1, w);
  return mn_uniform53(w[0], w[1]);
}
DEVICE double mn_normal_at(mn_u32 k0, mn_u32 k1, mn_u32 chain, mn_u32 iter, mn_u32 purpose, mn_u32 sub, mn_u32 index) {
  mn_u32 w[4];
  for (mn_u32 retry = 0;; ++retry) {
    mn_philox(chain, iter, purpose | (sub << 8) | (retry << 24), index, k0, k1, w);
    double u = 2.0 * mn_uniform53(w[0], w[1]) - 1.0;
    double v = 2.0 * mn_uniform53(w[2], w[3]) - 1.0;
    double s = u * u + v * v;
    if (s < 1.0 && s != 0.0) return u * mn_sqrt(-2.0 * mn_log(s) / s);
  }
}
`;
}

export function prelude(target: Target): string {
  const exact = target === 'cpp' ? fdlibmSource() : '';
  return `// generated by mlx-nuts (src/codegen): prelude for ${target}\n${TARGET_HEADER[target]}${unaryWrappers()}${exact}${specials()}${philox()}`;
}
