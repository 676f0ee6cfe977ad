// Static shapes: sizes, numpy-style broadcasting and row-major strides, checked when a model is built.
import { ModelError } from '../base/errors.ts';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** numpy broadcasting: align from the right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(fn: string, ...shapes: Shape[]): number[] {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(n).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const i = n - s.length + k;
      const d = s[k]!;
      if (out[i] === 1) out[i] = d;
      else if (d !== 1 && d !== out[i]) {
        throw new ModelError(`[${fn}] shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together`);
      }
    }
  }
  return out;
}

export function stridesOf(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i]!;
  }
  return st;
}

/** Normalises a possibly negative axis for an array of rank `ndim`, with an error naming `fn`. */
export function normAxis(fn: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= ndim) throw new ModelError(`[${fn}] axis ${axis} is out of range for rank ${ndim}`);
  return a;
}

/** For each flat index of `out`, the flat index of the broadcast input `inp` (a map used by the reference backend). */
export function broadcastIndex(inp: Shape, out: Shape): Int32Array {
  const n = sizeOf(out);
  const map = new Int32Array(n);
  const off = out.length - inp.length;
  const inStrides = stridesOf(inp);
  const outStrides = stridesOf(out);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let j = 0;
    for (let k = 0; k < out.length; k++) {
      const c = Math.floor(rem / outStrides[k]!);
      rem -= c * outStrides[k]!;
      const ki = k - off;
      if (ki >= 0 && inp[ki] !== 1) j += c * inStrides[ki]!;
    }
    map[i] = j;
  }
  return map;
}

/** matmul dims: a as [m, k], b as [k, n] (a vector on the left is a row, on the right a column). */
export function mmDims(sa: Shape, sb: Shape): [number, number, number] {
  const m = sa.length === 2 ? sa[0]! : 1;
  const k = sa[sa.length - 1]!;
  const n = sb.length === 2 ? sb[1]! : 1;
  return [m, k, n];
}
