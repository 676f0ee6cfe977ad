// Index plans for the reference interpreter: every gather-like op becomes "out[i] = input k at flat index j".
import type { GraphNode } from '../../graph/ir.ts';
import { broadcastIndex, sizeOf, stridesOf, type Shape } from '../../graph/shape.ts';

/** out[i] = inputs[src[i]][idx[i]]: covers reshape, broadcastTo, transpose, slice, concat, stack and take. */
export interface GatherPlan {
  readonly src: Uint16Array;
  readonly idx: Int32Array;
}

export interface NodePlan {
  /** elementwise ops: per input, the flat input index for each output element (null when shapes match). */
  bmaps?: (Int32Array | null)[];
  gather?: GatherPlan;
  /** reductions: for each input element, its output element. */
  rmap?: Int32Array;
  rcount?: number;
}

function unravel(i: number, strides: number[]): number[] {
  const c: number[] = [];
  for (const s of strides) {
    const q = Math.floor(i / s);
    c.push(q);
    i -= q * s;
  }
  return c;
}

function ravel(c: number[], strides: number[]): number {
  let j = 0;
  for (let k = 0; k < c.length; k++) j += c[k]! * strides[k]!;
  return j;
}

function gatherPlan(n: GraphNode, shapes: Shape[], intData: (i: number) => Int32Array): GatherPlan {
  const out = n.shape;
  const size = sizeOf(out);
  const src = new Uint16Array(size);
  const idx = new Int32Array(size);
  const os = stridesOf(out);
  const in0 = shapes[0]!;
  const is0 = stridesOf(in0);
  const a = n.attrs ?? {};
  for (let i = 0; i < size; i++) {
    const c = unravel(i, os);
    switch (n.op) {
      case 'reshape': idx[i] = i; break;
      case 'broadcastTo': break;
      case 'transpose': {
        const ic = new Array<number>(c.length);
        a.perm!.forEach((p, k) => (ic[p] = c[k]!));
        idx[i] = ravel(ic, is0);
        break;
      }
      case 'slice': idx[i] = ravel(c.map((v, k) => v + a.begin![k]!), is0); break;
      case 'concat': {
        let k = 0;
        let v = c[a.axis!]!;
        while (v >= shapes[k]![a.axis!]!) v -= shapes[k++]![a.axis!]!;
        src[i] = k;
        const ic = [...c];
        ic[a.axis!] = v;
        idx[i] = ravel(ic, stridesOf(shapes[k]!));
        break;
      }
      case 'stack': {
        src[i] = c[a.axis!]!;
        idx[i] = ravel(c.filter((_, k) => k !== a.axis), is0);
        break;
      }
      case 'take': {
        const ax = a.axis!;
        const ishape = shapes[1]!;
        const ind = intData(1);
        const ic = c.slice(ax, ax + ishape.length);
        const which = ind[ravel(ic, stridesOf(ishape))]!;
        idx[i] = ravel([...c.slice(0, ax), which, ...c.slice(ax + ishape.length)], is0);
        break;
      }
      default: throw new Error(`[reference] ${n.op} is not a gather op`);
    }
  }
  if (n.op === 'broadcastTo') idx.set(broadcastIndex(in0, out));
  return { src, idx };
}

export const GATHER_OPS = new Set(['reshape', 'broadcastTo', 'transpose', 'slice', 'concat', 'stack', 'take']);

export function planNode(n: GraphNode, shapes: Shape[], intData: (i: number) => Int32Array): NodePlan {
  if (GATHER_OPS.has(n.op)) return { gather: gatherPlan(n, shapes, intData) };
  if (n.op === 'sum' || n.op === 'mean' || n.op === 'logSumExp' || n.op === 'max') {
    const ins = shapes[0]!;
    const axes = n.attrs?.axes ?? ins.map((_, i) => i);
    const keptShape = ins.map((d, i) => (axes.includes(i) ? 1 : d));
    const ks = stridesOf(keptShape);
    const is = stridesOf(ins);
    const rmap = new Int32Array(sizeOf(ins));
    for (let i = 0; i < rmap.length; i++) {
      const c = unravel(i, is).map((v, k) => (axes.includes(k) ? 0 : v));
      rmap[i] = ravel(c, ks);
    }
    return { rmap, rcount: axes.reduce((p, a) => p * ins[a]!, 1) };
  }
  if (n.op === 'matmul' || n.op === 'cumsum' || n.op === 'param' || n.op === 'const') return {};
  // elementwise (unary, binary, compare, where, clamp)
  return {
    bmaps: shapes.map((s) => (s.length === n.shape.length && s.every((d, k) => d === n.shape[k]) ? null
      : broadcastIndex(s, n.shape))),
  };
}
