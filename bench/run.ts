// npm run bench: the seed's table (500+500, seed 42, 1 chain) and the standard config, mlx-nuts beside Stan and NumPyro.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { essBulk, sample, type Fit } from 'mlx-nuts';
import { MODELS } from '../models/index.ts';
import { reportedColumns } from './reported.ts';
import { isPeerError, parallelPeerArgs, runPeerSeeds, type PeerName, type PeerResult } from './peers/index.ts';
import { SEED_TABLE, type BenchRecord } from './record.ts';
import { renderMarkdown } from './report.ts';
import { writeChart } from './chart.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'bench'),
  options: {
    quick: { type: 'boolean', default: false },
    models: { type: 'string' },
    configs: { type: 'string', default: 'seed,standard' },
    // mlx-nuts backends as backend:dtype — fused:float64, fused:float32, mlx:float32, reference:float64
    backends: { type: 'string', default: 'fused:float64,mlx:float32' },
    'standard-backends': { type: 'string', default: 'fused:float64' },
    peers: { type: 'string', default: 'stan,numpyro' },
    // chains the peers run at once: 'auto' = min(chains, available cores), what the fused engine may use
    'peer-cores': { type: 'string', default: 'auto' },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    // the fused engine's compile cache for this run (default: a fresh folder, so each model's first compile is timed)
    'fused-cache': { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});

const quick = args.quick!;
const models = args.models ? args.models.split(',') : Object.keys(MODELS);
const configs = quick ? ['seed'] : args.configs!.split(',');
type BackendSpec = ['fused' | 'mlx' | 'reference', 'float32' | 'float64'];
const BACKENDS = ['fused:float64', 'fused:float32', 'mlx:float32', 'mlx:float64', 'reference:float64'];
const parseBackends = (s: string): BackendSpec[] => s === 'none' ? [] : s.split(',').map((b) => {
  if (!BACKENDS.includes(b.trim())) throw new Error(`[bench] unknown backend '${b}' (${BACKENDS.join(', ')}, or none)`);
  return b.trim().split(':') as BackendSpec;
});
// Defaults: the fused engine (float64, sample()'s default) in both configs, the MLX graph (float32) in the seed
// config only; the reference backend (the TypeScript float64 oracle) only when asked for — it is slow.
const backendsFor = (cfg: string): BackendSpec[] =>
  parseBackends(quick ? 'fused:float64' : cfg === 'standard' ? args['standard-backends']! : args.backends!);
const peers = (quick || args.peers === 'none' ? [] : args.peers!.split(',')) as PeerName[];
const standardSeeds = args.seeds!.split(',').map(Number);
const cores = availableParallelism();
const peerCores = args['peer-cores'] === 'auto' ? cores : Number(args['peer-cores']);
if (!Number.isInteger(peerCores) || peerCores < 1) throw new Error(`[bench] --peer-cores must be 'auto' or an integer >= 1, got '${args['peer-cores']}'`);

// A fresh compile cache for the fused engine unless one is named: every model's first sample() compiles (timed),
// later ones hit the cache. MLX_NUTS_CACHE is read by src/codegen/compile.ts at each build.
const ownCache = args['fused-cache'] === undefined;
const fusedCache = args['fused-cache'] ?? mkdtempSync(join(tmpdir(), 'mlx-nuts-bench-fused-'));
process.env['MLX_NUTS_CACHE'] = fusedCache;
process.on('exit', () => {
  if (ownCache) rmSync(fusedCache, { recursive: true, force: true });
});

for (const m of models) if (!MODELS[m]) throw new Error(`[bench] unknown model '${m}'; known: ${Object.keys(MODELS).join(', ')}`);

interface Cfg { name: 'seed' | 'standard'; warmup: number; draws: number; chains: number; seeds: number[] }
const CONFIGS: Record<string, Cfg> = {
  seed: { name: 'seed', warmup: 500, draws: 500, chains: 1, seeds: [42] },
  standard: { name: 'standard', warmup: 1000, draws: 1000, chains: 4, seeds: standardSeeds },
};


function minEss(columns: string[], chainsOf: (c: string) => Float64Array[]): number {
  return Math.min(...columns.map((c) => essBulk(chainsOf(c))));
}

