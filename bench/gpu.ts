// npm run bench:gpu — mlx-nuts' fused engine on the GPU beside NumPyro on the same card (NumPyro's GPU defaults:
// float32, JAX on CUDA, chain_method='vectorized'), 500 + 500 draws, ESS/s with ESS from mlx-nuts' own diagnostics
// (min bulk ESS over the reported columns; seconds = warmup + sampling, compile apart). Run on an NVIDIA machine with
// the addon built against MLX_NUTS_MLX=cuda-13 (../shared/gpu/README.md says how). Options:
//   --models a,b  --chains 1024,16384 (mlx-nuts)  --numpyro-chains 1024  --peers numpyro|none  --warmup 500 --draws 500
//   --seed 1  --out bench/results  --budget <seconds> (skips what would start after it)  --name <file stem under $OUT>
//   --copy-modes plain,prefetch,pinned: after each mlx-nuts run, runs it again once per listed read-back mode
//     (MLX_NUTS_GPU_COPY, native/src/device_copy.cc) in the same process (compile paid once) and records each mode's
//     seconds, read-back seconds, bytes per copy path and whether its draws equal the first listed mode's (checksum)
//   --lanes 1,32: each mlx-nuts run once per threads-per-chain setting (MLX_NUTS_GPU_LANES; a compile each)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sample } from '../src/index.ts';
import { loadNative } from '../src/backend/native.ts';
import { MODELS } from '../models/index.ts';
import { reportedColumns } from './reported.ts';
import { essBulkMany } from './essPool.ts';
import { drawsChecksum } from './checksum.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    models: { type: 'string' },
    chains: { type: 'string', default: '1024,16384' },
    'numpyro-chains': { type: 'string', default: '1024' },
    peers: { type: 'string', default: 'numpyro' },
    warmup: { type: 'string', default: '500' },
    draws: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results' },
    budget: { type: 'string', default: '1e9' },
    python: { type: 'string', default: 'python3' },
    name: { type: 'string', default: 'gpu-bench' },
    lanes: { type: 'string', default: '' },
    'copy-modes': { type: 'string', default: '' },
  },
});

export interface GpuBenchRecord {
  readonly model: string;
  readonly sampler: 'mlx-nuts' | 'numpyro';
  readonly engine: string;
  readonly dtype: string;
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
  readonly seed: number;
  /** mlx-nuts: threads per chain as asked by --lanes (MLX_NUTS_GPU_LANES), or 'auto' (src/codegen/cuda.ts lanesFor) */
  readonly lanes?: string;
  /** warmup + sampling wall time (compile apart) */
  readonly samplingSeconds: number;
  readonly warmupSeconds?: number;
  readonly compileSeconds: number;
  readonly minEssBulk: number;
  readonly essPerSecond: number;
  readonly divergences: number;
  readonly gradientEvaluations?: number;
  readonly version?: string;
  readonly device?: string;
  /**
   * mlx-nuts: where the seconds went (native/src/fused_cuda.cc gpuProfile, summed over the run's GPU calls): building
   * inputs, launch until evaluated (uploads + kernel), reading outputs back, and the rest (TypeScript on the host).
   */
  readonly profile?: { launches: number; inputSeconds: number; deviceSeconds: number; outputSeconds: number; outputBytes: number;
    /** parts of outputSeconds: reordering on the GPU before reads, and the copies into the fit's arrays (gpu_readback.cc) */
    transposeSeconds?: number; fitCopySeconds?: number;
    /** more parts: the state read back, the clamp check, the divergent rows, and all read-back after warmup launches */
    stateSeconds?: number; clampSeconds?: number; divergenceSeconds?: number; warmupOutputSeconds?: number;
    /** what the read-back waited for the fit's pages (native/src/page_in.cc) */
    pageWaitSeconds?: number;
    hostSeconds: number; pointLaunches: number; pointSeconds: number; warmupNativeSeconds?: number; samplingNativeSeconds?: number };
  /** --copy-modes: the same run again per read-back mode, in the listed order (sameDraws: checksum equals the first's). */
  readonly copyModes?: CopyModeRun[];
}

/** Bytes read back by each path of native/src/device_copy.cc, and the CUDA calls behind them (gpuProfile().copy). */
type CopyCounters = { plainBytes: number; runtimeBytes: number; prefetchedBytes: number; pinnedBytes: number; stagedBytes: number;
  prefetchCalls: number; registerCalls: number; failures: number };
interface CopyModeRun { mode: string; seconds: number; readBackSeconds: number; outputBytes: number; copy?: CopyCounters;
  checksum: string; divergences: number; sameDraws: boolean }

type GpuProfile = { launches: number; inputSeconds: number; deviceSeconds: number; outputSeconds: number; outputBytes: number;
  pointLaunches: number; pointSeconds: number; transposeSeconds?: number; fitCopySeconds?: number; stateSeconds?: number;
  clampSeconds?: number; divergenceSeconds?: number; warmupOutputSeconds?: number; copy?: CopyCounters };
