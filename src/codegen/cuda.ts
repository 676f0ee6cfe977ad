// The CUDA target: the generated library (prelude, ABI, model, NUTS transition) as the header of one kernel that MLX
// compiles with NVRTC (mlx::core::fast::cuda_kernel, native/src/fused_cuda.cc); MN_LANES threads (1 or a warp)
// advance each chain.
import { OptionError } from '../base/errors.ts';
import type { Dtype } from '../base/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { PlantedFault } from './functionEmitter.ts';
import { generateLibrary, type GeneratedLibrary } from './library.ts';
import { lit } from './prelude.ts';

/**
 * The kernel's inputs and outputs, in MLX's order (cuda_kernel writes `const T* name` for each input, then `T* name`
 * for each output). float64 arrays do not exist on MLX's GPU, so every double array travels as uint32 pairs and the
 * kernel reads it through a `double*`. Layouts (doubles unless said):
 *   ctl   uint32[16]: mode (0 logp/grad/constrain of points, 1 NUTS transitions, 2 prepare the data), n (threads),
 *         key0, key1, iteration, count, maxDepth, dense, metric stride (1 per chain, 0 one shared metric), data words,
 *         clamp count (mode 1: 1 when the launch writes into the fit, see oq and sc)
 *   ids   uint32[n]: each chain's stream id
 *   eps   n step sizes;  im  inverse metrics (n × dim or n × dim², or one);  ch  dense Cholesky factors (same)
 *   st    in: mode 1 n × (2·dim + 1) states [q, grad, logp]; mode 0 n × dim points
 *   df    the model's float data in its real type, then the parameter-independent nodes (preSize elements, filled
 *         by mode 2 when the model has any);  di  int32 data
 *   so    out: n × (2·dim + 1) states [q, grad, logp]
 *   oq    out: chain-major n × count × dim draws; with clamp count, n doubles instead: each chain's transitions whose
 *         draw reached the clamp (fused_abi.h clamp), and no draws (the fit keeps constrained values only)
 *   oc    n × count × columns (mode 0: n × columns);  os  n × count × 6
 *   od    out (modes 1 and 3): chain-major n × count × (1 + dim) divergence rows (fused_abi.h out_div: the cause, then
 *         the position where the trajectory diverged; meaningful only where the transition's divergent statistic is 1)
 *   sc    modes 3 and 4 (else one unused double): mode 3 [δ, γ, then per iteration η, √m, m^-κ, in-slow-window
 *         (0/1)]; mode 4 [log 0.8]; mode 1 with clamp count [the clamp's limit, then a 0/1 mask of dim]
 * Mode 3 runs `count` warmup iterations of pooled adaptation (src/nuts/nativeWarmup.ts): st/so hold n × WARMUP_STATE
 * [q, grad, logp, ε, s̄, x̄, μ, n_w, Welford mean (dim), Welford M2 (dim)]; os gets n × count × 7 (the stats, then ε).
 * Mode 4 searches each chain's step size from its ε in the same state layout; os[chain] gets 0, or why it failed.
 */
export const CUDA_INPUTS = ['ctl', 'ids', 'eps', 'im', 'ch', 'st', 'df', 'di', 'sc'] as const;
export const CUDA_OUTPUTS = ['so', 'oq', 'oc', 'os', 'od'] as const;
/** Name of the template constant that sizes each thread's scratch (the largest tree depth the kernel accepts). */
export const CUDA_DEPTH_CONSTANT = 'MN_KD';
/** Index of each control word in `ctl`. */
export const CTL = { mode: 0, n: 1, key0: 2, key1: 3, iteration: 4, count: 5, maxDepth: 6, dense: 7, perChain: 8, dataWords: 9, clampCount: 10 } as const;
export const CTL_WORDS = 16;
/** Doubles of one chain's state in mode 3 (see above). */
export const warmupStateWidth = (dim: number) => 4 * dim + 6;
/** Statistics per iteration in mode 3: the six of MN_STATS, then the step size the iteration used. */
export const WARMUP_STATS = 7;

