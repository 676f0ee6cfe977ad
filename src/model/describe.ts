// describe(model): a text listing of a model's parameters (shapes, supports, transforms), deterministics and data.
import { ModelError } from '../base/errors.ts';
import type { Support } from '../distributions/distribution.ts';
import type { TracedModel } from './traced.ts';

/** Anything that traces to a model (a Model from model(name, fn)). */
interface Traceable {
  trace(dtype: 'float64'): TracedModel;
}
import { fmtShape } from '../graph/shape.ts';

function bound(b: number | { constValue: Float64Array | null }): string {
  if (typeof b === 'number') return String(b);
  const c = b.constValue;
  return c && c.length === 1 ? String(c[0]) : 'expr';
}

/** A support in words: 'real', 'positive', '(0, 1)', '> expr', 'simplex', … */
export function supportText(s: Support): string {
  switch (s.kind) {
    case 'interval': return `(${bound(s.lower)}, ${bound(s.upper)})`;
    case 'greaterThan': return `> ${bound(s.lower)}`;
    case 'lessThan': return `< ${bound(s.upper)}`;
    case 'integerInterval': return `{${s.lower}, …, ${s.upper}}`;
    default: return s.kind;
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

/** The listing of a traced model. */
export function describeTraced(t: TracedModel): string {
  const lines = [`model '${t.name}': ${t.params.length} parameter${t.params.length === 1 ? '' : 's'}, ` +
    `${t.ir.dim} unconstrained dimension${t.ir.dim === 1 ? '' : 's'}`];
  lines.push('parameters:');
  lines.push(...table([['name', 'shape', 'prior', 'support', 'transform'],
    ...t.params.map((p) => [p.name, fmtShape(p.shape), p.dist.name, supportText(p.dist.support), p.transform.name])]));
  if (t.deterministics.length > 0) {
    lines.push('deterministics:');
    lines.push(...table([['name', 'shape'], ...t.deterministics.map((d) => [d.name, fmtShape(d.shape)])]));
  }
  if (t.observed.length > 0) {
    lines.push('observed:');
    lines.push(...table([['name', 'shape', 'distribution'], ...t.observed.map((o) => [o.name, fmtShape(o.data.shape), o.dist.name])]));
  }
  const factors = t.terms.filter((x) => x.label.startsWith('factor')).length;
  if (factors > 0) lines.push(`factors: ${factors} extra term${factors === 1 ? '' : 's'} (m.factor)`);
  return lines.join('\n');
}

/** Parameters with shapes, supports and transforms, deterministics and observed data of `model` (traced in float64). */
export function describe(model: Traceable | TracedModel): string {
  if (model !== null && typeof model === 'object' && 'ir' in model) return describeTraced(model);
  if (!model || typeof (model as Traceable).trace !== 'function') throw new ModelError('[describe] the argument must be a model (from model(name, fn))');
  return describeTraced((model as Traceable).trace('float64'));
}