const gpuProfile = (loadNative() as unknown as { gpuProfile?: (reset?: boolean) => GpuProfile }).gpuProfile;

const models = args.models ? args.models.split(',') : Object.keys(MODELS);
for (const m of models) if (!MODELS[m]) throw new Error(`[bench:gpu] unknown model '${m}'; known: ${Object.keys(MODELS).join(', ')}`);
const chainCounts = args.chains!.split(',').map(Number).filter((x) => x > 0);
/** --lanes 1,32: each mlx-nuts run once per threads-per-chain setting (MLX_NUTS_GPU_LANES); default: the engine's choice. */
const laneList = args.lanes ? args.lanes.split(',') : [''];
for (const l of laneList) if (l !== '' && l !== '1' && l !== '32') throw new Error(`[bench:gpu] --lanes takes 1 and/or 32, got '${l}'`);
const npChains = args['numpyro-chains']!.split(',').map(Number).filter((x) => x > 0);
const peers = args.peers === 'none' ? [] : args.peers!.split(',');
const warmup = Number(args.warmup);
const draws = Number(args.draws);
const seed = Number(args.seed);
const deadline = performance.now() + 1000 * Number(args.budget);
const copyModes = args['copy-modes']!.split(',').filter((x) => x !== '');
for (const m of copyModes) if (!['plain', 'runtime', 'prefetch', 'pinned'].includes(m)) throw new Error(`[bench:gpu] --copy-modes: unknown mode '${m}'; known: plain, runtime, prefetch, pinned`);
const info = loadNative().info();
if (!info.gpuAvailable) throw new Error('[bench:gpu] MLX sees no GPU: build the addon with MLX_NUTS_MLX=cuda-13 on an NVIDIA machine');


/** The same mlx-nuts run once per --copy-modes entry (MLX_NUTS_GPU_COPY set before each), into `runs`. */
async function runCopyModes(model: string, chains: number, runs: CopyModeRun[]): Promise<void> {
  const before = process.env['MLX_NUTS_GPU_COPY'];
  try {
    for (const mode of copyModes) {
      if (performance.now() > deadline) {
        skipped.push(`mlx-nuts ${model} ${chains} chains, read-back mode ${mode} (time budget)`);
        continue;
      }
      process.env['MLX_NUTS_GPU_COPY'] = mode;
      gpuProfile?.(true);
      const fit = await sample(MODELS[model]!.model, draws, { device: 'gpu', backend: 'fused', chains, warmup, seed });
      const gp = gpuProfile?.(true);
      const checksum = drawsChecksum(fit);
      runs.push({ mode, seconds: fit.data.timing.warmupSeconds + fit.data.timing.samplingSeconds, readBackSeconds: gp?.outputSeconds ?? NaN,
        outputBytes: gp?.outputBytes ?? NaN, copy: gp?.copy, checksum, divergences: fit.divergences().reduce((a, b) => a + b, 0),
        sameDraws: runs.length === 0 || checksum === runs[0]!.checksum });
      save(false);
    }
  } finally {
    if (before === undefined) delete process.env['MLX_NUTS_GPU_COPY'];
    else process.env['MLX_NUTS_GPU_COPY'] = before;
  }
  log(`${model} ${chains} chains by read-back mode:\n${MODE_HEADER}\n` + runs.map((r) => modeRow(r)).join('\n'));
}

const MODE_HEADER = '| mode | seconds | read-back s | GiB plain / prefetched / pinned / staged / runtime | CUDA failures | same draws as the first mode |';
/** One --copy-modes run as a table row (after `prefix` cells). */
function modeRow(m: CopyModeRun, prefix = ''): string {
  const gib = (x?: number) => ((x ?? 0) / 2 ** 30).toFixed(2);
  const c = m.copy;
  return `| ${prefix}${m.mode} | ${m.seconds.toFixed(2)} | ${m.readBackSeconds.toFixed(2)} | ${gib(c?.plainBytes)} / ${gib(c?.prefetchedBytes)} / ` +
    `${gib(c?.pinnedBytes)} / ${gib(c?.stagedBytes)} / ${gib(c?.runtimeBytes)} | ${c?.failures ?? '—'} | ${m.sameDraws ? 'yes' : 'NO'} |`;
}

const records: GpuBenchRecord[] = [];
const skipped: string[] = [];
const log = (s: string) => console.error(`[bench:gpu] ${s}`);

