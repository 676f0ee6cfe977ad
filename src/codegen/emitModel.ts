// IR → source of the model: logp with its reverse-mode gradient, and the constrained values of named nodes.
// Straight-line code per node, loops over array axes; no user string reaches the source (nodes are numbered).
import type { Dtype } from '../base/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import { sizeOf } from '../graph/shape.ts';
import { ancestors, gradNodes, planLayout } from './layout.ts';
import { FunctionEmitter, type PlantedFault } from './functionEmitter.ts';
import { g, v } from './opRules.ts';
import { findRegions, type RegionPolicy } from './regions.ts';


export interface EmittedModel {
  /** Source of mn_logp_grad and mn_constrain (without prelude), and the model's constants. */
  readonly source: string;
  readonly dim: number;
  /** Number of constrained values mn_constrain writes. */
  readonly columns: number;
  /** Workspace elements (of the real type) the functions need per call. */
  readonly work: number;
  readonly dataF: Float64Array;
  readonly dataI: Int32Array;
  /** Elements after dataF in the data buffer that mn_prepare fills (parameter-independent nodes). */
  readonly preSize: number;
  /** Elements of the largest reduction region of the gradient function (0: none). */
  readonly largestRegion: number;
}

/** Offset of each node's values in the flat per-node buffers of the debug entry point (row-major, node order). */
export function nodeOffsets(ir: GraphIR): number[] {
  let o = 0;
  return ir.nodes.map((n) => {
    const at = o;
    o += sizeOf(n.shape);
    return at;
  });
}
function indent(lines: string[]): string {
  return lines.map((l) => '  ' + l).join('\n');
}

/**
 * The model as source: `mn_logp_grad_r(q, gq, D, I, W)` returns logp and writes the gradient, `mn_constrain_r(q, out,
 * D, I, W)` writes the values of `named` nodes in order. Both work in the real type R of `dtype`. `regions`: which
 * reduction regions (regions.ts) the gradient function fuses; outside them every node has its array (the form the
 * check tool's node-by-node debug function always has).
 */
export function emitModel(ir: GraphIR, named: readonly number[], dtype: Dtype, fault?: PlantedFault, debug = false,
  regions: RegionPolicy = 'all'): EmittedModel {
  const out = ir.output;
  const layout = planLayout(ir, [out, ...named]);
  // logp and gradient
  const liveL = ancestors(ir, [out]);
  const needGrad = gradNodes(ir, liveL);
  const plan = findRegions(ir, layout, liveL, regions);
  const fl = new FunctionEmitter(ir, layout, liveL, needGrad, fault, false, plan);
  fl.forwardAll(liveL);
  fl.declareAdjoints();
  if (needGrad.has(out)) fl['body'].push(`${g(out)}[0] = 1;`);
  for (let i = liveL.length - 1; i >= 0; i--) fl.backward(liveL[i]!);
  const L = fl.finish();
  // debug: the same computation, then every live node's value and adjoint copied out (offsets: nodeOffsets(ir))
  let debugFn = '';
  let debugWork = 0;
  if (debug) {
    const liveAll = ancestors(ir, [out, ...named]);
    const fd = new FunctionEmitter(ir, layout, liveAll, needGrad, fault);
    fd.forwardAll(liveAll);
    fd.declareAdjoints();
    if (needGrad.has(out)) fd['body'].push(`${g(out)}[0] = 1;`);
    for (let i = liveL.length - 1; i >= 0; i--) fd.backward(liveL[i]!);
    const offs = nodeOffsets(ir);
    for (const k of liveAll) {
      const n = sizeOf(ir.nodes[k]!.shape);
      fd['body'].push(`for (int i = 0; i < ${n}; ++i) vals[${offs[k]} + i] = (double)${v(k)}[i];`);
      if (needGrad.has(k)) fd['body'].push(`for (int i = 0; i < ${n}; ++i) adjs[${offs[k]} + i] = (double)${g(k)}[i];`);
    }
    const Dd = fd.finish();
    debugWork = Dd.work; // every node has its array here: more than the gradient function's regions need
    debugFn = `
DEVICE double mn_debug_nodes_r(const R* MN_RESTRICT q, R* MN_RESTRICT gq, const R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W, double* vals, double* adjs) {
  (void)D; (void)I; (void)W;
  for (int i = 0; i < MN_DIM; ++i) gq[i] = 0;
${indent(Dd.decl)}
${indent(Dd.body)}
  return (double)${v(out)}[0];
}
`;
  }
  // constrained values
  const liveC = ancestors(ir, named);
  const fc = new FunctionEmitter(ir, layout, liveC, new Set());
  fc.forwardAll(liveC);
  const C = fc.finish();
  let col = 0;
  const copies = named.map((k) => {
    const n = sizeOf(ir.nodes[k]!.shape);
    const line = `for (int i = 0; i < ${n}; ++i) out[${col} + i] = (MN_COLUMN_T)${v(k)}[i];`;
    col += n;
    return line;
  });
  // parameter-independent nodes, once per data set
  const fp = new FunctionEmitter(ir, layout, layout.pre.length ? ancestors(ir, layout.pre) : [], new Set(), undefined, true);
  for (const k of layout.pre) fp.forward(k);
  const P = fp.finish();
  const R = dtype === 'float64' ? 'double' : 'float';
  const source = `
typedef ${R} R;
#define MN_DIM ${ir.dim}
#define MN_COLUMNS ${col}
DEVICE void mn_prepare_r(R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W) {
  (void)D; (void)I; (void)W;
${indent(P.decl)}
${indent(P.body)}
}
DEVICE double mn_logp_grad_r(const R* MN_RESTRICT q, R* MN_RESTRICT gq, const R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W) {
  (void)D; (void)I; (void)W;
  for (int i = 0; i < MN_DIM; ++i) gq[i] = 0;
${indent(L.decl)}
${indent(L.body)}
  return (double)${v(out)}[0];
}
${debugFn}
DEVICE void mn_constrain_r(const R* MN_RESTRICT q, MN_COLUMN_T* MN_RESTRICT out, const R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W) {
  (void)q; (void)D; (void)I; (void)W;
${indent(C.decl)}
${indent(C.body)}
${indent(copies)}
}
`;
  return {
    source, dim: ir.dim, columns: col, work: Math.max(L.work, C.work, P.work, debugWork), dataF: layout.dataF, dataI: layout.dataI,
    preSize: layout.preSize, largestRegion: Math.max(0, ...[...plan.byRoot.values()].map((r) => sizeOf(r.shape))),
  };
}
