// Storage of generated code: which nodes are live, which need adjoints, where each array lives, and the data buffers.
import type { GraphIR, GraphNode } from '../graph/ir.ts';
import { sizeOf } from '../graph/shape.ts';

/** Arrays up to this many elements in total are locals of the generated function; beyond, a workspace holds them. */
export const LOCAL_ELEMENTS = 4096;

/** How a node's value is reached in generated code. */
export type Storage =
  | { kind: 'param'; offset: number } // q + offset
  | { kind: 'data'; offset: number } // float data buffer D + offset
  | { kind: 'idata'; offset: number } // int data buffer I + offset
  | { kind: 'pre'; offset: number } // parameter-independent: computed once per data set into D + offset
  | { kind: 'alias'; of: number } // a reshape: the input's storage
  | { kind: 'array'; size: number }; // computed into its own array

export interface Layout {
  readonly storage: ReadonlyMap<number, Storage>;
  /** Float data (constants) in node order; converted to the generated real type by the host. */
  readonly dataF: Float64Array;
  readonly dataI: Int32Array;
  /**
   * Sparse constant left operands of matmul (e.g. GaussianRandomWalk's difference matrix) in CSR form: row starts and
   * columns in I, values in D; the product then skips zeros (the same sums in the same order).
   */
  readonly csr: ReadonlyMap<number, { readonly rowStart: number; readonly col: number; readonly val: number }>;
  /** Nodes computed once by mn_prepare (after the float data in D), in topological order, and their total size. */
  readonly pre: readonly number[];
  readonly preSize: number;
}

/** Ancestors of `roots` (inclusive), in topological order. */
export function ancestors(ir: GraphIR, roots: readonly number[]): number[] {
  const mark = new Uint8Array(ir.nodes.length);
  const stack = [...roots];
  while (stack.length) {
    const k = stack.pop()!;
    if (mark[k]) continue;
    mark[k] = 1;
    for (const i of ir.nodes[k]!.inputs) stack.push(i);
  }
  const out: number[] = [];
  for (let k = 0; k < mark.length; k++) if (mark[k]) out.push(k);
  return out;
}

function dependsOnParams(nodes: readonly GraphNode[]): Uint8Array {
  const dep = new Uint8Array(nodes.length);
  nodes.forEach((n, k) => {
    if (n.op === 'param') dep[k] = 1;
    else if (n.op !== 'stopGradient' && n.op !== 'floor' && n.dtype === 'float') dep[k] = n.inputs.some((i) => dep[i]) ? 1 : 0;
  });
  return dep;
}

/** Nodes whose adjoint a gradient over `live` needs: float nodes that depend on a parameter. */
export function gradNodes(ir: GraphIR, live: readonly number[]): Set<number> {
  const dep = dependsOnParams(ir.nodes);
  return new Set(live.filter((k) => dep[k] && ir.nodes[k]!.dtype === 'float'));
}

/**
 * Storage of every node any generated function evaluates (the ancestors of `roots`), and the data buffers:
 * constants are inputs, not source, so one compiled model serves every data set of the same shapes.
 */
export function planLayout(ir: GraphIR, roots: readonly number[]): Layout {
  const live = ancestors(ir, roots);
  const storage = new Map<number, Storage>();
  const valueDep = new Uint8Array(ir.nodes.length);
  ir.nodes.forEach((n, k) => { valueDep[k] = n.op === 'param' || n.inputs.some((i) => valueDep[i]) ? 1 : 0; });
  const pre: number[] = [];
  const fParts: ArrayLike<number>[] = [];
  const iParts: ArrayLike<number>[] = [];
  let fOff = 0;
  let iOff = 0;
  for (const k of live) {
    const n = ir.nodes[k]!;
    if (n.op === 'param') storage.set(k, { kind: 'param', offset: n.attrs!.offset! });
    else if (n.op === 'const' && n.dtype === 'float') {
      storage.set(k, { kind: 'data', offset: fOff });
      fParts.push(n.data!);
      fOff += n.data!.length;
    } else if (n.op === 'const') {
      storage.set(k, { kind: 'idata', offset: iOff });
      iParts.push(n.data!);
      iOff += n.data!.length;
    } else if (n.op === 'reshape') storage.set(k, { kind: 'alias', of: n.inputs[0]! });
    else if (!valueDep[k]) pre.push(k);
    else storage.set(k, { kind: 'array', size: sizeOf(n.shape) });
  }
  // sparse constant matrices multiplied from the left: CSR after the other data
  const csr = new Map<number, { rowStart: number; col: number; val: number }>();
  for (const k of live) {
    const n = ir.nodes[k]!;
    if (n.op !== 'matmul') continue;
    const a = ir.nodes[n.inputs[0]!]!;
    if (a.op !== 'const' || a.dtype !== 'float' || a.shape.length !== 2 || csr.has(n.inputs[0]!)) continue;
    const data = a.data as Float64Array;
    let nnz = 0;
    for (const x of data) if (x !== 0) nnz++;
    if (data.length < 64 || nnz > data.length / 4) continue;
    const [m, kk] = a.shape as [number, number];
    const rows = new Int32Array(m + 1);
    const cols = new Int32Array(nnz);
    const vals = new Float64Array(nnz);
    let p = 0;
    for (let i = 0; i < m; i++) {
      rows[i] = p;
      for (let t = 0; t < kk; t++) {
        const x = data[i * kk + t]!;
        if (x !== 0) { cols[p] = t; vals[p] = x; p++; }
      }
    }
    rows[m] = p;
    csr.set(n.inputs[0]!, { rowStart: iOff, col: iOff + m + 1, val: fOff });
    iParts.push(rows, cols);
    iOff += m + 1 + nnz;
    fParts.push(vals);
    fOff += nnz;
  }
  // parameter-independent nodes live after the float data: computed once per data set, read like data
  let preSize = 0;
  for (const k of pre) {
    storage.set(k, { kind: 'pre', offset: fOff + preSize });
    preSize += sizeOf(ir.nodes[k]!.shape);
  }
  const dataF = new Float64Array(fOff);
  let o = 0;
  for (const p of fParts) { dataF.set(p, o); o += p.length; }
  const dataI = new Int32Array(iOff);
  o = 0;
  for (const p of iParts) { dataI.set(p, o); o += p.length; }
  return { storage, dataF, dataI, pre, preSize, csr };
}