for (const model of models) {
  for (const chains of chainCounts) for (const lanes of laneList) {
    if (performance.now() > deadline) {
      skipped.push(`mlx-nuts ${model} ${chains} chains${lanes ? `, ${lanes} lanes` : ''} (time budget)`);
      continue;
    }
    if (lanes) process.env['MLX_NUTS_GPU_LANES'] = lanes;
    else delete process.env['MLX_NUTS_GPU_LANES'];
    try {
      gpuProfile?.(true);
      const fit = await sample(MODELS[model]!.model, draws, { device: 'gpu', backend: 'fused', chains, warmup, seed });
      const gp = gpuProfile?.(true);
      const t = fit.data.timing;
      const cols = reportedColumns(model, fit.columns);
      const ess = Math.min(...await essBulkMany(cols.map((c) => fit.draws(c))));
      const grads = fit.data.stats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0) +
        fit.data.warmupStats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0);
      const secs = t.warmupSeconds + t.samplingSeconds;
      const modeRuns: CopyModeRun[] = [];
      const rec: GpuBenchRecord = {
        model, sampler: 'mlx-nuts', engine: fit.data.config.engine ?? '', dtype: fit.data.config.dtype, chains, warmup, draws, seed,
        lanes: lanes || 'auto',
        samplingSeconds: secs, warmupSeconds: t.warmupSeconds, compileSeconds: t.compileSeconds, minEssBulk: ess, essPerSecond: ess / secs,
        divergences: fit.divergences().reduce((a, b) => a + b, 0), gradientEvaluations: grads, version: `MLX ${info.mlxVersion}`,
        ...(gp ? { profile: { ...gp, hostSeconds: secs - gp.inputSeconds - gp.deviceSeconds - gp.outputSeconds,
          warmupNativeSeconds: fit.engine.kernelProfile?.warmupNativeSeconds, samplingNativeSeconds: fit.engine.kernelProfile?.samplingNativeSeconds } } : {}),
        ...(copyModes.length ? { copyModes: modeRuns } : {}),
      };
      records.push(rec);
      save(false);
      log(`${model} mlx-nuts ${chains} chains${lanes ? ` (${lanes} lanes)` : ''}: ${secs.toFixed(2)} s (warmup ${t.warmupSeconds.toFixed(2)}), compile ${t.compileSeconds.toFixed(1)} s, ` +
        `min ESS ${ess.toFixed(0)}, ESS/s ${(ess / secs).toFixed(0)}, div ${rec.divergences}, ${(grads / secs / 1e6).toFixed(1)} M gradients/s` +
        (rec.profile ? `; ${rec.profile.launches} launches: inputs ${rec.profile.inputSeconds.toFixed(2)} s, device ${rec.profile.deviceSeconds.toFixed(2)} s, ` +
          `outputs ${rec.profile.outputSeconds.toFixed(2)} s (${(rec.profile.outputBytes / 2 ** 30).toFixed(2)} GiB` +
          (rec.profile.fitCopySeconds !== undefined ? `; GPU transposes ${rec.profile.transposeSeconds?.toFixed(2)} s, copies into the fit ${rec.profile.fitCopySeconds.toFixed(2)} s` : '') +
          (rec.profile.pageWaitSeconds !== undefined ? `, waiting for pages ${rec.profile.pageWaitSeconds.toFixed(2)} s` : '') +
          (rec.profile.stateSeconds !== undefined ? `, state ${rec.profile.stateSeconds.toFixed(2)} s, clamp check ${rec.profile.clampSeconds?.toFixed(2)} s, ` +
            `divergent rows ${rec.profile.divergenceSeconds?.toFixed(2)} s; after warmup launches ${rec.profile.warmupOutputSeconds?.toFixed(2)} s` : '') + `), host ${rec.profile.hostSeconds.toFixed(2)} s; ` +
          `native calls: warmup ${rec.profile.warmupNativeSeconds?.toFixed(2)} s, sampling ${rec.profile.samplingNativeSeconds?.toFixed(2)} s; ` +
          `${rec.profile.pointLaunches} point launches ${rec.profile.pointSeconds.toFixed(2)} s` : ''));
      if (copyModes.length) await runCopyModes(model, chains, modeRuns);
    } catch (e) {
      skipped.push(`mlx-nuts ${model} ${chains} chains: ${(e as Error).message.split('\n')[0]}`);
      log(`${model} mlx-nuts ${chains} chains FAILED: ${(e as Error).stack}`);
    }
  }
  if (!peers.includes('numpyro')) continue;
  for (const chains of npChains) {
    if (performance.now() > deadline) {
      skipped.push(`numpyro ${model} ${chains} chains (time budget)`);
      continue;
    }
    const out = join(tmpdir(), `numpyro-gpu-${model}-${chains}.json`);
    const r = spawnSync(args.python!, ['bench/peers/numpyro_gpu.py', `--model=${model}`, `--warmup=${warmup}`, `--draws=${draws}`,
      `--chains=${chains}`, `--seed=${seed}`, `--out=${out}`], { stdio: ['ignore', 'inherit', 'inherit'], env: { JAX_PLATFORMS: 'cuda', ...process.env } });
    if (r.status !== 0) {
      skipped.push(`numpyro ${model} ${chains} chains: exit ${r.status}`);
      continue;
    }
    const meta = JSON.parse(readFileSync(out, 'utf8')) as { columns: string[]; samplingSeconds: number; compileSeconds: number;
      divergences: number; version: string; device: string; dtype: string };
    const raw = readFileSync(out.replace(/\.json$/, '.f32'));
    const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const colOf = (j: number) => Array.from({ length: chains }, (_, c) => Float64Array.from(all.subarray((j * chains + c) * draws, (j * chains + c + 1) * draws)));
    const cols = reportedColumns(model, meta.columns);
    const ess = Math.min(...await essBulkMany(cols.map((c) => colOf(meta.columns.indexOf(c)))));
    const rec: GpuBenchRecord = {
      model, sampler: 'numpyro', engine: 'vectorized', dtype: meta.dtype, chains, warmup, draws, seed, samplingSeconds: meta.samplingSeconds,
      compileSeconds: meta.compileSeconds, minEssBulk: ess, essPerSecond: ess / meta.samplingSeconds, divergences: meta.divergences,
      version: meta.version, device: meta.device,
    };
    records.push(rec);
    save(false);
    log(`${model} numpyro ${chains} chains: ${meta.samplingSeconds.toFixed(2)} s, min ESS ${ess.toFixed(0)}, ESS/s ${rec.essPerSecond.toFixed(0)}`);
  }
}

