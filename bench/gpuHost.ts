// npx tsx bench/gpuHost.ts [--model eight_schools --chains 16384 --warmup 500 --draws 500 --profile]
// The GPU engine's host side alone: sample({ device: 'gpu' }) over a stand-in for the CUDA model whose "kernel" costs
// next to nothing (each chain takes a small deterministic step; plausible statistics), so that what remains is the
// TypeScript and copying work around the launches at many chains. Prints seconds per phase; with --profile, run it
// under `node --cpu-prof` (npx tsx --cpu-prof …) to see where that time goes. Runs on any machine (no GPU needed).
import { parseArgs } from 'node:util';
import { sample } from '../src/index.ts';
import { setFusedCudaBindingForTests, type NativeFitTarget, type NativeFusedCudaModel } from '../src/backend/fusedGpu.ts';
import { loadNative, type FusedRunArgs } from '../src/backend/native.ts';
import { MODELS } from '../models/index.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    model: { type: 'string', default: 'eight_schools' },
    chains: { type: 'string', default: '16384' },
    warmup: { type: 'string', default: '500' },
    draws: { type: 'string', default: '500' },
  },
});

const STATS = 6;
const WARMUP_STATS = 7;
let nativeSeconds = 0;

/** Each call moves every coordinate a little (so diagnostics see moving chains) and reports depth 3, 7 leapfrogs. */
class HostOnlyModel implements NativeFusedCudaModel {
  constructor(private readonly o: { dim: number; columns: number }) {}
  setData(): void {}
  compile(): void {}
  logpGrad(Q: Float64Array, n: number, outLogp: Float64Array, outGrad: Float64Array, outColumns: Float64Array | null): void {
    for (let k = 0; k < n; k++) outLogp[k] = -0.5 * Q.subarray(k * this.o.dim, (k + 1) * this.o.dim).reduce((s, x) => s + x * x, 0);
    for (let i = 0; i < n * this.o.dim; i++) outGrad[i] = -Q[i]!;
    if (outColumns) outColumns.fill(0.5);
  }
  run(a: FusedRunArgs & { sharedMetric: boolean; chainMajor?: boolean; fit?: NativeFitTarget }): Float64Array {
    const t0 = performance.now();
    const { dim, columns } = this.o;
    const n = a.chainIds.length;
    if (a.fit) { // what native/src/fused_cuda.cc intoFit writes: the fit's rows at fit.offset (a copy's worth of work)
      const f = a.fit;
      loadNative().pageInAwait?.(f.stats);
      loadNative().pageInAwait?.(f.columns);
      for (let k = 0; k < n; k++) {
        for (let c = 0; c < columns; c++) {
          const row = f.columns.subarray((k * columns + c) * f.total + f.offset, (k * columns + c) * f.total + f.offset + a.count);
          row.fill(a.q[k * dim + (c % dim)]! + Math.sin(7.1 * a.iteration + 3.3 * k + c));
        }
        for (let j = 0; j < STATS; j++) f.stats.fill([-1, 0.8, 3, 7, 0, 2][j]!, (k * f.statCount + f.statRows[j]!) * f.total + f.offset,
          (k * f.statCount + f.statRows[j]!) * f.total + f.offset + a.count);
      }
      nativeSeconds += (performance.now() - t0) / 1000;
      return new Float64Array(0);
    }
    for (let k = 0; k < n; k++) {
      for (let it = 0; it < a.count; it++) {
        const row = a.chainMajor ? k * a.count + it : it * n + k;
        for (let i = 0; i < dim; i++) a.outQ![row * dim + i] = a.q[k * dim + i]! + Math.sin(7.1 * (a.iteration + it) + 3.3 * k + i);
        for (let j = 0; j < columns; j++) a.outColumns![row * columns + j] = a.outQ![row * dim + (j % dim)]!;
        a.outStats!.set([-1, 0.8, 3, 7, 0, 2], row * STATS);
      }
    }
    nativeSeconds += (performance.now() - t0) / 1000;
    return new Float64Array(0);
  }
  warmup(a: Parameters<NativeFusedCudaModel['warmup']>[0]): Float64Array {
    const n = a.chainIds.length;
    const row = [-1, 0.8, 3, 7, 0, 2, 0.5];
    if (a.mode === 4) a.outStats.fill(0, 0, n);
    else if (a.fit) { // what fused_cuda.cc places: each statistic's run of `count` into the fit's warmup rows
      const f = a.fit;
      loadNative().pageInAwait?.(f.stats); // as the read-back does (gpu_readback.cc placeStats): pageIn writes zeros there
      for (let k = 0; k < n; k++) for (let j = 0; j < WARMUP_STATS; j++) {
        const at = (k * f.statCount + f.statRows[j]!) * f.total + f.offset;
        f.stats.fill(row[j]!, at, at + a.count);
      }
    } else for (let e = 0; e < n * a.count; e++) a.outStats.set(row, e * WARMUP_STATS);
    return new Float64Array(0);
  }
  deviceInfo(): Record<string, string | number> {
    return { device_name: 'host only', free_memory: 2 ** 40 };
  }
  dispose(): void {}
}

setFusedCudaBindingForTests(HostOnlyModel as unknown as new (o: { header: string; body: string; dim: number; columns: number; realBytes: number }) => NativeFusedCudaModel);
const chains = Number(args.chains);
const t0 = performance.now();
const fit = await sample(MODELS[args.model!]!.model, Number(args.draws), { device: 'gpu', chains, warmup: Number(args.warmup), seed: 1 });
const total = (performance.now() - t0) / 1000;
const t = fit.data.timing;
console.log(`${args.model} ${chains} chains, ${args.warmup} + ${args.draws}: sample() ${total.toFixed(2)} s = compile/init ${t.compileSeconds.toFixed(2)} ` +
  `+ warmup ${t.warmupSeconds.toFixed(2)} + sampling ${t.samplingSeconds.toFixed(2)} + after ${(total - t.compileSeconds - t.warmupSeconds - t.samplingSeconds).toFixed(2)}; ` +
  `stand-in kernel ${nativeSeconds.toFixed(2)} s`);
