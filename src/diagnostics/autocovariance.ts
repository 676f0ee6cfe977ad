// Autocovariance of one chain by FFT, normalised as posterior's `autocovariance` (Vehtari et al. 2021).
//
// acov[t] = (1/N) Σ_{i<N−t} (x_i − x̄)(x_{i+t} − x̄), t = 0 … N − 1, computed as the inverse FFT of the power
// spectrum of the centred chain zero-padded to at least 2N (so the circular correlation equals the linear
// one). posterior then rescales by acov[0] and the biased variance var(x)·(N − 1)/N; we do the same.
// posterior pads to 2·nextn(N) (R's `nextn`, a 2-3-5-smooth length); fft.js needs a power of two, so we pad to
// the smallest power of two ≥ 2N. Both are exact in exact arithmetic; the results differ by rounding only.
import FFT from 'fft.js';
import { mean, variance } from './moments.ts';

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
  const n = x.length;
  const varx = variance(x);
  if (varx === 0) return new Float64Array(n);
  if (!Number.isFinite(varx)) return new Float64Array(n).fill(NaN);
  const size = nextPowerOfTwo(2 * n);
  const fft = fftOfSize(size);
  const centred = new Float64Array(size);
  const xbar = mean(x);
  for (let i = 0; i < n; i++) centred[i] = x[i]! - xbar;
  const spectrum: number[] = fft.createComplexArray();
  fft.realTransform(spectrum, centred);
  fft.completeSpectrum(spectrum);
  const power: number[] = fft.createComplexArray();
  for (let k = 0; k < size; k++) {
    const re = spectrum[2 * k]!;
    const im = spectrum[2 * k + 1]!;
    power[2 * k] = re * re + im * im;
    power[2 * k + 1] = 0;
  }
  const circular: number[] = fft.createComplexArray();
  fft.inverseTransform(circular, power);
  const acov = new Float64Array(n);
  const scale = (varx * (n - 1)) / n / circular[0]!;
  for (let t = 0; t < n; t++) acov[t] = circular[2 * t]! * scale;
  return acov;
}

/** Autocorrelations at lags 0 … N − 1 (posterior's `autocorrelation`: acov / acov[0]). */
export function autocorrelation(x: ArrayLike<number>): Float64Array {
  const acov = autocovariance(x);
  const a0 = acov[0]!;
  return acov.map((v) => v / a0);
}