export interface CudaLibrary extends GeneratedLibrary {
  /** Everything before the kernel: passed to cuda_kernel as its header. */
  readonly header: string;
  /** The kernel's body: passed to cuda_kernel as its source. */
  readonly body: string;
  /** Elements of the data buffer after dataF that mode 2 fills (0: none, no mode 2). */
  readonly preElements: number;
  /** Threads per chain (MN_LANES): 1, or a warp that splits the model's reduction regions (lanesFor). */
  readonly lanes: number;
}

/** Glue after the NUTS source: the scratch size of one thread, as a compile-time constant. */
function glue(): string {
  return `
/* ---- CUDA glue (src/codegen/cuda.ts) ---- */
#define MN_MODEL_DOUBLES ((((long long)(MN_MODEL_WORK)) * (long long)sizeof(R) + 7) / 8 + 1)
#define MN_STATE (2 * MN_DIM + 1)
#define MN_SCRATCH_DOUBLES(depth) (MN_MODEL_DOUBLES + MN_NUTS_DOUBLES(depth))
`;
}

/**
 * The kernel body. Each thread keeps its whole scratch (model workspace and NUTS arrays) in a local array: CUDA lays
 * local memory out so that the threads of a warp touching the same element touch adjacent words (coalesced), which a
 * chain-major global scratch would not give.
 */
