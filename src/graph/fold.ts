// Host evaluation of elementwise ops on constants (constant folding at graph-build time),
// in float64 with the scalar functions the reference interpreter uses, so folding never changes a value it would compute.
import { BINARY_F, UNARY_F } from '../math/scalarOps.ts';
import { sizeOf, stridesOf, type Shape } from './shape.ts';

export function foldUnary(op: string, x: Float64Array): Float64Array {
  const f = UNARY_F[op];
  if (!f) throw new Error(`[graph] cannot fold unary op '${op}'`);
  return x.map(f);
}

/** a (shape sa) op b (shape sb), broadcast to `out` (numpy rules, already checked by the caller). */
export function foldBinary(op: string, a: Float64Array, sa: Shape, b: Float64Array, sb: Shape, out: Shape): Float64Array {
  const f = BINARY_F[op];
  if (!f) throw new Error(`[graph] cannot fold binary op '${op}'`);
  const n = sizeOf(out);
  const r = new Float64Array(n);
  const ia = broadcastIndex(sa, out);
  const ib = broadcastIndex(sb, out);
  for (let i = 0; i < n; i++) r[i] = f(a[ia(i)]!, b[ib(i)]!);
  return r;
}

/** Maps a flat index of `out` to the flat index of an operand of shape `s` broadcast against it. */
function broadcastIndex(s: Shape, out: Shape): (i: number) => number {
  if (sizeOf(s) === sizeOf(out)) return (i) => i; // same shape up to leading unit axes
  if (sizeOf(s) === 1) return () => 0;
  const os = stridesOf(out);
  const st = stridesOf(s);
  const lead = out.length - s.length;
  return (i) => {
    let j = 0;
    for (let d = lead; d < out.length; d++) {
      const k = Math.floor(i / os[d]!) % out[d]!;
      const sd = s[d - lead]!;
      if (sd !== 1) j += k * st[d - lead]!;
    }
    return j;
  };
}
