// A model's whole generated library: prelude, ABI, model functions, NUTS transition and the exported entry points.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dtype } from '../base/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import { packageRoot } from '../platform/packageRoot.ts';
import { emitModel, type EmittedModel } from './emitModel.ts';
import type { PlantedFault } from './functionEmitter.ts';
import { nutsSource } from './nutsSource.ts';
import type { RegionPolicy } from './regions.ts';
import { prelude, type Target } from './prelude.ts';

export interface GeneratedLibrary extends EmittedModel {
  readonly target: Target;
  readonly dtype: Dtype;
  /** The complete source: nothing in it depends on data values or on user-chosen names. */
  readonly fullSource: string;
}

let abiText: string | null = null;

/** native/src/fused_abi.h, the ABI's one home. */
export function abiHeader(): string {
  abiText ??= readFileSync(join(packageRoot(), 'native', 'src', 'fused_abi.h'), 'utf8');
  return abiText;
}

/** Model wrappers: mn_model/mn_constrain in double for the exported calls, mn_model_v/mn_constrain_v in R for NUTS. */
function wrappers(dtype: Dtype, work: number): string {
  if (dtype === 'float64') {
    return `
#define MN_MODEL_WORK ${work}
DEVICE double mn_model(const double* q, double* grad, const R* D, const int* I, R* W) { return mn_logp_grad_r(q, grad, D, I, W); }
DEVICE void mn_constrain(const double* q, MN_COLUMN_T* out, const R* D, const int* I, R* W) { mn_constrain_r(q, out, D, I, W); }
DEVICE double mn_model_v(const R* q, R* grad, const R* D, const int* I, R* W) { return mn_logp_grad_r(q, grad, D, I, W); }
DEVICE void mn_constrain_v(const R* q, MN_COLUMN_T* out, const R* D, const int* I, R* W) { mn_constrain_r(q, out, D, I, W); }
`;
  }
  return `
#define MN_MODEL_WORK (2 * MN_DIM + ${work})
DEVICE double mn_model(const double* q, double* grad, const R* D, const int* I, R* W) {
  for (int i = 0; i < MN_DIM; ++i) W[i] = (R)q[i];
  double lp = mn_logp_grad_r(W, W + MN_DIM, D, I, W + 2 * MN_DIM);
  for (int i = 0; i < MN_DIM; ++i) grad[i] = (double)W[MN_DIM + i];
  return lp;
}
DEVICE void mn_constrain(const double* q, MN_COLUMN_T* out, const R* D, const int* I, R* W) {
  for (int i = 0; i < MN_DIM; ++i) W[i] = (R)q[i];
  mn_constrain_r(W, out, D, I, W + 2 * MN_DIM);
}
/* the NUTS transition's own calls: its vectors are already R (nutsSource.ts mn_v), so no copies */
DEVICE double mn_model_v(const R* q, R* grad, const R* D, const int* I, R* W) { return mn_logp_grad_r(q, grad, D, I, W + 2 * MN_DIM); }
DEVICE void mn_constrain_v(const R* q, MN_COLUMN_T* out, const R* D, const int* I, R* W) { mn_constrain_r(q, out, D, I, W + 2 * MN_DIM); }
`;
}

/** Exported C entry points of the CPU library (the addon's view, native/src/fused.cc). */
function cppExports(): string {
  return `
/* doubles of scratch one chain needs: the model's workspace, then the NUTS arrays */
DEVICE long long mn_model_doubles() { return ((long long)MN_MODEL_WORK * (long long)sizeof(R) + 7) / 8 + 1; }
MN_EXPORT int mn_abi_version() { return MN_ABI_VERSION; }
MN_EXPORT void mn_info(long long* out) {
  out[0] = MN_DIM; out[1] = MN_COLUMNS; out[2] = (long long)sizeof(R); out[3] = mn_model_doubles(); out[4] = MN_PRE_SIZE;
}
/* fills the parameter-independent part of the data buffer (after the float data); once per data set */
MN_EXPORT void mn_prepare(void* D, const int* I, double* scratch) { mn_prepare_r((R*)D, I, (R*)scratch); }
MN_EXPORT long long mn_scratch_doubles(int max_depth) {
  return mn_model_doubles() + MN_NUTS_DOUBLES(max_depth);
}
MN_EXPORT double mn_logp_grad(const double* q, double* grad, const void* D, const int* I, double* scratch) {
  return mn_model(q, grad, (const R*)D, I, (R*)scratch);
}
MN_EXPORT void mn_constrain_values(const double* q, double* out, const void* D, const int* I, double* scratch) {
  mn_constrain(q, out, (const R*)D, I, (R*)scratch);
}
MN_EXPORT void mn_run_chain(const MnChainArgs* a) {
  MnChainArgs b = *a;
  b.scratch = a->scratch + mn_model_doubles();
  mn_transitions(&b, (const R*)a->data_f, a->data_i, (R*)a->scratch, (const MnWarm*)0);
}
`;
}

/** The debug entry point: logp, gradient, and every node's value and adjoint (check's node-by-node view). */
function debugExport(dtype: Dtype): string {
  const body = dtype === 'float64'
    ? 'return mn_debug_nodes_r(q, grad, (const R*)D, I, (R*)scratch, vals, adjs);'
    : `R* W = (R*)scratch;
  for (int i = 0; i < MN_DIM; ++i) W[i] = (R)q[i];
  double lp = mn_debug_nodes_r(W, W + MN_DIM, (const R*)D, I, W + 2 * MN_DIM, vals, adjs);
  for (int i = 0; i < MN_DIM; ++i) grad[i] = (double)W[MN_DIM + i];
  return lp;`;
  return `
MN_EXPORT double mn_debug_nodes(const double* q, double* grad, const void* D, const int* I, double* scratch, double* vals, double* adjs) {
  ${body}
}
`;
}

/**
 * Generates the library of `ir` for `target`: `named` are the nodes whose constrained values each draw records
 * (parameters then deterministics, flattened in order).
 */
export function generateLibrary(ir: GraphIR, named: readonly number[], dtype: Dtype, target: Target = 'cpp',
  fault?: PlantedFault, debug = false, regions: RegionPolicy = target === 'cuda' ? 'all' : 'cheap'): GeneratedLibrary {
  const m = emitModel(ir, named, dtype, fault, debug, regions);
  const parts = [prelude(target), abiHeader(), `#define MN_PRE_SIZE ${m.preSize}`, m.source, wrappers(dtype, m.work), nutsSource()];
  if (target === 'cpp') parts.push(cppExports());
  if (target === 'cpp' && debug) parts.push(debugExport(dtype));
  return { ...m, target, dtype, fullSource: parts.join('\n') };
}
