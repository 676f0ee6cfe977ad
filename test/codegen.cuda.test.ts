// The CUDA target without a GPU: every benchmark model's kernel source is produced and compiles as C++ under stub
// CUDA macros, and the kernel body run on the CPU (test/cudaEmulation.ts) gives the CPU engine's logp, gradient,
// constrained values and draws. NVRTC itself is exercised by `npm run test:gpu` on an NVIDIA machine.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { logDensity, sample } from 'mlx-nuts';
import type { ModelDensity } from '../src/backend/modelDensity.ts';
import { assembledKernel, DEFAULT_GATE, explainNvrtcLog, generateCudaLibrary, lanesFor, ldgDefine, loopDefines, type CudaLibrary } from '../src/codegen/cuda.ts';
import { chainStream } from '../src/random/philox.ts';
import { unitMetric } from '../src/kernel/metric.ts';
import { MODELS } from '../models/index.ts';
import { cudaEmulator, EmulatedCudaModel } from './cudaEmulation.ts';
import { checkGpuMemory, FusedGpuDensity, generateCudaFor, launchOutputBytes, setFusedCudaBindingForTests } from '../src/backend/fusedGpu.ts';
import { setNativeWarmupForTests } from '../src/nuts/nativeWarmup.ts';

/** One thread per chain unless `lanes` says otherwise: the emulated paths below are compared bit for bit. */
function cudaLib(name: string, dtype: 'float32' | 'float64' = 'float32', lanes = 1): CudaLibrary {
  const t = MODELS[name]!.model.trace(dtype);
  return generateCudaLibrary(t.ir, [...t.params.map((p) => p.node), ...t.deterministics.map((d) => d.node)], dtype, undefined, lanes);
}

/** `count` transitions of the chains at Q (unit diagonal metric) by the CPU engine and by the emulated kernel. */
async function transitionsBoth(emu: ReturnType<typeof cudaEmulator>, cpu: ModelDensity, Q: Float64Array, stepSizes: Float64Array,
  seed: number, iteration: number, count: number) {
  const chains = stepSizes.length;
  const dim = cpu.dim;
  const ids = Array.from({ length: chains }, (_, k) => k);
  const { logp, grad } = cpu.logpGradBatch(Q, chains);
  const ref = await cpu.kernel!(seed, ids, 10).run({ chains, dim, q: Float64Array.from(Q), logp: Float64Array.from(logp), grad: Float64Array.from(grad) },
    { stepSizes, metrics: ids.map(() => unitMetric('diag', dim)) }, iteration, count);
  const state = new Float64Array(chains * (2 * dim + 1));
  for (let k = 0; k < chains; k++) {
    state.set(Q.subarray(k * dim, (k + 1) * dim), k * (2 * dim + 1));
    state.set(grad.subarray(k * dim, (k + 1) * dim), k * (2 * dim + 1) + dim);
    state[k * (2 * dim + 1) + 2 * dim] = logp[k]!;
  }
  const s0 = chainStream(seed, 0);
  const run = emu.run({ key0: s0.key0, key1: s0.key1, ids: Uint32Array.from(ids, (c) => chainStream(seed, c).chain), iteration, count,
    maxDepth: 10, stepSizes, invMetric: new Float64Array(chains * dim).fill(1), state });
  return { ref, run };
}

