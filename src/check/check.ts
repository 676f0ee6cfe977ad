// check(model): the reference gradient against finite differences, and every available engine against the reference.
import { OptionError } from '../base/errors.ts';
import type { Dtype } from '../base/types.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import { engineLabel, checkEngineFactories, type CheckEngine, type NodeTrace } from './engine.ts';
import './engines.ts';
import './fusedEngine.ts';
import { FD_EPSILON, FD_ERROR_THRESHOLD, gradientTest } from './finiteDiff.ts';
import { firstDivergence } from './nodeDiff.ts';
import { findNonFinite } from './nonFinite.ts';
import { checkPoints, coordinateNames } from './points.ts';
import { ReferenceCheckEngine } from './referenceEngine.ts';
import { CheckResult, type EngineComparison, type PointResult } from './report.ts';
import { dtypeTolerance, scaledError, vectorError } from './tolerance.ts';

export interface CheckOptions {
  /** Finite-difference step (CmdStan's `epsilon`, 1e-6). */
  epsilon?: number;
  /** Finite-difference error threshold (CmdStan's `error`, 1e-6; relative for gradients above 1). */
  errorThreshold?: number;
  /** Seed of the random points (1). */
  seed?: number;
  /** How many random points besides the initial one (2); uniform(−2, 2) on the unconstrained scale. */
  randomPoints?: number;
  /** Constrained values for the initial point, by parameter name (parameters not given start at 0 unconstrained). */
  init?: Readonly<Record<string, unknown>>;
  /** Explicit unconstrained points instead of the initial and random ones. */
  points?: readonly Float64Array[];
  /** Which engines to compare: 'mlx', 'mlx:float32', 'mlx:float64:cpu', …; default all available; [] for none. */
  engines?: readonly string[];
  /** Tolerance per dtype on the scaled errors (default 8·√u: see src/check/tolerance.ts). */
  tolerance?: Partial<Record<Dtype, number>>;
  /** Run the finite-difference test (true). */
  finiteDiff?: boolean;
  /** When to run the node-by-node cross-check: only for failed comparisons (default) or for every one. */
  nodeCheck?: 'onFailure' | 'always';
}

function wanted(filters: readonly string[] | undefined, name: string, dtype: Dtype, device: string): boolean {
  if (!filters) return true;
  return filters.some((f) => {
    const [n, d, v] = f.split(':');
    return n === name && (!d || d === dtype) && (!v || v === device);
  });
}

/** Σ |term| over the model's terms at the reference values: the scale of the logp's rounding. */
function termScale(t: TracedModel, values: readonly Float64Array[]): number {
  return t.terms.reduce((s, term) => s + Math.abs(values[term.node]![0] ?? 0), 0);
}

/**
 * Checks a model's log density at its initial point and at seeded random points: the float64 reference's
 * gradient against central finite differences (CmdStan's `diagnose`), then every available engine × dtype ×
 * device against the reference with a tolerance from the dtype; when an engine disagrees, a node-by-node
 * cross-check names the first node whose value or derivative differs, with the model line that created it.
 */
