// The warmup schedule of the gradient-based metrics (nutpie's, nuts-rs adapt_strategy.rs EuclideanAdaptOptions): an
// early phase that switches estimation windows often, growing windows after it, and a final step-size-only phase.
import { OptionError } from '../base/errors.ts';

/** What sample() accepts as `metricAdaptation`: Stan's windowed draw variance, or the draw-and-gradient estimators. */
export type MetricAdaptation = 'stan' | 'gradient-diag' | 'low-rank';
export const METRIC_ADAPTATIONS: readonly MetricAdaptation[] = ['stan', 'gradient-diag', 'low-rank'];

/**
 * nuts-rs EuclideanAdaptOptions::default(): the first 30% of warmup is early (a window switch every 10 draws); then
 * windows of 80 draws growing ×1.5 per switch; the last 15% adapts the step size only.
 */
export const GRADIENT_SCHEDULE = { earlyWindow: 0.3, stepSizeWindow: 0.15, earlySwitch: 10, firstWindow: 80, growth: 1.5 } as const;
export type GradientSchedule = { readonly [K in keyof typeof GRADIENT_SCHEDULE]: number };

/** Below this many warmup iterations the metric is not adapted (as Stan's windowed_adaptation.hpp). */
export const MIN_METRIC_WARMUP = 20;

/** The user's schedule over the defaults, each field checked (errors name the field and the value received). */
export function resolveGradientSchedule(user: Partial<GradientSchedule> | undefined): GradientSchedule {
  if (user === undefined) return GRADIENT_SCHEDULE;
  if (typeof user !== 'object' || user === null) throw new OptionError(`[sample] warmupSchedule must be an object, got ${JSON.stringify(user)}`);
  for (const k of Object.keys(user)) {
    if (!(k in GRADIENT_SCHEDULE)) throw new OptionError(`[sample] warmupSchedule has no field '${k}' (fields: ${Object.keys(GRADIENT_SCHEDULE).join(', ')})`);
  }
  const s = { ...GRADIENT_SCHEDULE, ...user };
  const bad = (k: string, v: unknown, want: string) => new OptionError(`[sample] warmupSchedule.${k} must be ${want}, got ${JSON.stringify(v)}`);
  for (const k of ['earlyWindow', 'stepSizeWindow'] as const) {
    if (typeof s[k] !== 'number' || !(s[k] >= 0 && s[k] < 1)) throw bad(k, s[k], 'a fraction of warmup in [0, 1)');
  }
  if (s.earlyWindow + s.stepSizeWindow >= 1) {
    throw new OptionError(`[sample] warmupSchedule.earlyWindow + stepSizeWindow must be below 1, got ${s.earlyWindow} + ${s.stepSizeWindow}`);
  }
  for (const k of ['earlySwitch', 'firstWindow'] as const) {
    if (typeof s[k] !== 'number' || !Number.isInteger(s[k]) || s[k] < 1) throw bad(k, s[k], 'an integer ≥ 1 (draws)');
  }
  if (typeof s.growth !== 'number' || !(s.growth >= 1 && Number.isFinite(s.growth))) throw bad('growth', s.growth, 'a finite number ≥ 1');
  return s;
}

/** Iterations where the early phase ends and where the step-size-only phase begins (nuts-rs GlobalStrategy::new). */
export function phaseBounds(s: GradientSchedule, numWarmup: number): { earlyEnd: number; finalStart: number } {
  return { earlyEnd: Math.trunc(s.earlyWindow * numWarmup), finalStart: numWarmup - Math.trunc(s.stepSizeWindow * numWarmup) };
}