describe('CUDA source', () => {
  test('every benchmark model: one __global__ kernel, CUDA prelude, no host-only calls', () => {
    for (const name of Object.keys(MODELS)) {
      const lib = cudaLib(name);
      const src = assembledKernel(lib, 10);
      expect(src.match(/__global__ void custom_kernel_mn_fused_10\(/g)?.length).toBe(1);
      expect(lib.header).toContain('#define DEVICE __device__ static inline');
      expect(lib.header).not.toMatch(/#include <cmath>|std::|MN_EXPORT int/);
      expect(lib.body).toContain('mn_run(&a, D, I, W, (const MnWarm*)0, chainMask)'); // sampling in the one-step-per-pass loop
    }
  });

  test('an NVRTC error names the generated line and the model op around it', () => {
    const lib = cudaLib('eight_schools');
    const lines = assembledKernel(lib, 10).split('\n');
    const at = lines.findIndex((l) => /\/\/ node \d+: mul/.test(l)) + 2;
    const msg = explainNvrtcLog(`mn_fused_abc.cu(${at}): error: identifier "foo" is undefined`, lib, 10);
    expect(msg).toMatch(/model op 'mul', node \d+/);
    expect(msg).toContain(`line ${at}`);
  });
});

// eight_schools: no data-only nodes; logistic: its X-dependent nodes are prepared once by the kernel's mode 2
for (const name of ['eight_schools', 'logistic']) describe(`CUDA kernel body emulated on the CPU against the CPU engine (${name}, float32)`, () => {
  let emu: ReturnType<typeof cudaEmulator>;
  let cpu: ModelDensity;
  let lib: CudaLibrary;
  beforeAll(async () => {
    lib = cudaLib(name);
    emu = cudaEmulator(lib);
    cpu = await logDensity(MODELS[name]!.model, { backend: 'fused', dtype: 'float32' });
  }, 300_000);
  afterAll(() => {
    emu?.dispose();
    cpu?.dispose();
  });

  test('mode 0: logp, gradient and constrained values at points', () => {
    const n = 3;
    const dim = lib.dim;
    const Q = Float64Array.from({ length: n * dim }, (_, i) => Math.fround(Math.sin(i * 0.7) * 0.8));
    const r = emu.logpGrad(Q, n);
    for (let k = 0; k < n; k++) {
      const q = Q.slice(k * dim, (k + 1) * dim);
      const c = cpu.logpGrad(q);
      const s = r.state.subarray(k * (2 * dim + 1), (k + 1) * (2 * dim + 1));
      expect(Math.abs(s[2 * dim]! - c.logp)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c.logp)));
      for (let i = 0; i < dim; i++) expect(Math.abs(s[dim + i]! - c.grad[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c.grad[i]!)));
      const cons = cpu.constrain(q);
      const flat = [...cpu.model.params, ...cpu.model.deterministics].flatMap((p) => [...cons[p.name]!]);
      flat.forEach((x, j) => expect(Math.abs(r.columns[k * lib.columns + j]! - x)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x))));
    }
  });

  test('mode 1: ten transitions of four chains give the CPU engine\'s draws and statistics', async () => {
    const chains = 4;
    const dim = lib.dim;
    const Q = Float64Array.from({ length: chains * dim }, (_, i) => Math.fround(Math.cos(i * 0.37) * 0.5));
    const stepSizes = Float64Array.from([0.3, 0.25, 0.4, 0.35].map((e) => e / Math.sqrt(dim)));
    const count = 10;
    const { ref, run: r } = await transitionsBoth(emu, cpu, Q, stepSizes, 7, 3, count);
    let maxDiff = 0;
    for (let k = 0; k < chains; k++) {
      for (let it = 0; it < count; it++) {
        const e = it * chains + k;
        expect(r.stats[(k * count + it) * 6 + 3]).toBe(ref.stats.nLeapfrog[e]);
        expect(r.stats[(k * count + it) * 6 + 2]).toBe(ref.stats.treeDepth[e]);
        for (let i = 0; i < dim; i++) maxDiff = Math.max(maxDiff, Math.abs(r.q[(k * count + it) * dim + i]! - ref.q[e * dim + i]!));
        for (let j = 0; j < lib.columns; j++) {
          maxDiff = Math.max(maxDiff, Math.abs(r.columns[(k * count + it) * lib.columns + j]! - ref.constrained![e * lib.columns + j]!));
        }
      }
      for (let i = 0; i < dim; i++) maxDiff = Math.max(maxDiff, Math.abs(r.state[k * (2 * dim + 1) + i]! - ref.state.q[k * dim + i]!));
    }
    expect(maxDiff).toBeLessThan(1e-9);
  });

  test('mode 1 into a fit: the kernel counts the draws at the clamp per chain, as counting the draws it writes otherwise does', () => {
    const chains = 4;
    const dim = lib.dim;
    const count = 12;
    const state = new Float64Array(chains * (2 * dim + 1));
    const Q = Float64Array.from({ length: chains * dim }, (_, i) => Math.fround(Math.cos(i * 0.37) * 0.5));
    const g = emu.logpGrad(Q, chains).state;
    state.set(g);
    const base = { key0: 11, key1: 12, ids: Uint32Array.from([0, 1, 2, 3]), iteration: 5, count, maxDepth: 10,
      stepSizes: new Float64Array(chains).fill(0.2 / Math.sqrt(dim)), invMetric: new Float64Array(chains * dim).fill(1), state };
    const draws = emu.run(base);
    // on every other coordinate, a limit at the median over transitions of the largest |q_i| there: some transitions
    // reach it and others do not
    const mask = Uint8Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const largest = Array.from({ length: chains * count }, (_, r) => Math.max(...[...mask.keys()].filter((i) => mask[i]).map((i) => Math.abs(draws.q[r * dim + i]!))));
    const limit = largest.sort((x, y) => x - y)[Math.floor(largest.length / 2)]!;
    const counted = emu.run({ ...base, clamp: { limit, mask } });
    let total = 0;
    for (let k = 0; k < chains; k++) {
      let hits = 0;
      for (let it = 0; it < count; it++) {
        let hit = false;
        for (let i = 0; i < dim; i++) if (mask[i] && Math.abs(draws.q[(k * count + it) * dim + i]!) >= limit) hit = true;
        if (hit) hits++;
      }
      expect(counted.q[k]).toBe(hits);
      total += hits;
    }
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(chains * count);
    expect(counted.stats).toEqual(draws.stats); // counting changes nothing else
    expect(counted.state).toEqual(draws.state);
  });
});