function kernelBody(preSize: number): string {
  // mode 2 (models with parameter-independent nodes): one thread copies the data into \`so\` and computes those
  // nodes after it (mn_prepare_r); the host then passes \`so\` as \`df\` to every later launch.
  const prepare = preSize > 0 ? `
  if (ctl[${CTL.mode}] == 2u) {
    if (t == 0) {
      for (unsigned int i = 0; i < ctl[${CTL.dataWords}]; ++i) so[i] = df[i];
      mn_prepare_r((R*)so, I, W);
    }
    return;
  }` : '';
  return `
  const unsigned int t = (blockIdx.x * blockDim.x + threadIdx.x) / MN_LANES;
  const unsigned int n = ctl[${CTL.n}];
  const unsigned int warpMask = MN_WARP_MASK(); /* at entry every thread of the warp is here */
  const unsigned int chainMask = MN_LANES == 1 ? (unsigned int)__ballot_sync(warpMask, t < n) : 1u;
  if (t >= n) return;
  double scratch[MN_SCRATCH_DOUBLES(${CUDA_DEPTH_CONSTANT})];
  const R* D = (const R*)df;
  const int* I = (const int*)di;
  R* W = (R*)scratch;${prepare}
  double* S = (double*)so + (long long)t * MN_STATE;
  if (ctl[${CTL.mode}] == 0u) {
    const double* qi = (const double*)st + (long long)t * MN_DIM;
    for (int i = 0; i < MN_DIM; ++i) S[i] = qi[i];
    /* the gradient into this lane's scratch first: a lane adds its part of each region into it */
    double* gl = scratch + MN_MODEL_DOUBLES;
    S[2 * MN_DIM] = mn_model(qi, gl, D, I, W);
    for (int i = 0; i < MN_DIM; ++i) S[MN_DIM + i] = gl[i];
    if (MN_COLUMNS > 0) mn_constrain(qi, (MN_COLUMN_T*)oc + (long long)t * MN_COLUMNS, D, I, W);
    return;
  }
  const bool warm = ctl[${CTL.mode}] == 3u;
  const bool search = ctl[${CTL.mode}] == 4u;
  const long long width = warm || search ? MN_STATE + 5 + 2 * MN_DIM : MN_STATE;
  if (warm || search) S = (double*)so + (long long)t * width;
  const double* si = (const double*)st + (long long)t * width;
  for (int i = 0; i < width; ++i) S[i] = si[i];
  MnChainArgs a;
  a.key0 = ctl[${CTL.key0}];
  a.key1 = ctl[${CTL.key1}];
  a.chain = ids[t];
  a.iteration = ctl[${CTL.iteration}];
  a.count = (int)ctl[${CTL.count}];
  a.max_depth = (int)ctl[${CTL.maxDepth}] < ${CUDA_DEPTH_CONSTANT} ? (int)ctl[${CTL.maxDepth}] : ${CUDA_DEPTH_CONSTANT};
  a.dense = (int)ctl[${CTL.dense}];
  a.step_size = ((const double*)eps)[t];
  const long long ms = ctl[${CTL.perChain}] ? (long long)t * (a.dense ? MN_DIM * MN_DIM : MN_DIM) : 0;
  a.inv_metric = (const double*)im + ms;
  a.chol = a.dense ? (const double*)ch + ms : (const double*)0;
  a.q = S;
  a.grad = S + MN_DIM;
  a.logp = S + 2 * MN_DIM;
  const long long c = (long long)a.count;
  a.out_q = (double*)oq + (long long)t * c * MN_DIM;
  a.out_columns = MN_COLUMNS > 0 ? (MN_COLUMN_T*)oc + (long long)t * c * MN_COLUMNS : (MN_COLUMN_T*)0;
  a.out_stats = (MN_STAT_T*)os + (long long)t * c * MN_STATS;
  a.out_div = (double*)od + (long long)t * c * (1 + MN_DIM);
  a.clamp = (const double*)0;
  a.clamp_hits = (double*)0;
  if (ctl[${CTL.mode}] == 1u && ctl[${CTL.clampCount}] != 0u) {
    a.out_q = (double*)0;
    a.clamp = (const double*)sc;
    a.clamp_hits = (double*)oq + t;
    *a.clamp_hits = 0.0;
  }
  a.data_f = D;
  a.data_i = I;
  a.scratch = scratch + MN_MODEL_DOUBLES;
  if (search) {
    /* mode 4: Stan's step-size search for this chain from ε = E[0] (the arithmetic of src/nuts/stepsize.ts
       initStepSize: a fresh momentum per round, one leapfrog, ε doubled or halved until ΔH crosses log 0.8, which the
       host sends as sc[0]); os[t] gets 0, or 1 when ε passed 1e7, 2 when it reached 0 */
    const double log08 = ((const double*)sc)[0];
    double* E = S + MN_STATE;
    double eps = E[0];
    double status = 0;
    bool done = eps == 0 || eps > 1e7 || eps != eps;
    int dir = 0;
    mn_v* sp = (mn_v*)a.scratch;
    MnPoint z;
    z.q = sp + MN_DIM; z.p = z.q + MN_DIM; z.g = z.p + MN_DIM;
    MnCtx cx; cx.a = &a; cx.D = D; cx.I = I; cx.W = W; cx.v = z.g + MN_DIM; cx.tmp = cx.v + MN_DIM; cx.w = cx.tmp + MN_DIM;
    for (mn_u32 round = 0; !done; ++round) {
      for (int i = 0; i < MN_DIM; ++i)
        sp[i] = mn_normal_at(a.key0, a.key1, a.chain, a.iteration, MN_PURPOSE_STEP_SIZE_MOMENTUM, round, (mn_u32)i) / mn_sqrt(a.inv_metric[i]);
      const double H0 = -S[2 * MN_DIM] + mn_kinetic(&a, sp);
      for (int i = 0; i < MN_DIM; ++i) { z.q[i] = S[i]; z.p[i] = sp[i]; z.g[i] = S[MN_DIM + i]; }
      z.logp = S[2 * MN_DIM];
      mn_leapfrog(cx, z, eps);
      double h = -z.logp + mn_kinetic(&a, z.p);
      if (h != h) h = MN_INF;
      const double dH = H0 - h;
      if (round == 0) { dir = dH > log08 ? 1 : -1; continue; }
      if ((dir == 1 && !(dH > log08)) || (dir == -1 && !(dH < log08))) break;
      eps = dir == 1 ? eps * 2 : eps * 0.5;
      if (eps > 1e7) { status = 1; break; }
      if (eps == 0) { status = 2; break; }
    }
    E[0] = eps;
    ((MN_STAT_T*)os)[t] = (MN_STAT_T)status;
    return;
  }
  if (!warm) { /* sampling: mn_run's passes, so that a warp's chains step together (MN_NESTED: the nested loops) */
#if MN_NESTED
    mn_transitions(&a, D, I, W, (const MnWarm*)0);
#else
    mn_run(&a, D, I, W, (const MnWarm*)0, chainMask);
#endif
    return;
  }
  /* mode 3: pooled warmup: every transition followed by this chain's dual averaging (the arithmetic of
     src/nuts/pooledWarmup.ts dualUpdateAll, with η, √m and m^-κ from the host) and its Welford moments in the slow
     windows (src/nuts/windows.ts welfordAdd), in mn_run's one loop (mn_warm_update); the host pools the moments across
     chains at a window's end. */
  double* E = S + MN_STATE;
  MnWarm wu;
  wu.sc = (const double*)sc;
  wu.E = E;
  wu.wmean = E + 5;
  wu.wm2 = E + 5 + MN_DIM;
  wu.out = (MN_STAT_T*)os + (long long)t * c * ${WARMUP_STATS};
  a.out_q = (double*)0;
  a.out_columns = (MN_COLUMN_T*)0;
  a.out_stats = (MN_STAT_T*)0;
#if MN_NESTED
  mn_transitions(&a, D, I, W, &wu);
#else
  mn_run(&a, D, I, W, &wu, chainMask);
#endif
`;
}

