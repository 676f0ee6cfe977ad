// Forward evaluation of one graph node in float64 (the reference backend's interpreter).
import type { GraphNode } from '../../graph/ir.ts';
import { mmDims, sizeOf, stridesOf } from '../../graph/shape.ts';
import type { NodePlan } from './plan.ts';
import { BINARY_F, UNARY_F } from '../../math/scalarOps.ts';

export function at(v: Float64Array, map: Int32Array | null | undefined, i: number): number {
  return map ? v[map[i]!]! : v[i]!;
}


export function forwardNode(n: GraphNode, plan: NodePlan, ins: Float64Array[], q: Float64Array,
  inShapes: readonly (readonly number[])[]): Float64Array {
  const size = sizeOf(n.shape);
  const out = new Float64Array(size);
  const op = n.op;
  if (op === 'param') {
    out.set(q.subarray(n.attrs!.offset!, n.attrs!.offset! + size));
    return out;
  }
  if (op === 'const') {
    out.set(n.data!);
    return out;
  }
  if (plan.gather) {
    const { src, idx } = plan.gather;
    for (let i = 0; i < size; i++) out[i] = ins[src[i]!]![idx[i]!]!;
    return out;
  }
  if (plan.rmap) {
    const x = ins[0]!;
    const r = plan.rmap;
    if (op === 'sum' || op === 'mean') {
      for (let i = 0; i < x.length; i++) out[r[i]!]! += x[i]!;
      if (op === 'mean') for (let i = 0; i < size; i++) out[i]! /= plan.rcount!;
    } else {
      out.fill(-Infinity);
      for (let i = 0; i < x.length; i++) if (x[i]! > out[r[i]!]! || Number.isNaN(x[i]!)) out[r[i]!] = x[i]!;
      if (op === 'logSumExp') {
        const m = out.slice();
        const s = new Float64Array(size);
        for (let i = 0; i < x.length; i++) {
          const mi = m[r[i]!]!;
          s[r[i]!]! += Number.isFinite(mi) ? Math.exp(x[i]! - mi) : x[i] === mi ? 1 : 0;
        }
        for (let i = 0; i < size; i++) out[i] = Number.isFinite(m[i]!) ? m[i]! + Math.log(s[i]!) : m[i]!;
      }
    }
    return out;
  }
  if (op === 'matmul') {
    const [m, k, nn] = mmDims(inShapes[0]!, inShapes[1]!);
    const a = ins[0]!;
    const b = ins[1]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < nn; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[i * k + t]! * b[t * nn + j]!;
        out[i * nn + j] = s;
      }
    }
    return out;
  }
  if (op === 'cumsum') {
    const ax = n.attrs!.axis!;
    const st = stridesOf(n.shape)[ax]!;
    const len = n.shape[ax]!;
    const x = ins[0]!;
    for (let base = 0; base < size; base++) {
      if (Math.floor(base / st) % len !== 0) continue; // start of a line along `ax`
      let s = 0;
      for (let t = 0; t < len; t++) {
        const j = n.attrs!.reverse ? base + (len - 1 - t) * st : base + t * st;
        s += x[j]!;
        out[j] = s;
      }
    }
    return out;
  }
  const maps = plan.bmaps!;
  if (op === 'where') {
    for (let i = 0; i < size; i++) out[i] = at(ins[0]!, maps[0], i) ? at(ins[1]!, maps[1], i) : at(ins[2]!, maps[2], i);
    return out;
  }
  if (op === 'clamp') {
    for (let i = 0; i < size; i++) {
      const x = at(ins[0]!, maps[0], i);
      const lo = at(ins[1]!, maps[1], i);
      const hi = at(ins[2]!, maps[2], i);
      out[i] = x < lo ? lo : x > hi ? hi : x;
    }
    return out;
  }
  const u = UNARY_F[op];
  if (u) {
    const x = ins[0]!;
    const m = maps[0];
    for (let i = 0; i < size; i++) out[i] = u(at(x, m, i));
    return out;
  }
  const b = BINARY_F[op];
  if (b) {
    const x = ins[0]!;
    const y = ins[1]!;
    for (let i = 0; i < size; i++) out[i] = b(at(x, maps[0], i), at(y, maps[1], i));
    return out;
  }
  throw new Error(`[reference] unknown op ${op}`);
}