/** eight_schools_centered (float64) emulated twice: as generated (mn_run's passes) and with `call` made `nested`. */
function againstNested(call: string, nested: string, use: (lib: CudaLibrary, passes: ReturnType<typeof cudaEmulator>, nested: ReturnType<typeof cudaEmulator>) => void): void {
  const lib = cudaLib('eight_schools_centered', 'float64');
  expect(lib.body).toContain(call);
  const a = cudaEmulator(lib);
  const b = cudaEmulator({ ...lib, body: lib.body.replace(call, nested) });
  try {
    use(lib, a, b);
  } finally {
    a.dispose?.();
    b.dispose?.();
  }
}

describe('the one-step-per-pass loop (mn_run) against the nested loops (mn_transitions)', () => {
  test('eight_schools_centered float64, 8 chains × 150 transitions: the same draws, statistics and divergent rows bit for bit', () => {
    againstNested('mn_run(&a, D, I, W, (const MnWarm*)0, chainMask)', 'mn_transitions(&a, D, I, W, (const MnWarm*)0)', (lib, flat, nested) => {
      const n = 8;
      const dim = lib.dim;
      const Q = Float64Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.3) * 0.8);
      const st = flat.logpGrad(Q, n).state;
      const s0 = chainStream(9, 0);
      const args = { key0: s0.key0, key1: s0.key1, ids: Uint32Array.from({ length: n }, (_, c) => chainStream(9, c).chain), iteration: 0,
        count: 150, maxDepth: 6, stepSizes: Float64Array.from({ length: n }, (_, k) => 0.05 + 0.1 * k), invMetric: new Float64Array(n * dim).fill(1) };
      const a = flat.run({ ...args, state: Float64Array.from(st) });
      const b = nested.run({ ...args, state: Float64Array.from(st) });
      const depths = new Set(Array.from({ length: n * 150 }, (_, e) => a.stats[e * 6 + 2]));
      expect(depths.size).toBeGreaterThan(3); // trees of many sizes, some cut by divergences or the maximum depth
      expect(a.stats.filter((_, j) => j % 6 === 4).some((x) => x === 1)).toBe(true);
      for (const k of ['state', 'q', 'columns', 'stats', 'div'] as const) expect(Array.from(a[k]), k).toEqual(Array.from(b[k]));
    });
  }, 300_000);
});