export function check(model: Model, options: CheckOptions = {}): CheckResult {
  const t0 = performance.now();
  if (!model || typeof (model as Model).trace !== 'function') throw new OptionError('[check] the first argument must be a model (from model(name, fn))');
  const o = { epsilon: FD_EPSILON, errorThreshold: FD_ERROR_THRESHOLD, seed: 1, randomPoints: 2, finiteDiff: true,
    nodeCheck: 'onFailure' as const, ...options };
  const traces = new Map<Dtype, TracedModel>();
  const traced = (d: Dtype) => traces.get(d) ?? traces.set(d, model.trace(d)).get(d)!;
  const refs = new Map<Dtype, ReferenceCheckEngine>();
  const ref = (d: Dtype) => refs.get(d) ?? refs.set(d, new ReferenceCheckEngine(traced(d).ir)).get(d)!;
  const t64 = traced('float64');
  const names = coordinateNames(t64);
  const pts = checkPoints(t64, o);

  // an engine of dtype d sees the point rounded to d: the reference is evaluated there too, so that the rounding of
  // q itself (which moves logp by about |grad|·|q|·u) is not blamed on the engine
  const at = (d: Dtype, i: number) => (d === 'float32' ? Float64Array.from(Float32Array.from(pts[i]!.q)) : pts[i]!.q);
  const refTraces = new Map<string, NodeTrace>();
  const refTrace = (d: Dtype, i: number) => refTraces.get(`${d}:${i}`) ??
    refTraces.set(`${d}:${i}`, ref(d).nodes(at(d, i))).get(`${d}:${i}`)!;

  // the float64 reference: finite differences and where a non-finite value comes from
  const points: PointResult[] = pts.map((p, i) => {
    const gradient = o.finiteDiff ? gradientTest((q) => ref('float64').logpGrad(q), p.q, names, o.epsilon, o.errorThreshold,
      termScale(t64, refTrace('float64', i).values)) : null;
    const nonFinite = findNonFinite(t64.ir, refTrace('float64', i));
    return { label: p.label, q: p.q, gradient, nonFinite, ok: (gradient?.ok ?? true) && !nonFinite };
  });

  const engines: EngineComparison[] = [];
  const skipped: { engine: string; reason: string }[] = [];
  const errors: { engine: string; message: string }[] = [];

  for (const f of checkEngineFactories()) {
    const variants = f.variants();
    if (typeof variants === 'string') {
      if (wanted(o.engines, f.name, 'float32', 'cpu') || wanted(o.engines, f.name, 'float64', 'cpu')) {
        skipped.push({ engine: f.name, reason: variants });
      }
      continue;
    }
    for (const { dtype, device } of variants) {
      if (!wanted(o.engines, f.name, dtype, device)) continue;
      const label = engineLabel({ name: f.name, dtype, device });
      const tol = o.tolerance?.[dtype] ?? dtypeTolerance(dtype);
      let t: TracedModel;
      let engine: CheckEngine;
      try {
        t = traced(dtype); // a model may refuse float32 (data it cannot hold): that is this engine's error
        engine = f.create(t, dtype, device);
      } catch (e) {
        errors.push({ engine: label, message: `cannot build the model: ${(e as Error).message}` });
        continue;
      }
      try {
        const compare = (mode: 'single' | 'batch', i: number, a: { logp: number; grad: Float64Array }): EngineComparison => {
          const r = refTrace(dtype, i);
          const logpError = scaledError(a.logp, r.logp, Math.max(1, termScale(t, r.values)));
          const g = vectorError(a.grad, r.grad, 1);
          const ok = logpError <= tol && g.error <= tol;
          return { engine: label, name: f.name, dtype, device, mode, point: i, logp: a.logp, referenceLogp: r.logp, logpError,
            gradError: g.error, gradIndex: g.index, tolerance: tol, ok };
        };
        pts.forEach((_, i) => {
          const q = at(dtype, i);
          let c = compare('single', i, engine.logpGrad(q));
          if ((!c.ok || o.nodeCheck === 'always') && (engine.nodes || engine.nodesIsolated)) {
            const r = refTrace(dtype, i);
            const divergence = engine.nodesIsolated
              ? firstDivergence(t.ir, r, engine.nodesIsolated(q, { values: r.values, adjoints: r.adjoints! }), dtype, tol, true)
              : firstDivergence(t.ir, r, engine.nodes!(q), dtype, tol);
            let note: string | undefined;
            if (!divergence && !c.ok) {
              const chained = engine.nodes ? compare('single', i, engine.nodes(q)) : undefined;
              note = 'every node agrees with the reference on its own' + (chained ? ` and evaluated in a chain (logp error ` +
                `${chained.logpError.toExponential(1)}, gradient error ${chained.gradError.toExponential(1)})` : '') +
                ": the difference arises in the engine's compiled call or in rounding accumulated over many nodes";
            }
            c = { ...c, divergence, ...(note ? { note } : {}) };
          }
          engines.push(c);
        });
        if (engine.logpGradBatch && pts.length > 1) {
          const dim = t.ir.dim;
          const Q = new Float64Array(pts.length * dim);
          pts.forEach((_, i) => Q.set(at(dtype, i), i * dim));
          const b = engine.logpGradBatch(Q, pts.length);
          const rows = pts.map((_, i) => compare('batch', i, { logp: b.logp[i]!, grad: b.grad.subarray(i * dim, (i + 1) * dim) }));
          const worst = rows.reduce((w, c) => (Math.max(c.logpError, c.gradError) > Math.max(w.logpError, w.gradError) ? c : w));
          const single = engines.filter((c) => c.engine === label && c.mode === 'single');
          const note = !worst.ok && single.every((c) => c.ok) ? `${pts.length} points in one batched call disagree with the reference ` +
            'while one-point calls agree: the batched path is at fault' : undefined;
          engines.push({ ...worst, logpError: Math.max(...rows.map((c) => c.logpError)), gradError: Math.max(...rows.map((c) => c.gradError)),
            ok: rows.every((c) => c.ok), ...(note ? { note } : {}) });
        }
      } catch (e) {
        errors.push({ engine: label, message: `evaluation failed: ${(e as Error).message}` });
      } finally {
        engine.dispose?.();
      }
    }
  }
  const ok = points.every((p) => p.ok) && engines.every((c) => c.ok) && errors.length === 0;
  return new CheckResult({ model: model.name, dim: t64.ir.dim, names, points, engines, skipped, errors, ok,
    seconds: (performance.now() - t0) / 1000 });
}