function fromFit(model: string, cfg: Cfg, seed: number, backend: string, dtype: string, fit: Fit, peakRssMB: number,
  wallSeconds: number): BenchRecord {
  const t = fit.data.timing;
  const samplingSeconds = t.warmupSeconds + t.samplingSeconds;
  const grads = fit.data.stats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0) +
    fit.data.warmupStats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0);
  const ess = minEss(reportedColumns(model, fit.columns), (c) => fit.draws(c));
  const p = fit.engine.mlxProfile;
  return {
    model, config: cfg.name, sampler: 'mlx-nuts', backend, dtype, chains: cfg.chains, seed, samplingSeconds,
    minEssBulk: ess, essPerSecond: ess / samplingSeconds, divergences: fit.divergences().reduce((a, b) => a + b, 0),
    gradientEvaluations: grads, compileSeconds: t.compileSeconds, engine: fit.data.config.engine,
    warmupSeconds: t.warmupSeconds, setupSeconds: wallSeconds - samplingSeconds, essPer1000Gradients: (1000 * ess) / grads,
    usPerGradient: (1e6 * samplingSeconds) / grads, nativeCallsPerDraw: fit.engine.nativeCallsPerDraw, peakRssMB,
    ...(p ? { profile: { ...p } } : {}),
  };
}

function fromPeer(model: string, cfg: Cfg, seed: number, r: PeerResult): BenchRecord {
  const cols = reportedColumns(model, r.columns);
  const ess = minEss(cols, (c) => r.draws[c]!.map((ch) => Float64Array.from(ch)));
  return {
    model, config: cfg.name, sampler: r.sampler, backend: r.sampler === 'stan' ? 'rstan' : 'jax-cpu', dtype: r.dtype,
    chains: cfg.chains, seed, samplingSeconds: r.samplingSeconds, minEssBulk: ess, essPerSecond: ess / r.samplingSeconds,
    divergences: r.divergences, gradientEvaluations: r.gradientEvaluations, compileSeconds: r.compileSeconds,
    essPer1000Gradients: (1000 * ess) / r.gradientEvaluations, usPerGradient: (1e6 * r.samplingSeconds) / r.gradientEvaluations,
    ...(typeof r.peakRssMB === 'number' ? { peakRssMB: r.peakRssMB } : {}), version: r.version,
    engine: r.sampler === 'stan' ? 'rstan' : `numpyro ${String(r.config['chainMethod'] ?? '')}`.trim(),
    cores: typeof r.config['cores'] === 'number' ? Math.min(r.config['cores'], cfg.chains) : 1,
    timing: r.sampler === 'stan' ? `get_elapsed_time, ${r.timing ?? 'cpu'}` : 'wall time less jax compile',
  };
}

const records: BenchRecord[] = [];
const failures: { sampler: string; model: string; config: string; error: string }[] = [];
const firstRun = new Set<string>();

