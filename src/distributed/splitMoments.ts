// What ESS and R-hat need of one transformed column's split chains, summed over a rank's chains so that ranks can
// add them: the count of split chains, the mean and M2 of their means (Chan et al. 1979's pairwise update), the sum
// of their variances, the sum of their autocovariances at every lag, and for posterior's NA rule the range and
// whether any value is non-finite. Combined, these give essOfColumns and rhatOfColumns of all the split chains up to
// rounding (src/diagnostics/ess.ts essFromAcov, rhat.ts rhatFromMoments).
import { autocovarianceSum } from '../diagnostics/autocovariance.ts';
import { splitChains, type Chains } from '../diagnostics/draws.ts';
import { essFromAcov } from '../diagnostics/ess.ts';
import { plainMean, varianceAbout } from '../diagnostics/moments.ts';
import { rhatFromMoments } from '../diagnostics/rhat.ts';

/** [count, mean of means, M2 of means, Σ variances, min, max, non-finite (0/1), acov sum (length of a split chain)…] */
export type SplitMoments = Float64Array;
const HEAD = 7;

/** The split moments of this rank's chains (each of the same length ≥ 4). */
export function splitMoments(chains: Chains): SplitMoments {
  const cols = splitChains(chains);
  const n = cols[0]!.length;
  const out = new Float64Array(HEAD + n);
  let k = 0;
  let m = 0;
  let m2 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let bad = 0;
  for (const c of cols) {
    const mu = plainMean(c); // matrixStats::colMeans2, as posterior (moments.ts)
    k++;
    const d = mu - m;
    m += d / k;
    m2 += d * (mu - m);
    out[3] += varianceAbout(c, mu);
    for (let i = 0; i < n; i++) {
      const v = c[i]!;
      if (!Number.isFinite(v)) bad = 1;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  out.set(autocovarianceSum(cols), HEAD);
  out[0] = k;
  out[1] = m;
  out[2] = m2;
  out[4] = lo;
  out[5] = hi;
  out[6] = bad;
  return out;
}

/** Every rank's split moments added (Chan's combination of the means' mean and M2). */
export function combineSplitMoments(parts: readonly SplitMoments[]): SplitMoments {
  const out = Float64Array.from(parts[0]!);
  for (const p of parts.slice(1)) {
    const [na, nb] = [out[0]!, p[0]!];
    const n = na + nb;
    const d = p[1]! - out[1]!;
    out[1] = out[1]! + (d * nb) / n;
    out[2] = out[2]! + p[2]! + (d * d * na * nb) / n;
    out[0] = n;
    out[3] = out[3]! + p[3]!;
    out[4] = Math.min(out[4]!, p[4]!);
    out[5] = Math.max(out[5]!, p[5]!);
    out[6] = Math.max(out[6]!, p[6]!);
    for (let t = HEAD; t < out.length; t++) out[t] = out[t]! + p[t]!;
  }
  return out;
}

/** posterior's `should_return_NA` of the combined columns: a non-finite value, or a range below 2^−52 (draws.ts). */
function returnsNaN(s: SplitMoments): boolean {
  return s[6] === 1 || Math.abs(s[5]! - s[4]!) < Number.EPSILON;
}

/** essOfColumns of all the split chains the moments describe. */
export function essOfSplit(s: SplitMoments): number {
  const n = s.length - HEAD;
  if (n < 3 || returnsNaN(s)) return NaN;
  const k = s[0]!;
  return essFromAcov(s.slice(HEAD), k, k > 1 ? s[2]! / (k - 1) : 0);
}

/** rhatOfColumns of all the split chains the moments describe. */
export function rhatOfSplit(s: SplitMoments): number {
  if (returnsNaN(s)) return NaN;
  const k = s[0]!;
  return rhatFromMoments(s.length - HEAD, s[2]! / (k - 1), s[3]! / k);
}