describe('the kernel loop settings (MLX_NUTS_GPU_LOOP, MLX_NUTS_GPU_GATE)', () => {
  test('passes with the default gate unless told; a bad value is an error naming the variable and the value', () => {
    expect(loopDefines({})).toBe(`#define MN_NESTED 0\n#define MN_GATE ${DEFAULT_GATE.toFixed(1)}\n`);
    expect(loopDefines({ MLX_NUTS_GPU_LOOP: 'nested' })).toContain('#define MN_NESTED 1');
    expect(loopDefines({ MLX_NUTS_GPU_GATE: '0.75' })).toContain('#define MN_GATE 0.75');
    expect(loopDefines({ MLX_NUTS_GPU_GATE: '1' })).toContain('#define MN_GATE 1.0');
    expect(() => loopDefines({ MLX_NUTS_GPU_LOOP: 'flat' })).toThrow(/MLX_NUTS_GPU_LOOP must be 'passes' or 'nested', got 'flat'/);
    expect(() => loopDefines({ MLX_NUTS_GPU_GATE: '1.5' })).toThrow(/MLX_NUTS_GPU_GATE must be a number in \[0, 1\], got '1.5'/);
    expect(() => loopDefines({ MLX_NUTS_GPU_GATE: 'half' })).toThrow(/got 'half'/);
  });
});

describe('data through the read-only path (MN_LDG)', () => {
  test("logistic's rows of X are read through MN_LDG in the value and in the adjoint, β plainly; MLX_NUTS_GPU_LDG=0 makes MN_LDG a plain read", () => {
    const t = MODELS['logistic']!.model.trace('float32');
    const lib = generateCudaLibrary(t.ir, t.params.map((p) => p.node), 'float32', undefined, 1);
    const lines = lib.header.split('\n');
    const dot = lines.filter((l) => /m\d+ \+= MN_LDG\(&v\d+\[mi\d+ \* 20 \+ t\]\) \* v\d+\[t \* 1 \+ mj\d+\];/.test(l));
    expect(dot.length).toBe(1); // the row's dot product: X through MN_LDG, β (a parameter) plain
    expect(lines.some((l) => /\+= gy \* MN_LDG\(&v\d+\[mi\d+ \* 20 \+ t\]\);/.test(l))).toBe(true); // β's adjoint reads X too
    expect(lib.header).toContain('#define MN_LDG(p) __ldg(p)');
    expect(ldgDefine(undefined)).toBe('');
    expect(ldgDefine('1')).toBe('');
    expect(ldgDefine('0')).toBe('#define MN_LDG(p) (*(p))\n');
    expect(() => ldgDefine('off')).toThrow(/MLX_NUTS_GPU_LDG must be 0 or 1, got 'off'/);
  });
});

describe('the passes of mn_run in pooled warmup (mode 3) against the nested loops', () => {
  test('eight_schools_centered float64, 8 chains × 120 warmup iterations with dual averaging and slow windows: the same state and statistics bit for bit', () => {
    againstNested('mn_run(&a, D, I, W, &wu, chainMask)', 'mn_transitions(&a, D, I, W, &wu)', (lib, passes, nested) => {
      const n = 8;
      const dim = lib.dim;
      const count = 120;
      const Q = Float64Array.from({ length: n * dim }, (_, i) => Math.cos(i * 0.7) * 0.9);
      const st = passes.logpGrad(Q, n).state;
      const width = 4 * dim + 6;
      const state = new Float64Array(n * width);
      for (let k = 0; k < n; k++) {
        state.set(st.subarray(k * (2 * dim + 1), (k + 1) * (2 * dim + 1)), k * width);
        const eps = 0.02 + 0.15 * k;
        state.set([eps, 0, 0, Math.log(10 * eps), 0], k * width + 2 * dim + 1);
      }
      // δ, γ, then per iteration η = 1/(m + t0), √m, m^-κ and whether the iteration is in a slow window
      const scalars = new Float64Array(2 + 4 * count);
      scalars[0] = 0.8; scalars[1] = 0.05;
      for (let m = 1; m <= count; m++) scalars.set([1 / (m + 10), Math.sqrt(m), m ** -0.75, m > 30 ? 1 : 0], 2 + 4 * (m - 1));
      const s0 = chainStream(5, 0);
      const args = { key0: s0.key0, key1: s0.key1, ids: Uint32Array.from({ length: n }, (_, c) => chainStream(5, c).chain), iteration: 0,
        count, maxDepth: 6, invMetric: new Float64Array(dim).fill(1), scalars };
      const a = passes.warmup({ ...args, state: Float64Array.from(state) });
      const b = nested.warmup({ ...args, state: Float64Array.from(state) });
      const depths = new Set(Array.from({ length: n * count }, (_, e) => a.stats[e * 7 + 2]));
      expect(depths.size).toBeGreaterThan(3);
      for (const k of ['state', 'stats', 'div'] as const) expect(Array.from(a[k]), k).toEqual(Array.from(b[k]));
    });
  }, 300_000);
});