/** The table: per model, each sampler's best ESS/s (and at which chain count), and the ratio. */
function markdown(): string {
  const lines = [`# GPU benchmark (${new Date().toISOString().slice(0, 10)}, ${hostname()})`, '',
    `${warmup} warmup + ${draws} draws per chain, seed ${seed}; ESS = min bulk ESS over the reported columns (mlx-nuts' diagnostics); ` +
    'seconds = warmup + sampling wall time, compile apart. mlx-nuts: fused engine, one CUDA thread per chain, float32 model, ' +
    'pooled metric warmup. NumPyro: float32, JAX on CUDA, vectorized chains.', '',
    '| model | sampler | chains | seconds | min ESS | ESS/s | divergences | compile s |', '|---|---|---|---|---|---|---|---|'];
  for (const r of records) {
    lines.push(`| ${r.model} | ${r.sampler} | ${r.chains} | ${r.samplingSeconds.toFixed(2)} | ${r.minEssBulk.toFixed(0)} | ${r.essPerSecond.toFixed(0)} | ${r.divergences} | ${r.compileSeconds.toFixed(1)} |`);
  }
  lines.push('', '| model | mlx-nuts best ESS/s (chains) | NumPyro best ESS/s (chains) | ratio |', '|---|---|---|---|');
  for (const model of models) {
    const best = (s: string) => records.filter((r) => r.model === model && r.sampler === s).sort((a, b) => b.essPerSecond - a.essPerSecond)[0];
    const a = best('mlx-nuts');
    const b = best('numpyro');
    const f = (r?: GpuBenchRecord) => (r ? `${r.essPerSecond.toFixed(0)} (${r.chains})` : '—');
    lines.push(`| ${model} | ${f(a)} | ${f(b)} | ${a && b ? (a.essPerSecond / b.essPerSecond).toFixed(1) + '×' : '—'} |`);
  }
  const byMode = records.filter((r) => r.copyModes?.length);
  if (byMode.length) {
    lines.push('', 'Read-back modes (`--copy-modes`, MLX_NUTS_GPU_COPY): each the same run again in the same process.', '',
      `| model | chains ${MODE_HEADER}`, '|---|---|---|---|---|---|---|---|');
    for (const r of byMode) for (const m of r.copyModes!) lines.push(modeRow(m, `${r.model} | ${r.chains} | `));
  }
  if (skipped.length) lines.push('', 'Not run or failed:', ...skipped.map((s) => `- ${s}`));
  return lines.join('\n') + '\n';
}

/** Writes what exists so far (called after every record: a run stopped by a time limit keeps its results). */
function save(final: boolean): void {
  const stem = join(args.out!, `${new Date().toISOString().slice(0, 10)}-gpu-${hostname()}`);
  mkdirSync(args.out!, { recursive: true });
  const md = markdown();
  writeFileSync(`${stem}.json`, JSON.stringify(records, null, 2) + '\n');
  writeFileSync(`${stem}.md`, md);
  if (process.env['OUT']) {
    writeFileSync(join(process.env['OUT'], `${args.name}.json`), JSON.stringify({ records, skipped }, null, 2) + '\n');
    writeFileSync(join(process.env['OUT'], `${args.name}.md`), md);
  }
  if (final) console.log(md);
}

save(true);
