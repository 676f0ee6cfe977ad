// The parameters of a fit on the sampler's unconstrained scale (log tau, logit-interval, …), through the model's transforms.
import type { FitData } from '../io/fitData.ts';
import { flatNames } from '../io/fitData.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';

/** A FitData-shaped view whose columns are unconstrained parameter elements, with labels such as 'log(tau)'. */
export interface UnconstrainedView {
  readonly fit: FitData;
  /** For each column of the view, the fit's constrained column it comes from. */
  readonly source: readonly string[];
  /** Parameters left out: their transform changes the number of elements (simplex, Cholesky factors) or reads other parameters. */
  readonly skipped: readonly string[];
  /** Where post-warmup trajectories diverged (fit.divergences), as points in this view's columns. */
  readonly divergedAt: readonly { readonly chain: number; readonly position: Float64Array }[];
}

function label(transform: string, column: string): string {
  if (transform === 'identity') return column;
  if (transform === 'log') return `log(${column})`;
  return `${transform}⁻¹(${column})`;
}

/** Traces a Model in float64, or returns a traced one as it is. */
export function tracedOf(model: Model | TracedModel): TracedModel {
  return 'ir' in model ? model : model.trace('float64');
}

/**
 * Maps every parameter with an elementwise transform back to the unconstrained scale, draw by draw, with the
 * transform's host inverse (float64). Deterministics are not parameters and are left out.
 */
export function unconstrainedView(fit: FitData, model: Model | TracedModel): UnconstrainedView {
  const traced = tracedOf(model);
  const columns: string[] = [];
  const source: string[] = [];
  const skipped: string[] = [];
  const qIndex: number[] = []; // each view column's coordinate in the sampler's unconstrained vector
  const values: Float64Array[][] = fit.values.map(() => []);
  for (const p of traced.params) {
    const names = flatNames(p.name, p.shape);
    const idx = names.map((n) => fit.columns.indexOf(n));
    if (p.size !== names.length || idx.some((j) => j < 0)) {
      skipped.push(p.name);
      continue;
    }
    const n = fit.values[0]?.[idx[0]!]?.length ?? 0;
    const out = fit.values.map(() => names.map(() => new Float64Array(n)));
    let ok = true;
    const x = new Float64Array(names.length);
    try {
      fit.values.forEach((chain, c) => {
        for (let i = 0; i < n; i++) {
          idx.forEach((j, k) => (x[k] = chain[j]![i]!));
          const y = x.every(Number.isFinite) ? p.transform.inverse(x, p.shape) : x.map(() => NaN);
          y.forEach((v, k) => (out[c]![k]![i] = v));
        }
      });
    } catch {
      ok = false; // a bound that depends on other parameters has no host inverse
    }
    if (!ok) {
      skipped.push(p.name);
      continue;
    }
    names.forEach((name, k) => {
      columns.push(label(p.transform.name, name));
      source.push(name);
      qIndex.push(p.offset + k);
      fit.values.forEach((_, c) => values[c]!.push(out[c]![k]!));
    });
  }
  const view: FitData = {
    ...fit,
    variables: columns.map((name) => ({ name, shape: [], kind: 'param' as const })),
    columns,
    values,
  };
  const divergedAt = (fit.divergences ?? []).filter((x) => !x.warmup)
    .map((x) => ({ chain: x.chain, position: Float64Array.from(qIndex, (i) => x.position[i]!) }));
  return { fit: view, source, skipped, divergedAt };
}
