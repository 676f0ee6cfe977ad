// CmdStan's `diagnose` test: the reference gradient against central finite differences of the reference logp.
import { OptionError } from '../base/errors.ts';

/** CmdStan's defaults (`diagnose test=gradient epsilon=1e-6 error=1e-6`). */
export const FD_EPSILON = 1e-6;
export const FD_ERROR_THRESHOLD = 1e-6;

export interface GradientRow {
  /** Index in the unconstrained vector. */
  readonly index: number;
  readonly name: string;
  /** The coordinate's value (unconstrained). */
  readonly value: number;
  /** The model's gradient (reverse-mode AD of the reference). */
  readonly model: number;
  /** (logp(q + ε e_i) − logp(q − ε e_i)) / 2ε */
  readonly finiteDiff: number;
  /** model − finite diff, as CmdStan prints it. */
  readonly error: number;
  readonly ok: boolean;
}

export interface GradientTest {
  readonly logp: number;
  readonly epsilon: number;
  readonly threshold: number;
  /** The finite differences' own rounding error at this point, 16·u·S/ε (S: the size of logp's terms). */
  readonly noise: number;
  readonly rows: readonly GradientRow[];
  readonly ok: boolean;
}

/**
 * One row per unconstrained coordinate. A row fails when |error| > threshold·max(1, |finite diff|) + noise:
 * CmdStan's absolute threshold for gradients up to 1, relative above, plus the rounding the finite difference
 * itself carries. Each logp is rounded by a few ulps of S (u = 2⁻⁵³, S = Σ|terms| ≥ |logp|; special functions
 * and the sum of the terms each add some), so (f₊ − f₋)/2ε is off by several u·S/ε; noise allows 16 of them.
 * That is 1e−6 already at |logp| ≈ 500 with ε = 1e−6 (the stress model at a random point has |logp| ≈ 1.6e5).
 * A non-finite model gradient or finite difference fails, unless both are the same non-finite value.
 */
export function gradientTest(f: (q: Float64Array) => { logp: number; grad: Float64Array }, q: Float64Array,
  names: readonly string[], epsilon = FD_EPSILON, threshold = FD_ERROR_THRESHOLD, logpScale = 0): GradientTest {
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new OptionError(`[check] epsilon must be a positive number, got ${epsilon}`);
  if (!(threshold > 0)) throw new OptionError(`[check] errorThreshold must be a positive number, got ${threshold}`);
  const { logp, grad } = f(q);
  const noise = (16 * 2 ** -53 * Math.max(Math.abs(logp), logpScale)) / epsilon;
  const x = Float64Array.from(q);
  const rows: GradientRow[] = [];
  for (let i = 0; i < q.length; i++) {
    x[i] = q[i]! + epsilon;
    const up = f(x).logp;
    x[i] = q[i]! - epsilon;
    const down = f(x).logp;
    x[i] = q[i]!;
    const fd = (up - down) / (2 * epsilon);
    const model = grad[i]!;
    const error = model - fd;
    const ok = Number.isFinite(error) ? Math.abs(error) <= threshold * Math.max(1, Math.abs(fd)) + noise :
      (Number.isNaN(model) && Number.isNaN(fd)) || model === fd;
    rows.push({ index: i, name: names[i] ?? `q[${i}]`, value: q[i]!, model, finiteDiff: fd, error, ok });
  }
  return { logp, epsilon, threshold, noise: Number.isFinite(noise) ? noise : 0, rows, ok: rows.every((r) => r.ok) };
}
