// Text pieces of a check report: numbers as CmdStan prints them, short vectors, and a finding with its model line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fmtShape } from '../graph/shape.ts';
import type { NodeFinding } from './nodeDiff.ts';

/** Six significant digits, like CmdStan's tables (C++ stream defaults). */
export function g6(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(6)));
  const [m, e] = x.toExponential(5).split('e');
  return `${String(Number(m))}e${e!.startsWith('-') ? '-' : '+'}${e!.replace(/^[-+]/, '').padStart(2, '0')}`;
}

/** An error ratio: two significant digits. */
export function e2(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : 'inf';
  return x === 0 ? '0' : x.toExponential(1);
}

/** Up to `max` values around element `at`, with an ellipsis for the rest. */
export function vec(v: ArrayLike<number> | undefined, at = 0, max = 4): string {
  if (!v) return '—';
  if (v.length === 1) return g6(v[0]!);
  const start = Math.max(0, Math.min(at - 1, v.length - max));
  const parts: string[] = [];
  for (let i = start; i < Math.min(v.length, start + max); i++) parts.push(g6(v[i]!));
  return `[${start > 0 ? '…, ' : ''}${parts.join(', ')}${start + max < v.length ? ', …' : ''}] (${v.length} values)`;
}

const lines = new Map<string, string[] | null>();

/** The text of the source line `file:line[:col]` refers to, when the file can be read. */
export function sourceLine(src: string | undefined): string | undefined {
  if (!src) return undefined;
  const m = /^(.*):(\d+):\d+$/.exec(src) ?? /^(.*):(\d+)$/.exec(src);
  if (!m) return undefined;
  const file = resolve(m[1]!);
  if (!lines.has(file)) {
    try {
      lines.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      lines.set(file, null);
    }
  }
  return lines.get(file)?.[Number(m[2]) - 1]?.trim();
}

function created(f: NodeFinding): string {
  if (!f.src) return 'created by mlx-nuts itself (no model line: e.g. the sum of the model\'s terms)';
  const text = sourceLine(f.src);
  return `created at ${f.src}${text ? `    ${text}` : ''}`;
}

/** The lines describing a finding, indented by `pad`; `engine` names the engine's side of each pair. */
export function findingLines(f: NodeFinding, engine: string | undefined, pad: string): string[] {
  const out: string[] = [];
  const node = `node ${f.node} (${f.op}, shape ${fmtShape(f.shape)})`;
  const pair = (r: ArrayLike<number> | undefined, a: ArrayLike<number> | undefined, at: number) => engine === undefined ?
    vec(r, at) : a === undefined ? `${vec(r, at)} (reference${f.isolated ? `, given to ${engine}` : ''})` :
      `reference ${vec(r, at)}   ${engine} ${vec(a, at)}`;
  switch (f.kind) {
    case 'value': out.push(`first divergence: the value of ${node}`); break;
    case 'derivative': out.push(`first divergence: the derivative of ${node} with respect to its input ${f.input}`); break;
    case 'adjoint': out.push(`first divergence: the adjoint of ${node}; the derivative rule of one of its consumers ` +
      `(${(f.consumers ?? []).map((c) => `node ${c}`).join(', ')}) is wrong`); break;
    case 'nonFiniteValue': out.push(`first non-finite value: ${node} makes ${g6(f.reference[f.element]!)} out of finite inputs`); break;
    case 'nonFiniteDerivative': out.push(`first non-finite derivative: ${node} sends ${g6(f.reference[f.element]!)} to its input ${f.input} ` +
      'out of finite values and a finite incoming cotangent'); break;
  }
  out.push(`  ${created(f)}`);
  if (f.isolated) out.push(`  (${engine} evaluated the node alone, on the reference's inputs${f.kind === 'derivative' ? ' and incoming cotangent' : ''})`);
  f.inputs.forEach((inp, k) => {
    const mark = f.input === k ? ' ←' : '';
    out.push(`  input ${k}: node ${inp.node} (${inp.op}, shape ${fmtShape(inp.shape)}) = ${pair(inp.reference, inp.engine, f.element)}${mark}`);
  });
  if (f.adjoint) out.push(`  incoming cotangent d logp/d node ${f.node}: ${pair(f.adjoint.reference, f.adjoint.engine, f.element)}`);
  const what = f.kind === 'derivative' || f.kind === 'nonFiniteDerivative' ? `cotangent sent to input ${f.input}` :
    f.kind === 'adjoint' ? 'adjoint' : 'value';
  out.push(`  ${what}: ${pair(f.reference, f.engine, f.element)}`);
  if (f.error !== undefined) {
    out.push(`  element ${f.element}: reference ${g6(f.reference[f.element]!)}, ${engine ?? 'engine'} ${g6(f.engine?.[f.element] ?? NaN)}` +
      ` (error ${e2(f.error)} > tolerance ${e2(f.tolerance ?? 0)})`);
  }
  return out.map((l) => pad + l);
}

/** Columns of the given widths, right-aligned (a negative width left-aligns after two spaces), without trailing blanks. */
export function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (widths[i]! < 0 ? `  ${c.padEnd(-widths[i]! - 2)}` : c.padStart(widths[i]!))).join('').trimEnd();
}
