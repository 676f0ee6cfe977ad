// npx tsx bench/gpuLoop.ts — how the GPU kernel loops over a chain's transitions, timed: the nested loops against
// mn_run's passes at several boundary gates (src/codegen/cuda.ts loopDefines: MLX_NUTS_GPU_LOOP, MLX_NUTS_GPU_GATE).
// Every setting gives the same draws bit for bit (checked here by checksum), so the ESS is the same and only the
// seconds differ: per run, warmup + sampling wall time and the kernels' device time (gpuProfile), compile apart.
//   --models eight_schools,logistic  --chains 16384  --loops nested,0,0.25,0.5,0.75,1 (a number: passes with that gate)
//   --warmup 500 --draws 500 --seed 1 --out <dir> (writes gpu-loop.json and gpu-loop.md there)
//   --ess: the min bulk ESS of the reported columns, computed on each model's first setting (the same for all)
//   --windows 75,25,50: pooled warmup's init buffer, first window and term buffer for every run (default
//     POOLED_WINDOW_DEFAULTS; other windows give other draws, so compare runs of one --windows only)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sample } from '../src/index.ts';
import { loadNative } from '../src/backend/native.ts';
import { MODELS } from '../models/index.ts';
import { drawsChecksum } from './checksum.ts';
import { essBulkMany } from './essPool.ts';
import { reportedColumns } from './reported.ts';
import { setPooledWindowsForTests } from '../src/nuts/pooledWarmup.ts';

const { values: a } = parseArgs({ options: {
  models: { type: 'string', default: 'eight_schools,logistic' }, chains: { type: 'string', default: '16384' },
  loops: { type: 'string', default: 'nested,0,0.25,0.5,0.75,1' }, warmup: { type: 'string', default: '500' },
  draws: { type: 'string', default: '500' }, seed: { type: 'string', default: '1' }, out: { type: 'string', default: 'bench/results' },
  ess: { type: 'boolean', default: false }, windows: { type: 'string' },
} });
const loops = a.loops!.split(',');
for (const l of loops) if (l !== 'nested' && !(Number(l) >= 0 && Number(l) <= 1)) throw new Error(`[bench:gpu-loop] --loops: 'nested' or a gate in [0, 1], got '${l}'`);
if (a.windows) {
  const w = a.windows.split(',').map(Number);
  if (w.length !== 3 || !w.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`[bench:gpu-loop] --windows: three positive integers (init buffer, window, term buffer), got '${a.windows}'`);
  setPooledWindowsForTests({ initBuffer: w[0]!, window: w[1]!, termBuffer: w[2]! });
}
const gpuProfile = (loadNative() as unknown as { gpuProfile?: (reset?: boolean) => { deviceSeconds: number } }).gpuProfile;
if (!loadNative().info().gpuAvailable) throw new Error('[bench:gpu-loop] MLX sees no GPU: build the addon with MLX_NUTS_MLX=cuda-13');

interface LoopRecord { model: string; chains: number; loop: string; seconds: number; warmupSeconds: number; deviceSeconds: number;
  compileSeconds: number; leapfrogs: number; checksum: string; sameDraws: boolean;
  /** sample()'s whole wall time, compile and everything around warmup and sampling included */
  wallSeconds: number; minEssBulk?: number; windows: string }
const records: LoopRecord[] = [];
console.error(`[bench:gpu-loop] ${new Date().toISOString()} start`);
mkdirSync(a.out!, { recursive: true });
const save = () => {
  writeFileSync(join(a.out!, 'gpu-loop.json'), JSON.stringify(records, null, 1));
  const rows = records.map((r) => `| ${r.model} | ${r.chains} | ${r.loop} | ${r.seconds.toFixed(2)} | ${r.warmupSeconds.toFixed(2)} | ` +
    `${r.deviceSeconds.toFixed(2)} | ${r.wallSeconds.toFixed(2)} | ${r.leapfrogs} | ${r.sameDraws ? 'yes' : 'NO'} |`);
  writeFileSync(join(a.out!, 'gpu-loop.md'), ['| model | chains | loop (gate) | seconds | of which warmup | device s | sample() wall s | leapfrogs | same draws |',
    '|---|---|---|---|---|---|---|---|---|', ...rows, ''].join('\n'));
};
for (const model of a.models!.split(',')) for (const chains of a.chains!.split(',').map(Number)) {
  let first = '';
  for (const loop of loops) {
    process.env['MLX_NUTS_GPU_LOOP'] = loop === 'nested' ? 'nested' : 'passes';
    process.env['MLX_NUTS_GPU_GATE'] = loop === 'nested' ? '' : loop;
    gpuProfile?.(true);
    const w0 = performance.now();
    const fit = await sample(MODELS[model]!.model, Number(a.draws), { device: 'gpu', backend: 'fused', chains, warmup: Number(a.warmup), seed: Number(a.seed) });
    const wallSeconds = (performance.now() - w0) / 1000;
    const gp = gpuProfile?.(true);
    const t = fit.data.timing;
    const checksum = drawsChecksum(fit);
    first ||= checksum;
    const leapfrogs = [...fit.data.stats, ...fit.data.warmupStats].reduce((s, st) => s + st.n_leapfrog__.reduce((x, y) => x + y, 0), 0);
    records.push({ model, chains, loop, seconds: t.warmupSeconds + t.samplingSeconds, warmupSeconds: t.warmupSeconds,
      deviceSeconds: gp?.deviceSeconds ?? NaN, compileSeconds: t.compileSeconds, leapfrogs, checksum, sameDraws: checksum === first, wallSeconds, windows: a.windows ?? 'default',
      ...(a.ess && checksum === first && records.every((r) => r.model !== model || r.chains !== chains)
        ? { minEssBulk: Math.min(...await essBulkMany(reportedColumns(model, fit.columns).map((c) => fit.draws(c)))) } : {}) });
    const r = records.at(-1)!;
    console.error(`[bench:gpu-loop] ${new Date().toISOString()} ${model} ${chains} ${loop}: ${r.seconds.toFixed(2)} s (warmup ${r.warmupSeconds.toFixed(2)}), ` +
      `device ${r.deviceSeconds.toFixed(2)} s, compile ${r.compileSeconds.toFixed(2)} s, sample() wall ${wallSeconds.toFixed(2)} s, same draws ${r.sameDraws}` +
      (r.minEssBulk ? `, min ESS ${Math.round(r.minEssBulk)} (${Math.round(r.minEssBulk / r.seconds)} ESS/s)` : ''));
    save();
  }
}