describe("sample({ device: 'gpu' }) end to end over the emulated kernel", () => {
  test('eight_schools, 40 chains: fused-gpu engine, pooled warmup, the CPU engine\'s path for the same seed', async () => {
    setFusedCudaBindingForTests(EmulatedCudaModel);
    try {
      const m = MODELS['eight_schools']!.model;
      const g = await sample(m, 60, { device: 'gpu', chains: 40, warmup: 60, seed: 3 });
      const c = await sample(m, 60, { backend: 'fused', dtype: 'float32', chains: 40, warmup: 60, seed: 3, adaptation: 'pooled' });
      expect(g.data.config.engine).toBe('fused-gpu');
      expect(g.data.config.dtype).toBe('float32');
      expect(c.data.config.engine).toBe('fused-cpu');
      expect(g.data.adaptation[0]!.invMetric).toEqual(g.data.adaptation[39]!.invMetric);
      // the emulated kernel's math is libm's (exp, log in double; float overloads through <math.h>) where the CPU target
      // uses fdlibm and std::: results 1 ulp apart now and then, so the paths part after some iterations; before that
      // every chain walks the same path
      for (let k = 0; k < 40; k++) {
        const a = g.data.warmupStats[k]!;
        const b = c.data.warmupStats[k]!;
        for (let it = 0; it < 8; it++) {
          expect(a.n_leapfrog__[it]).toBe(b.n_leapfrog__[it]);
          expect(Math.abs(a.lp__[it]! - b.lp__[it]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b.lp__[it]!)));
          expect(Math.abs(a.stepsize__[it]! / b.stepsize__[it]! - 1)).toBeLessThan(1e-3); // dual averaging amplifies a float32 ulp of logp
        }
      }
      expect(g.draws('mu').length).toBe(40);
      expect(g.draws('mu')[39]!.length).toBe(60);
    } finally {
      setFusedCudaBindingForTests(null);
    }
  }, 300_000);

  test("keep: 'summary' (the kernel writes one window of the fit at a time): the same chain means as the run that keeps its draws", async () => {
    setFusedCudaBindingForTests(EmulatedCudaModel);
    try {
      const m = MODELS['eight_schools']!.model;
      const opts = { device: 'gpu' as const, chains: 32, warmup: 40, seed: 4 };
      const g = await sample(m, 600, opts);
      const s = await sample(m, 600, { ...opts, keep: 'summary' });
      expect(s.data.config.engine).toBe('fused-gpu');
      const cs = s.data.chainSummaries!;
      expect(cs.draws).toBe(600); // three windows of at most 256
      const cols = g.columns.length;
      for (let k = 0; k < 32; k += 7) {
        for (let c = 0; c < cols; c++) {
          const xs = g.data.values[k]![c]!;
          expect(cs.mean[k * cols + c]).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 10);
        }
      }
      expect(s.divergences()).toEqual(g.divergences());
    } finally {
      setFusedCudaBindingForTests(null);
    }
  }, 300_000);
});

