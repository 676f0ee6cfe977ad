// GPU tests (npm run test:gpu, on an NVIDIA machine with the addon built against MLX_NUTS_MLX=cuda-13). A plain tsx
// script, not vitest: the GPU machine carries only the runtime dependencies. Prints one PASS/FAIL line per check,
// exits 1 on any failure; with OUT set, writes $OUT/gpu-agreement.json (GPU and CPU draws of the first iterations).
import { readFileSync, writeFileSync } from 'node:fs';
import { essBulk, exp, logDensity, logDensitySync, mcseMean, mcseSd, model, Normal, sample } from '../../src/index.ts';
import type { ModelDensity } from '../../src/backend/modelDensity.ts';
import { loadNative } from '../../src/backend/native.ts';
import { checkGpuMemory, FusedGpuDensity, generateCudaFor } from '../../src/backend/fusedGpu.ts';
import { unitMetric } from '../../src/kernel/metric.ts';
import { MODELS } from '../../models/index.ts';

let failures = 0;
async function check(name: string, fn: () => unknown | Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  try {
    const note = await fn();
    console.log(`PASS ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)${note ? ` — ${String(note)}` : ''}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s): ${(e as Error).stack ?? e}`);
  }
}
function assert(ok: boolean, msg: string): void {
  if (!ok) throw new Error(msg);
}
const only = process.argv.slice(2);
const want = (k: string) => only.length === 0 || only.includes(k);

function testPoint(dim: number, phase: number): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => Math.fround(0.6 * Math.sin(1.3 * i + phase)));
}

