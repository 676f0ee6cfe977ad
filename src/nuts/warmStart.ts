// Warm start: a run that begins where an earlier fit ended — each chain's last draw as its init, the earlier step size
// and inverse metric as warmup's starting point, so that a short warmup suffices.
import { OptionError } from '../base/errors.ts';
import type { Density } from '../backend/density.ts';
import { flatNames, type ChainAdaptation, type FitData } from '../io/fitData.ts';
import type { TracedModel } from '../model/traced.ts';
import type { ChainStream } from '../random/philox.ts';
import type { InitValues } from './init.ts';
import type { PointState } from './kernel.ts';
import { makeMetric, type Metric, type MetricKind } from '../kernel/metric.ts';
import { dualAveragingInit, initStepSize } from './stepsize.ts';
import type { WarmupState } from './warmup.ts';

/** What a warm start carries: one init per chain of the earlier run, and its adaptation when known. */
export interface WarmStart {
  readonly inits: readonly InitValues[];
  readonly adaptation: readonly ChainAdaptation[] | null;
}

/** The `warmStart` option: a Fit (anything with `data: FitData`), a FitData, or { inits, adaptation }. */
export type WarmStartOption = { readonly data: FitData } | FitData | WarmStart;

function isFitData(v: unknown): v is FitData {
  return v !== null && typeof v === 'object' && Array.isArray((v as FitData).values) && Array.isArray((v as FitData).columns);
}

/** Row-major flat values as nested arrays of `shape` (a scalar stays a number). */
function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [n, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n! }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}

/** Each chain's last draw of every parameter of `model`, by name, from a fit's data (errors name what is missing). */
function lastDraws(fit: FitData, model: TracedModel): InitValues[] {
  const col = new Map(fit.columns.map((c, j) => [c, j]));
  return fit.values.map((chain, k) => {
    const n = chain[0]?.length ?? 0;
    if (n === 0) throw new OptionError(`[sample] warmStart: chain ${k} of the earlier fit has no draws to start from`);
    return Object.fromEntries(model.params.map((p) => {
      const flat = flatNames(p.name, p.shape).map((name) => {
        const j = col.get(name);
        if (j === undefined) throw new OptionError(`[sample] warmStart: the earlier fit has no column '${name}' of parameter '${p.name}' (its columns: ${fit.columns.slice(0, 8).join(', ')}…)`);
        return chain[j]![n - 1]!;
      });
      return [p.name, nest(flat, p.shape)];
    }));
  });
}

/** A usable adaptation: a positive finite step size and an inverse metric of the model's dimension, per chain. */
function adaptationOf(a: readonly ChainAdaptation[] | null | undefined, dim: number): ChainAdaptation[] | null {
  if (!a || a.length === 0) return null;
  const ok = a.every((x) => x.stepSize > 0 && Number.isFinite(x.stepSize) && (x.invMetric.length === dim || x.invMetric.length === dim * dim));
  if (!ok) {
    const bad = a.findIndex((x) => !(x.stepSize > 0 && Number.isFinite(x.stepSize)));
    if (bad >= 0 && a.every((x) => Number.isNaN(x.stepSize))) return null; // files without an adaptation block
    const k = bad >= 0 ? bad : a.findIndex((x) => x.invMetric.length !== dim && x.invMetric.length !== dim * dim);
    throw new OptionError(`[sample] warmStart: chain ${k}'s adaptation does not fit this model (step size ${a[k]!.stepSize}, inverse metric of ${a[k]!.invMetric.length} entries for ${dim} unconstrained coordinates)`);
  }
  return [...a];
}

/**
 * The warm start for `chains` chains of `model` (chain k takes the earlier run's chain k mod its chain count). Throws
 * `[sample] warmStart: …` for anything that does not fit: no draws, a parameter the earlier fit lacks, a metric of
 * another dimension.
 */
export function warmStartFor(opt: unknown, model: TracedModel, chains: number): WarmStart {
  let ws: WarmStart;
  const data = isFitData(opt) ? opt : opt !== null && typeof opt === 'object' && isFitData((opt as { data?: unknown }).data) ? (opt as { data: FitData }).data : null;
  if (data) ws = { inits: lastDraws(data, model), adaptation: adaptationOf(data.adaptation, model.ir.dim) };
  else if (opt !== null && typeof opt === 'object' && Array.isArray((opt as WarmStart).inits)) {
    const o = opt as WarmStart;
    ws = { inits: o.inits, adaptation: adaptationOf(o.adaptation, model.ir.dim) };
  } else throw new OptionError('[sample] warmStart must be a fit (or its data) from an earlier run, or { inits, adaptation }');
  if (ws.inits.length === 0) throw new OptionError('[sample] warmStart has no chains to start from');
  const pick = <T>(a: readonly T[]) => Array.from({ length: chains }, (_, k) => a[k % a.length]!);
  return { inits: pick(ws.inits), adaptation: ws.adaptation ? pick(ws.adaptation) : null };
}

/** An earlier inverse metric as this run's kind: a diagonal from a dense one's diagonal, a dense one from a diagonal. */
function asKind(inv: Float64Array, kind: MetricKind, dim: number): Float64Array {
  const dense = inv.length === dim * dim && dim > 1;
  if (kind === 'diag') return dense ? Float64Array.from({ length: dim }, (_, i) => inv[i * dim + i]!) : Float64Array.from(inv);
  if (dense) return Float64Array.from(inv);
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) m[i * dim + i] = inv[i]!;
  return m;
}

/**
 * Starts warmup from an earlier run's adaptation instead of Stan's unit metric and ε = 1: each chain's metric becomes
 * its inverse metric (pooled warmup: their mean, one metric for all), and its step size the earlier one — searched
 * from there by Stan's init_stepsize and dual averaging restarted at μ = log(10 ε), as Stan does with a given step
 * size and metric. With no warmup iterations the earlier step sizes are used as they are. The metric windows that
 * follow (when warmup ≥ 20 iterations) re-estimate the metric from this run's draws, as Stan's would.
 */
export function applyWarmStart(w: WarmupState, d: Density, points: readonly PointState[], streams: readonly ChainStream[],
  adaptation: readonly ChainAdaptation[], numWarmup: number): void {
  const kind = w.metrics[0]!.kind;
  const dim = d.dim;
  const pooled = (w as { pooled?: boolean }).pooled === true;
  let metrics: Metric[];
  if (pooled) {
    const mean = new Float64Array(kind === 'diag' ? dim : dim * dim);
    for (const a of adaptation) asKind(a.invMetric, kind, dim).forEach((x, i) => (mean[i]! += x / adaptation.length));
    metrics = new Array<Metric>(points.length).fill(makeMetric(kind, mean));
  } else metrics = adaptation.map((a) => makeMetric(kind, asKind(a.invMetric, kind, dim)));
  const given = adaptation.map((a) => a.stepSize);
  const eps = numWarmup > 0 ? initStepSize(d, points, metrics, streams, 0, given) : given;
  w.metrics = metrics;
  w.stepSizes = eps;
  w.dual = eps.map((e) => dualAveragingInit(e));
  const da = (w as { da?: { counter: number; sBar: Float64Array; xBar: Float64Array; mu: Float64Array } }).da;
  if (da) {
    da.counter = 0;
    eps.forEach((e, k) => {
      da.sBar[k] = 0;
      da.xBar[k] = 0;
      da.mu[k] = dualAveragingInit(e).mu;
    });
  }
}