describe('pooled warmup run by the kernel (mode 3) over the emulated kernel', () => {
  test('eight_schools float64, 24 chains: the per-iteration path\'s warmup, adaptation and draws, in a handful of calls', async () => {
    const m = MODELS['eight_schools']!.model;
    const opts = { device: 'gpu' as const, dtype: 'float64' as const, chains: 24, warmup: 150, seed: 5, adaptation: 'pooled' as const };
    const { launches } = EmulatedCudaModel;
    setFusedCudaBindingForTests(EmulatedCudaModel);
    try {
      const warmupRuns = (from: number) => launches.runIterations.slice(from).filter((it) => it < 150).length;
      const [w0, r0, s0] = [launches.warmup, launches.runIterations.length, launches.search];
      const native = await sample(m, 20, opts);
      const [w1, r1, s1] = [launches.warmup, launches.runIterations.length, launches.search];
      expect(s1 - s0).toBe(3); // the first search and the two window ends' (pooled windows end at iterations 29 and 99), each in one launch
      setNativeWarmupForTests(false);
      const host = await sample(m, 20, opts);
      expect(w1 - w0).toBeGreaterThan(0);
      expect(w1 - w0).toBeLessThanOrEqual(8); // 150 iterations in calls of 8, 16, 32, … cut at the window end
      expect(warmupRuns(r0) - warmupRuns(r1)).toBe(0); // no per-iteration call in the native run's warmup
      expect(warmupRuns(r1)).toBe(150);
      expect(launches.warmup).toBe(w1);
      expect(launches.search).toBe(s1);
      expect(native.data.config.engine).toBe('fused-gpu');
      // the kernel's dual averaging takes the host's η, √m and m^-κ and does the host's arithmetic (the emulator's
      // exp is V8's: cudaEmulation.ts); the moments are the same per-chain Welford updates, pooled in chain order
      for (let k = 0; k < 24; k++) {
        for (const s of ['lp__', 'stepsize__', 'n_leapfrog__', 'accept_stat__', 'divergent__', 'energy__'] as const) {
          expect(native.data.warmupStats[k]![s]).toEqual(host.data.warmupStats[k]![s]);
          expect(native.data.stats[k]![s]).toEqual(host.data.stats[k]![s]);
        }
        expect(native.data.adaptation[k]).toEqual(host.data.adaptation[k]);
        expect(native.data.values[k]).toEqual(host.data.values[k]);
      }
      const ia = native.data.adaptation[0]!.invMetric;
      expect(native.data.adaptation[23]!.invMetric).toEqual(ia);
      // where and why transitions diverged: the kernel's divergence rows (mode 3 in warmup, mode 1 after it) give the
      // per-iteration path's list, and the CPU engine's (native/src/fused.cc out_div) for the same seed
      const dn = native.divergenceInfo();
      expect(dn.length).toBeGreaterThan(0);
      expect(dn.some((x) => x.warmup)).toBe(true);
      expect(dn).toEqual(host.divergenceInfo());
      const divergentFlags = native.data.warmupStats.reduce((s, w) => s + w.divergent__.reduce((a, b) => a + b, 0), 0) +
        native.data.stats.reduce((s, w) => s + w.divergent__.reduce((a, b) => a + b, 0), 0);
      expect(dn.length).toBe(divergentFlags);
      const cpu = await sample(m, 20, { ...opts, device: 'cpu', backend: 'fused' });
      expect(cpu.data.config.engine).toBe('fused-cpu');
      expect(dn).toEqual(cpu.divergenceInfo());
      // the draws the kernel wrote straight into the fit's arrays (sampleInto) are the CPU engine's, copied per call
      expect(native.data.values).toEqual(cpu.data.values);
      expect(native.data.stats).toEqual(cpu.data.stats);
      expect(native.data.clampHits).toEqual(cpu.data.clampHits);
    } finally {
      setNativeWarmupForTests(true);
      setFusedCudaBindingForTests(null);
    }
  }, 300_000);
});

describe('GPU memory estimate (checkGpuMemory) with a warp per chain', () => {
  test('local scratch counts only the threads a GPU can hold at once: 65,536 logistic chains fit in 30 GiB (the lanes of every chain would need 38 GiB), 10^8 do not', () => {
    setFusedCudaBindingForTests(EmulatedCudaModel);
    const free = EmulatedCudaModel.freeMemory;
    EmulatedCudaModel.freeMemory = 30 * 2 ** 30;
    const lanesEnv = process.env['MLX_NUTS_GPU_LANES'];
    process.env['MLX_NUTS_GPU_LANES'] = '32';
    try {
      const t = MODELS['logistic']!.model.trace('float32');
      const d = new FusedGpuDensity(t, generateCudaFor(t, 'float32'));
      try {
        expect(d.lib.lanes).toBe(32);
        expect(() => checkGpuMemory(d, 65_536, 10)).not.toThrow();
        expect(() => checkGpuMemory(d, 1e8, 10)).toThrow(/need about [\d.]+ GiB .* at most \d+ chains fit/);
      } finally {
        d.dispose();
      }
    } finally {
      EmulatedCudaModel.freeMemory = free;
      if (lanesEnv === undefined) delete process.env['MLX_NUTS_GPU_LANES'];
      else process.env['MLX_NUTS_GPU_LANES'] = lanesEnv;
      setFusedCudaBindingForTests(null);
    }
  }, 120_000);
});