export const WARP_LANES = 32;

/** mn_run's boundary gate: a boundary pass once this fraction of a warp's live chains wait at one (see nutsSource.ts). */
export const DEFAULT_GATE = 0.5;

/**
 * Threads per chain: one unless MLX_NUTS_GPU_LANES=32 asks for a warp (the model's reduction regions split over its
 * lanes). One thread per chain was faster on the H200 for every benchmark model measured with both, at 8,192 and
 * 16,384 chains per GPU, logistic's 500-row region included (bench/results/2026-11-30d-gpu-h200.md: logistic 12.54 s
 * against 18.84 s, device time of simple 0.33 s against 0.59 s): the chains of a warp read each data element in one
 * broadcast load, where a warp per chain reads it once per chain. A warp per chain is for few chains per GPU, which
 * a thread per chain leaves mostly idle. `largestRegion` (elements of the largest region) is for the error message.
 */
/**
 * How the kernel loops over a chain's transitions (both give the same draws bit for bit; only the time differs):
 * 'passes' (default), src/codegen/nutsSource.ts mn_run, with its boundary gate MN_GATE (MLX_NUTS_GPU_GATE, a fraction
 * in [0, 1]); 'nested', the CPU engine's nested loops (MLX_NUTS_GPU_LOOP=nested). For measuring (bench/gpuLoop.ts).
 */
export function loopDefines(env = process.env): string {
  const loop = env.MLX_NUTS_GPU_LOOP ?? '';
  if (loop !== '' && loop !== 'passes' && loop !== 'nested') throw new OptionError(`[fused-gpu] MLX_NUTS_GPU_LOOP must be 'passes' or 'nested', got '${loop}'`);
  const gateText = env.MLX_NUTS_GPU_GATE ?? '';
  const gate = gateText === '' ? DEFAULT_GATE : Number(gateText);
  if (!(gate >= 0 && gate <= 1)) throw new OptionError(`[fused-gpu] MLX_NUTS_GPU_GATE must be a number in [0, 1], got '${gateText}'`);
  return `#define MN_NESTED ${loop === 'nested' ? 1 : 0}\n#define MN_GATE ${lit(gate)}\n`;
}

/** MLX_NUTS_GPU_LDG=0: the prelude's MN_LDG as plain reads (same draws bit for bit; for measuring). */
export function ldgDefine(env = process.env.MLX_NUTS_GPU_LDG): string {
  if (env === undefined || env === '' || env === '1') return '';
  if (env !== '0') throw new OptionError(`[fused-gpu] MLX_NUTS_GPU_LDG must be 0 or 1, got '${env}'`);
  return '#define MN_LDG(p) (*(p))\n';
}

export function lanesFor(largestRegion: number, env = process.env.MLX_NUTS_GPU_LANES): number {
  if (env !== undefined && env !== '') {
    if (env !== '1' && env !== String(WARP_LANES)) throw new OptionError(`[fused-gpu] MLX_NUTS_GPU_LANES must be 1 or ${WARP_LANES}, got '${env}' (the largest reduction region has ${largestRegion} elements)`);
    return Number(env);
  }
  return 1;
}

