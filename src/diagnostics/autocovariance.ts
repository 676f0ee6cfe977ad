// Autocovariance by FFT, of one chain or summed over chains, normalised as posterior's `autocovariance`
// (Vehtari et al. 2021).
//
// acov[t] = (1/N) Σ_{i<N−t} (x_i − x̄)(x_{i+t} − x̄), t = 0 … N − 1, computed as the inverse FFT of the power
// spectrum of the centred chain zero-padded to at least 2N (so the circular correlation equals the linear
// one). posterior then rescales by acov[0] and the biased variance var(x)·(N − 1)/N; we do the same.
// posterior pads to 2·nextn(N) (R's `nextn`, a 2-3-5-smooth length); fft.js needs a power of two, so we pad to
// the smallest power of two ≥ 2N. Both are exact in exact arithmetic; the results differ by rounding only.
import FFT from 'fft.js';
import { mean, varianceAbout } from './moments.ts';

/** fft.js instances by size: building one computes its twiddle table, so they are kept and reused. */
const fftBySize = new Map<number, FFT>();

function fftOfSize(size: number): FFT {
  let fft = fftBySize.get(size);
  if (fft === undefined) {
    fft = new FFT(size);
    fftBySize.set(size, fft);
  }
  return fft;
}

/** Smallest power of two ≥ n (at least 2, fft.js's smallest size). */
function nextPowerOfTwo(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

/**
 * Autocovariances at lags 0 … N − 1 of one chain. Zero at every lag when the chain has zero variance
 * (posterior returns `rep(0, N)` then); NaN at every lag for fewer than 2 draws or non-finite draws, where
 * posterior's `if (var(x) == 0)` would stop with an error.
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  return autocovarianceSum([x]);
}

/** Autocorrelations at lags 0 … N − 1 (posterior's `autocorrelation`: acov / acov[0]). */
export function autocorrelation(x: ArrayLike<number>): Float64Array {
  const acov = autocovariance(x);
  const a0 = acov[0]!;
  return acov.map((v) => v / a0);
}

/** Work arrays of autocovarianceSum by FFT size (reused: with many chains, allocation was a large part of the time). */
const workBySize = new Map<number, { centred: Float64Array; spectrum: Float64Array; bins: Float64Array; power: Float64Array; circular: Float64Array }>();

/**
 * Σ over `chains` of autocovariance(chain), lags 0 … N − 1 (every chain of length N): what the multi-chain ESS needs
 * (ess.ts essOfColumns, src/distributed/splitMoments.ts). The inverse FFT is linear, so the chains' power spectra,
 * each scaled as autocovariance scales its chain, are summed first and transformed back once, instead of once per
 * chain; the same sums up to rounding. A chain of zero variance adds nothing; a non-finite one makes every lag NaN.
 */
export function autocovarianceSum(chains: readonly ArrayLike<number>[]): Float64Array {
  const n = chains[0]?.length ?? 0;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const size = nextPowerOfTwo(2 * n);
  const fft = fftOfSize(size);
  let w = workBySize.get(size);
  if (w === undefined) {
    w = { centred: new Float64Array(size), spectrum: new Float64Array(2 * size), bins: new Float64Array(size / 2 + 1), power: new Float64Array(2 * size), circular: new Float64Array(2 * size) };
    workBySize.set(size, w);
  }
  const { centred, spectrum, bins, power, circular } = w;
  const half = size / 2;
  power.fill(0);
  for (const x of chains) {
    const xbar = mean(x);
    const varx = varianceAbout(x, xbar); // variance(x), without a second mean
    if (varx === 0) continue;
    if (!Number.isFinite(varx)) return out.fill(NaN);
    for (let i = 0; i < n; i++) centred[i] = x[i]! - xbar;
    centred.fill(0, n);
    fft.realTransform(spectrum, centred); // bins 0 … size/2; the rest mirror them (a real chain's spectrum)
    // the chain's autocovariance at lag 0 before scaling: the mean of its power spectrum (Parseval), as the inverse
    // transform of autocovariance() would give it
    let p0 = 0;
    for (let k = 0; k <= half; k++) {
      const re = spectrum[2 * k]!;
      const im = spectrum[2 * k + 1]!;
      bins[k] = re * re + im * im;
      p0 += k === 0 || k === half ? bins[k]! : 2 * bins[k]!;
    }
    const scale = (varx * (n - 1)) / n / (p0 / size);
    for (let k = 0; k <= half; k++) power[2 * k] += scale * bins[k]!;
  }
  for (let k = 1; k < half; k++) power[2 * (size - k)] = power[2 * k]!;
  fft.inverseTransform(circular, power);
  for (let t = 0; t < n; t++) out[t] = circular[2 * t]!;
  return out;
}