describe('launch size (launchOutputBytes)', () => {
  test('a sixteenth of free GPU memory between 512 MiB and 4 GiB; MLX_NUTS_GPU_LAUNCH_MIB overrides it and is checked', () => {
    const MiB = 2 ** 20;
    expect(launchOutputBytes(NaN, undefined)).toBe(512 * MiB);
    expect(launchOutputBytes(4 * 1024 * MiB, undefined)).toBe(512 * MiB);
    expect(launchOutputBytes(32 * 1024 * MiB, undefined)).toBe(2048 * MiB);
    expect(launchOutputBytes(139 * 1024 * MiB, undefined)).toBe(4096 * MiB);
    expect(launchOutputBytes(139 * 1024 * MiB, '100')).toBe(100 * MiB);
    expect(() => launchOutputBytes(0, '1.5')).toThrow(/MLX_NUTS_GPU_LAUNCH_MIB must be a whole number of MiB ≥ 1, got '1.5'/);
    expect(() => launchOutputBytes(0, '0')).toThrow(/MLX_NUTS_GPU_LAUNCH_MIB/);
  });
});

describe('device gpu on a machine without one', () => {
  test('the fused engine says there is no GPU (or no GPU engine in this addon), before sampling', async () => {
    const { loadNative } = await import('../src/backend/native.ts');
    if (loadNative().info().gpuAvailable) return; // a GPU machine: test/gpu/ covers it
    const m = MODELS['eight_schools']!.model;
    await expect(sample(m, 10, { device: 'gpu', backend: 'fused', warmup: 10 })).rejects.toThrow(/\[fused-gpu\] (no GPU|this build of the native addon has no GPU engine)/);
  });
});

describe('a warp per chain (MN_LANES = 32, lanes run as threads) on the emulated kernel', () => {
  test('logistic float64: the 500 rows split over 32 lanes give the CPU engine\'s logp, gradient and first transitions', async () => {
    const lib = cudaLib('logistic', 'float64', 32);
    expect(lib.lanes).toBe(32);
    expect(lib.header).toContain('#define MN_LANES 32');
    // a thread per chain unless MLX_NUTS_GPU_LANES asks for a warp (lanesFor)
    expect(generateCudaLibrary(MODELS['logistic']!.model.trace('float32').ir, [], 'float32', undefined, lanesFor(500, undefined)).lanes).toBe(1);
    expect(lanesFor(500, '32')).toBe(32);
    expect(() => lanesFor(500, '8')).toThrow(/MLX_NUTS_GPU_LANES must be 1 or 32, got '8'/);
    const emu = cudaEmulator(lib);
    const cpu = await logDensity(MODELS['logistic']!.model, { backend: 'fused', dtype: 'float64' });
    try {
      const dim = lib.dim;
      const n = 2;
      const Q = Float64Array.from({ length: n * dim }, (_, i) => Math.sin(i * 0.7) * 0.3);
      const r = emu.logpGrad(Q, n);
      for (let k = 0; k < n; k++) {
        const c = cpu.logpGrad(Q.slice(k * dim, (k + 1) * dim));
        const s = r.state.subarray(k * (2 * dim + 1), (k + 1) * (2 * dim + 1));
        // the lanes add their rows' terms in another order than one loop: float64 rounding apart
        expect(Math.abs(s[2 * dim]! - c.logp)).toBeLessThanOrEqual(1e-12 * Math.abs(c.logp));
        for (let i = 0; i < dim; i++) expect(Math.abs(s[dim + i]! - c.grad[i]!)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(c.grad[i]!)));
      }
      const chains = 2;
      const count = 4;
      const { ref, run } = await transitionsBoth(emu, cpu, Q, Float64Array.from([0.05, 0.04]), 11, 0, count);
      let maxDiff = 0;
      for (let k = 0; k < chains; k++) {
        for (let it = 0; it < count; it++) {
          const e = it * chains + k;
          expect(run.stats[(k * count + it) * 6 + 3]).toBe(ref.stats.nLeapfrog[e]);
          for (let i = 0; i < dim; i++) maxDiff = Math.max(maxDiff, Math.abs(run.q[(k * count + it) * dim + i]! - ref.q[e * dim + i]!));
        }
      }
      expect(maxDiff).toBeLessThan(1e-8);
    } finally {
      emu.dispose?.();
      cpu.dispose();
    }
  }, 300_000);
});