/** The CUDA library of `ir`: the header (MN_LANES, prelude for NVRTC, ABI, model, NUTS, glue) and the kernel body. */
export function generateCudaLibrary(ir: GraphIR, named: readonly number[], dtype: Dtype, fault?: PlantedFault, lanes?: number): CudaLibrary {
  const lib = generateLibrary(ir, named, dtype, 'cuda', fault);
  const preElements = (lib as Partial<{ preSize: number }>).preSize ?? 0;
  const l = lanes ?? lanesFor(lib.largestRegion);
  const real = dtype === 'float32' ? 'float' : 'double';
  const header = `#define MN_LANES ${l}\n#define MN_COLUMN_T ${real}\n#define MN_STAT_T ${real}\n${loopDefines()}${ldgDefine()}${lib.fullSource}${glue()}`;
  const body = kernelBody(preElements);
  return { ...lib, header, body, preElements, lanes: l, fullSource: header + '\n/* kernel body */\n' + body };
}

/**
 * The kernel as MLX assembles it (mlx/backend/cuda/custom_kernel.cpp build_kernel): MLX's default header, ours, then
 * `__global__ void name(const T* in..., T* out...) { constants; body }`. Used to compile-check the source with g++
 * (stub macros) on machines without a GPU, and to map an NVRTC error line back to the model op that produced it.
 */
export function assembledKernel(lib: CudaLibrary, maxDepth: number, preamble = MLX_DEFAULT_HEADER): string {
  const types: Record<string, string> = { ctl: 'uint32_t', ids: 'uint32_t', di: 'int32_t' };
  const params = [
    ...CUDA_INPUTS.map((n) => `    const ${types[n] ?? 'uint32_t'}* ${n},`),
    ...CUDA_OUTPUTS.map((n, i) => `    uint32_t* ${n}${i < CUDA_OUTPUTS.length - 1 ? ',' : ') {'}`),
  ];
  return `${preamble}${lib.header}namespace mlx::core::cu {\n\nnamespace cg = cooperative_groups;\n\n` +
    `__global__ void custom_kernel_mn_fused_${maxDepth}(\n${params.join('\n')}\n  constexpr int ${CUDA_DEPTH_CONSTANT} = ${maxDepth};\n\n` +
    `${lib.body}\n}\n\n} // namespace mlx::core::cu\n`;
}

/** MLX 0.32.4's default_header of custom kernels (custom_kernel.cpp), which precedes ours in the compiled source. */
export const MLX_DEFAULT_HEADER = `
#include "mlx/backend/cuda/device/utils.cuh"

#include <cooperative_groups.h>

`;

/**
 * Turns an NVRTC log into a message that names the generated line and the model op around it: NVRTC reports
 * `<module>.cu(LINE): error: ...` against the assembled kernel (assembledKernel above).
 */
export function explainNvrtcLog(log: string, lib: CudaLibrary, maxDepth: number): string {
  const src = assembledKernel(lib, maxDepth).split('\n');
  const notes: string[] = [];
  const seen = new Set<number>();
  for (const m of log.matchAll(/\.cu\((\d+)\): (?:catastrophic )?error/g)) {
    const line = Number(m[1]);
    if (seen.has(line) || seen.size >= 3) continue;
    seen.add(line);
    let op = '';
    for (let i = Math.min(line, src.length) - 1; i >= 0; i--) {
      const k = /\/\/ (?:adjoint of )?node (\d+): (\w+)/.exec(src[i]!);
      if (k) {
        op = ` (model op '${k[2]}', node ${k[1]}${src[i]!.includes('adjoint') ? ', its gradient' : ''})`;
        break;
      }
      if (/^\/\* ---- CUDA glue|^struct MnSpan|^typedef (float|double) R;/.test(src[i]!)) break;
    }
    notes.push(`line ${line}${op}: ${(src[line - 1] ?? '').trim()}`);
  }
  return notes.length ? `${log.trim()}\n  at ${notes.join('\n  at ')}` : log.trim();
}