if (want('basic')) {
  await check('the addon sees a GPU and has the GPU engine', () => {
    const info = loadNative().info();
    assert(info.gpuAvailable, 'MLX reports no GPU');
    assert('FusedCudaModel' in loadNative(), 'addon lacks FusedCudaModel');
    return `MLX ${info.mlxVersion}`;
  });

  await check('every benchmark model compiles with NVRTC; logp and gradient match the float64 reference (float32 tolerance)', async () => {
    const notes: string[] = [];
    for (const [name, { model: m }] of Object.entries(MODELS)) {
      const t0 = performance.now();
      const gpu = await logDensity(m, { backend: 'fused', device: 'gpu' });
      const ref = logDensitySync(m, { backend: 'reference' });
      let worst = 0;
      for (const phase of [0.3, 1.7, 2.9]) {
        const q = testPoint(gpu.dim, phase);
        const a = gpu.logpGrad(q);
        const r = ref.logpGrad(q);
        const scale = Math.max(1, Math.abs(r.logp));
        worst = Math.max(worst, Math.abs(a.logp - r.logp) / scale);
        const gs = Math.max(1, Math.sqrt(r.grad.reduce((s, x) => s + x * x, 0)));
        for (let i = 0; i < gpu.dim; i++) worst = Math.max(worst, Math.abs(a.grad[i]! - r.grad[i]!) / gs);
      }
      // a batch gives what single points give
      const n = 257;
      const Q = new Float64Array(n * gpu.dim);
      for (let k = 0; k < n; k++) Q.set(testPoint(gpu.dim, k * 0.01), k * gpu.dim);
      const b = gpu.logpGradBatch(Q, n);
      const one = gpu.logpGrad(Q.slice(200 * gpu.dim, 201 * gpu.dim));
      assert(b.logp[200] === one.logp, `${name}: batch logp differs from a single point's`);
      notes.push(`${name} ${worst.toExponential(1)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      gpu.dispose();
      assert(worst < 2e-4, `${name}: largest relative error ${worst}`);
    }
    return notes.join(', ');
  });

  await check('an NVRTC compile error is reported with its message and the model op', async () => {
    const m = MODELS['eight_schools']!.model.trace('float32');
    const lib = generateCudaFor(m, 'float32');
    const broken = lib.header.replace(/(\/\/ node \d+: mul\n)/, '$1  this_is_not_cuda;\n');
    let msg = '';
    try {
      new FusedGpuDensity(m, { ...lib, header: broken });
    } catch (e) {
      msg = (e as Error).message;
    }
    assert(/NVRTC could not compile/.test(msg) && /this_is_not_cuda/.test(msg) && /model op 'mul'/.test(msg), `message was: ${msg}`);
    return msg.split('\n').slice(-1)[0];
  });

  await check('a run that cannot fit in GPU memory is refused before launching, saying how many chains fit', async () => {
    const d = new FusedGpuDensity(MODELS['eight_schools']!.model.trace('float32'), generateCudaFor(MODELS['eight_schools']!.model.trace('float32'), 'float32'));
    let msg = '';
    try {
      checkGpuMemory(d, 2e9, 10);
    } catch (e) {
      msg = (e as Error).message;
    }
    d.dispose();
    assert(/at most \d+ chains fit/.test(msg), `message was: ${msg}`);
    return msg;
  });
}

if (want('agreement')) {
  await check('GPU and CPU fused engines walk the same path on the first iterations (eight_schools, float32, same seed)', async () => {
    const m = MODELS['eight_schools']!.model;
    const gpu = await logDensity(m, { backend: 'fused', device: 'gpu' });
    let cpu: ModelDensity | null = null;
    let cpuWhy = '';
    try {
      cpu = await logDensity(m, { backend: 'fused', dtype: 'float32' });
    } catch (e) {
      cpuWhy = (e as Error).message.split('\n')[0]!;
    }
    const chains = 8;
    const dim = gpu.dim;
    const count = 100;
    const Q = Float64Array.from({ length: chains * dim }, (_, i) => Math.fround(0.5 * Math.cos(0.37 * i)));
    const { logp, grad } = gpu.logpGradBatch(Q, chains);
    const params = { stepSizes: Float64Array.from({ length: chains }, (_, k) => 0.2 + 0.02 * k), metrics: Array.from({ length: chains }, () => unitMetric('diag', dim)) };
    const ids = Array.from({ length: chains }, (_, k) => k);
    const state = { chains, dim, q: Q, logp, grad };
    const g = await gpu.kernel!(11, ids, 10).run(state, params, 0, count);
    const out: Record<string, unknown> = { model: 'eight_schools', dtype: 'float32', seed: 11, chains, dim, count, q0: [...Q], stepSizes: [...params.stepSizes],
      gpu: { q: [...g.q], nLeapfrog: [...g.stats.nLeapfrog] } };
    let note = `CPU engine unavailable here (${cpuWhy}); GPU draws written for comparison elsewhere`;
    if (cpu) {
      const c = await cpu.kernel!(11, ids, 10).run({ ...state, logp: cpu.logpGradBatch(Q, chains).logp, grad: cpu.logpGradBatch(Q, chains).grad }, params, 0, count);
      out['cpu'] = { q: [...c.q], nLeapfrog: [...c.stats.nLeapfrog] };
      const agree: number[] = [];
      for (let k = 0; k < chains; k++) {
        let it = 0;
        while (it < count) {
          const e = it * chains + k;
          let diff = 0;
          for (let i = 0; i < dim; i++) diff = Math.max(diff, Math.abs(g.q[e * dim + i]! - c.q[e * dim + i]!));
          if (diff > 1e-3 || g.stats.nLeapfrog[e] !== c.stats.nLeapfrog[e]) break;
          it++;
        }
        agree.push(it);
      }
      out['agreeIterations'] = agree;
      note = `iterations agreeing within 1e-3 (same tree sizes), per chain: ${agree.join(' ')}`;
      if (process.env['OUT']) writeFileSync(`${process.env['OUT']}/gpu-agreement.json`, JSON.stringify(out));
      assert(Math.min(...agree) >= 3, note);
      cpu.dispose();
    }
    gpu.dispose();
    if (process.env['OUT']) writeFileSync(`${process.env['OUT']}/gpu-agreement.json`, JSON.stringify(out));
    return note;
  });
}

if (want('divergences')) {
  await check('divergent transitions on the GPU: one row per divergent__ flag, at its chain and iteration, with a finite position', async () => {
    const fit = await sample(MODELS['eight_schools_centered']!.model, 200, { device: 'gpu', chains: 512, warmup: 200, seed: 7 });
    assert(fit.data.config.engine === 'fused-gpu', `engine ${fit.data.config.engine}`);
    const rows = fit.divergenceInfo().filter((x) => !x.warmup);
    const flagged = fit.divergences().reduce((a, b) => a + b, 0);
    assert(flagged > 0, 'no divergences to check');
    assert(rows.length === flagged, `${rows.length} rows for ${flagged} divergent__ flags`);
    for (const r of rows) {
      assert(fit.data.stats[r.chain]!.divergent__[r.iteration] === 1, `row at chain ${r.chain} iteration ${r.iteration} is not flagged`);
      assert(r.position.length === 10, `position of ${r.position.length} coordinates, not 10`);
      assert(r.position.every((x) => Number.isFinite(x)) || r.cause === 'nonfinite', `non-finite position for cause ${r.cause}`);
    }
    return `${flagged} divergent transitions, ${fit.divergenceInfo().filter((x) => x.warmup).length} in warmup`;
  });
}

if (want('overlap')) {
  await check('read-back overlapped with the next launch (MLX_NUTS_GPU_OVERLAP=1): the draws and statistics of the plain run', async () => {
    const opts = { device: 'gpu' as const, chains: 4096, warmup: 200, seed: 8 };
    const m = MODELS['eight_schools']!.model;
    const plain = await sample(m, 400, opts);
    process.env['MLX_NUTS_GPU_OVERLAP'] = '1';
    try {
      const over = await sample(m, 400, opts);
      for (let k = 0; k < opts.chains; k++) {
        plain.data.values[k]!.forEach((col, j) => assert(col.every((v, i) => Object.is(v, over.data.values[k]![j]![i])), `chain ${k} column ${j} differs`));
        for (const st of Object.keys(plain.data.stats[k]!) as (keyof (typeof plain.data.stats)[number])[]) {
          assert(plain.data.stats[k]![st].every((v, i) => Object.is(v, over.data.stats[k]![st][i])), `chain ${k} ${String(st)} differs`);
        }
      }
      return `${opts.chains} chains × 400 draws equal; sampling ${plain.data.timing.samplingSeconds.toFixed(2)} s plain, ${over.data.timing.samplingSeconds.toFixed(2)} s overlapped`;
    } finally {
      delete process.env['MLX_NUTS_GPU_OVERLAP'];
    }
  });
}

if (want('recovery')) {
  const ref = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}.json`, import.meta.url), 'utf8')) as
    { means: Record<string, { mean: number; mcse: number }> };
  for (const name of ['eight_schools', 'logistic'] as const) {
    await check(`${name}: posterior means within 4 MCSE of the reference, 1024 chains on the GPU, pooled warmup`, async () => {
      const r = ref(name);
      const fit = await sample(MODELS[name]!.model, 500, { device: 'gpu', chains: 1024, warmup: 500, seed: 5 });
      assert(fit.data.config.engine === 'fused-gpu', `engine ${fit.data.config.engine}`);
      const bad: string[] = [];
      for (const row of fit.summary().filter((x) => x.name in r.means)) {
        const want = r.means[row.name]!;
        const tol = 4 * Math.sqrt(row.mcseMean ** 2 + want.mcse ** 2);
        if (!(Math.abs(row.mean - want.mean) < tol)) bad.push(`${row.name}: ${row.mean} vs ${want.mean} (tol ${tol})`);
      }
      assert(bad.length === 0, bad.join('; '));
      const t = fit.data.timing;
      return `${(t.warmupSeconds + t.samplingSeconds).toFixed(2)} s, ${fit.divergences().reduce((a, b) => a + b, 0)} divergences`;
    });
  }
  await check("non-centred funnel: v's mean and sd match Normal(0, 3) within 4 MCSE on the GPU", async () => {
    const m = model('funnel_nc', (b) => {
      const v = b.param('v', Normal(0, 3));
      const z = b.param('z', Normal(0, 1), { shape: [9] });
      b.deterministic('x', exp(v.div(2)).mul(z));
    });
    const fit = await sample(m, 500, { device: 'gpu', chains: 1024, warmup: 500, seed: 3 });
    const d = fit.draws('v');
    const all = fit.flat('v');
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    assert(Math.abs(mean) < 4 * mcseMean(d), `mean ${mean}, mcse ${mcseMean(d)}`);
    assert(Math.abs(sd - 3) < 4 * mcseSd(d), `sd ${sd}, mcse ${mcseSd(d)}`);
    return `mean ${mean.toFixed(3)}, sd ${sd.toFixed(3)}, ESS ${essBulk(d).toFixed(0)}`;
  });
}

console.log(failures ? `${failures} GPU check(s) failed` : 'all GPU checks passed');
process.exit(failures ? 1 : 0);
