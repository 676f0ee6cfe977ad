// Turns user data (numbers, nested arrays, typed arrays) into shaped Float64Array / Int32Array values.
import { ModelError } from '../base/errors.ts';
import { fmtShape, type Shape } from './shape.ts';

export type NestedArray = number | boolean | readonly NestedArray[];
export type TypedNumberArray =
  | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array;
export type ArrayLike = NestedArray | TypedNumberArray | readonly TypedNumberArray[];

export interface HostTensor {
  readonly shape: number[];
  readonly data: Float64Array;
}

function isTyped(v: unknown): v is TypedNumberArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Shape of a rectangular nested array; throws naming `what` when ragged or not numeric. */
function inferShape(v: unknown, what: string): number[] {
  if (typeof v === 'number' || typeof v === 'boolean') return [];
  if (isTyped(v)) return [v.length];
  if (Array.isArray(v)) {
    if (v.length === 0) return [0];
    const inner = inferShape(v[0], what);
    for (let i = 1; i < v.length; i++) {
      const s = inferShape(v[i], what);
      if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) {
        throw new ModelError(`${what} is ragged: element 0 has shape ${fmtShape(inner)} but element ${i} has ${fmtShape(s)}`);
      }
    }
    return [v.length, ...inner];
  }
  throw new ModelError(`${what} must be a number, an array of numbers or a typed array, got ${v === null ? 'null' : typeof v}`);
}

function flattenInto(v: unknown, out: Float64Array, pos: { i: number }): void {
  if (typeof v === 'number') out[pos.i++] = v;
  else if (typeof v === 'boolean') out[pos.i++] = v ? 1 : 0;
  else if (isTyped(v)) for (let k = 0; k < v.length; k++) out[pos.i++] = Number(v[k]);
  else for (const e of v as unknown[]) flattenInto(e, out, pos);
}

/** Converts `v` to a row-major float64 tensor; `what` names the value in errors (e.g. "[Normal] sigma"). */
export function toHostTensor(v: unknown, what: string): HostTensor {
  const shape = inferShape(v, what);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float64Array(n);
  flattenInto(v, data, { i: 0 });
  return { shape, data };
}

/** Like toHostTensor, but requires integers (for indices and counts). */
export function toIntTensor(v: unknown, what: string): { shape: number[]; data: Int32Array } {
  const t = toHostTensor(v, what);
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const x = t.data[i]!;
    if (!Number.isInteger(x) || Math.abs(x) > 2 ** 31 - 1) throw new ModelError(`${what} must hold integers, but element ${i} is ${x}`);
    out[i] = x;
  }
  return { shape: t.shape, data: out };
}

export function reshapeCheck(what: string, have: Shape, want: Shape): void {
  if (have.length !== want.length || have.some((d, i) => d !== want[i])) {
    throw new ModelError(`${what} has shape ${fmtShape(have)} but ${fmtShape(want)} is required`);
  }
}
