// Finds data and constants of a traced model that float32 cannot hold (overflow to ±∞, or flush towards 0).
import type { GraphIR } from './ir.ts';

/** The largest finite float32, 2^128 − 2^104 (IEEE 754 binary32). */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest positive normal float32, 2^−126; below it values lose precision and MLX may flush them to 0. */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/** One value float32 cannot represent faithfully. */
export interface Float32Problem {
  /** Where it is: "observed data 'y'", or "a constant in 'prior of sigma'", or "a constant of the model". */
  readonly where: string;
  readonly value: number;
  /** Flat position inside that array. */
  readonly position: number;
  readonly kind: 'overflow' | 'underflow';
}

function classify(v: number): Float32Problem['kind'] | null {
  if (!Number.isFinite(v) || v === 0) return null; // ±∞ constants are deliberate (masks of −∞); NaN is checked elsewhere
  const a = Math.abs(v);
  if (a > FLOAT32_MAX) return 'overflow';
  if (a < FLOAT32_MIN_NORMAL) return 'underflow';
  return null;
}

/** The first unrepresentable value of `data`, or null. */
export function firstFloat32Problem(data: Float64Array): { value: number; position: number; kind: Float32Problem['kind'] } | null {
  for (let i = 0; i < data.length; i++) {
    const kind = classify(data[i]!);
    if (kind !== null) return { value: data[i]!, position: i, kind };
  }
  return null;
}

/** For every node, the label of the first term whose value depends on it (walking inputs from each term). */
function termOfNode(ir: GraphIR, terms: readonly { label: string; node: number }[]): (string | undefined)[] {
  const owner: (string | undefined)[] = new Array(ir.nodes.length);
  for (const t of terms) {
    const stack = [t.node];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (owner[id] !== undefined) continue;
      owner[id] = t.label;
      for (const i of ir.nodes[id]!.inputs) if (owner[i] === undefined) stack.push(i);
    }
  }
  return owner;
}

/**
 * Every float constant of `ir` (observed data included) holding a finite non-zero value outside float32's normal
 * range, one problem per constant (its first bad element). Observed data are named by `observed`; other
 * constants by the first log-density term that uses them.
 */
export function float32Problems(
  ir: GraphIR,
  terms: readonly { label: string; node: number }[],
  observed: readonly { name: string; data: Float64Array }[],
): Float32Problem[] {
  const out: Float32Problem[] = [];
  const seen = new Set<Float64Array>();
  for (const o of observed) {
    seen.add(o.data);
    const p = firstFloat32Problem(o.data);
    if (p) out.push({ where: `observed data '${o.name}'`, ...p });
  }
  const owner = termOfNode(ir, terms);
  ir.nodes.forEach((n, id) => {
    if (n.op !== 'const' || n.dtype !== 'float' || !(n.data instanceof Float64Array)) return;
    const p = firstFloat32Problem(n.data);
    if (!p) return;
    const dataCopy = observed.some((o) => o.data.length === n.data!.length && o.data.every((v, i) => Object.is(v, n.data![i])));
    if (seen.has(n.data) || dataCopy) return;
    const label = owner[id];
    out.push({ where: label ? `a constant in '${label}'` : 'a constant of the model', ...p });
  });
  return out;
}

/** The message for a float32 model with unrepresentable values (null when there are none). */
export function float32Message(modelName: string, problems: readonly Float32Problem[]): string | null {
  if (problems.length === 0) return null;
  const parts = problems.slice(0, 5).map((p) => {
    const at = `${p.where} holds ${p.value}${p.position > 0 ? ` at position ${p.position}` : ''}`;
    return p.kind === 'overflow'
      ? `${at}, beyond float32's largest finite number (±3.4e38): it becomes ±Infinity`
      : `${at}, below float32's smallest normal number (1.2e-38): it becomes 0 or loses its digits`;
  });
  return `[model] '${modelName}' is built for float32, but ${parts.join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. ` +
    "Rescale the data or the model, or sample with dtype: 'float64' (device 'cpu').";
}