/** sample() wall time outside warmup + sampling, and the g++ seconds, of a second call right after the first (a cache hit). */
async function cacheHit(model: string, backend: BackendSpec[0], dtype: BackendSpec[1], seed: number) {
  const t0 = performance.now();
  const fit = await sample(MODELS[model]!.model, 1, { warmup: 0, chains: 1, seed, backend, dtype, allowFallback: false });
  const t = fit.data.timing;
  return { cachedCompileSeconds: t.compileSeconds, cachedSetupSeconds: (performance.now() - t0) / 1000 - t.warmupSeconds - t.samplingSeconds };
}
for (const cfgName of configs) {
  const cfg = CONFIGS[cfgName];
  if (!cfg) throw new Error(`[bench] unknown config '${cfgName}' (seed, standard)`);
  for (const model of models) {
    for (const seed of cfg.seeds) {
      for (const [backend, dtype] of backendsFor(cfg.name)) {
        // peak resident memory of this process during the run, read every 10th progress event
        let peak = process.memoryUsage.rss();
        let events = 0;
        const progress = () => {
          if (++events % 10 === 0) peak = Math.max(peak, process.memoryUsage.rss());
        };
        let rec: BenchRecord;
        try {
          const t0 = performance.now();
          const fit = await sample(MODELS[model]!.model, cfg.draws,
            { warmup: cfg.warmup, chains: cfg.chains, seed, backend, dtype, progress, allowFallback: false });
          const wall = (performance.now() - t0) / 1000;
          rec = fromFit(model, cfg, seed, backend, dtype, fit, Math.max(peak, process.memoryUsage.rss()) / 2 ** 20, wall);
          const first = `${model} ${backend}/${dtype}`;
          if (backend === 'fused' && !firstRun.has(first)) {
            firstRun.add(first);
            rec = { ...rec, ...(await cacheHit(model, backend, dtype, seed)) };
          }
        } catch (e) {
          // the runner goes on: the error is recorded in the results (failures) and printed
          const error = e instanceof Error ? e.message : String(e);
          const sampler = `mlx-nuts ${backend}/${dtype}`;
          if (!failures.some((f) => f.sampler === sampler && f.model === model && f.config === cfg.name && f.error === error)) {
            failures.push({ sampler, model, config: cfg.name, error });
          }
          console.error(`[bench] ${cfg.name} ${model} seed ${seed} ${sampler} failed: ${error}`);
          continue;
        }
        records.push({ ...rec, loadAverage: loadavg()[0]! });
        console.error(`[bench] ${cfg.name} ${model} seed ${seed} mlx-nuts ${backend}/${dtype} (${rec.engine}): ${rec.samplingSeconds.toFixed(2)} s, ` +
          `min ESS ${rec.minEssBulk.toFixed(0)}, ESS/s ${rec.essPerSecond.toFixed(1)}, div ${rec.divergences}, ` +
          `compile ${(rec.compileSeconds ?? 0).toFixed(2)} s, setup ${(rec.setupSeconds ?? 0).toFixed(2)} s` +
          (rec.cachedSetupSeconds !== undefined ? `, cached setup ${rec.cachedSetupSeconds.toFixed(3)} s` : ''));
      }
    }
    for (const peer of peers) {
      // one process per peer, model and config: every seed of the config in it
      const rs = await runPeerSeeds(peer, model, { warmup: cfg.warmup, draws: cfg.draws, chains: cfg.chains }, cfg.seeds,
        { extraArgs: parallelPeerArgs(peer, cfg.chains, peerCores) });
      rs.forEach((r, i) => {
        const seed = cfg.seeds[i]!;
        if (isPeerError(r)) {
          const seen = failures.some((f) => f.sampler === peer && f.model === model && f.config === cfg.name && f.error === r.error);
          if (!seen) failures.push({ sampler: peer, model, config: cfg.name, error: r.error });
          console.error(`[bench] ${peer} ${model} seed ${seed}: ${r.error}`);
          return;
        }
        const rec = { ...fromPeer(model, cfg, seed, r), loadAverage: loadavg()[0]! };
        records.push(rec);
        console.error(`[bench] ${cfg.name} ${model} seed ${seed} ${peer}: ${rec.samplingSeconds.toFixed(2)} s, ESS/s ${rec.essPerSecond.toFixed(1)}`);
      });
    }
  }
}

const date = new Date().toISOString().slice(0, 10);
const stem = `${args.out}/${date}-${hostname()}`;
mkdirSync(args.out!, { recursive: true });
const md = renderMarkdown(records, failures, SEED_TABLE, { cores, peerCores, host: hostname(), wallSeconds: process.uptime() });
writeFileSync(`${stem}.json`, JSON.stringify(records, null, 2) + '\n');
writeFileSync(`${args.out}/latest.json`, JSON.stringify(records, null, 2) + '\n');
writeFileSync(`${stem}.md`, md);
if (failures.length) writeFileSync(`${stem}.failures.json`, JSON.stringify(failures, null, 2) + '\n');
const charts = records.some((r) => r.sampler === 'stan') ? await writeChart(records, stem) : [];
console.log(md);
console.log(`\nresults: ${[`${stem}.json`, `${stem}.md`, `${args.out}/latest.json`, ...(failures.length ? [`${stem}.failures.json`] : []), ...charts].join(', ')}`);
