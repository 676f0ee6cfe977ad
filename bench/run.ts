// npm run bench: the seed's table (500+500, seed 42, 1 chain) and the standard config, mlx-nuts beside Stan and NumPyro.
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { essBulk, sample, type Fit } from 'mlx-nuts';
import { MODELS } from '../models/index.ts';
import { isPeerError, runPeerSeeds, type PeerName, type PeerResult } from './peers/index.ts';
import { SEED_TABLE, type BenchRecord } from './record.ts';
import { renderMarkdown } from './report.ts';
import { writeChart } from './chart.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'bench'),
  options: {
    quick: { type: 'boolean', default: false },
    models: { type: 'string' },
    configs: { type: 'string', default: 'seed,standard' },
    backends: { type: 'string', default: 'mlx:float32,reference:float64' },
    'standard-backends': { type: 'string', default: 'mlx:float32' },
    peers: { type: 'string', default: 'stan,numpyro' },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    out: { type: 'string', default: 'bench/results' },
  },
});

const quick = args.quick!;
const models = args.models ? args.models.split(',') : Object.keys(MODELS);
const configs = quick ? ['seed'] : args.configs!.split(',');
type BackendSpec = ['mlx' | 'reference', 'float32' | 'float64'];
const parseBackends = (s: string) => s.split(',').map((b) => b.split(':') as BackendSpec);
// the reference backend is the float64 oracle: by default it runs the seed config only (the standard config's
// 5 seeds × 4 chains on the TS interpreter would not fit the 30-minute budget)
const backendsFor = (cfg: string): BackendSpec[] =>
  parseBackends(quick ? 'mlx:float32' : cfg === 'standard' ? args['standard-backends']! : args.backends!);
const peers = (quick || args.peers === 'none' ? [] : args.peers!.split(',')) as PeerName[];
const standardSeeds = args.seeds!.split(',').map(Number);

for (const m of models) if (!MODELS[m]) throw new Error(`[bench] unknown model '${m}'; known: ${Object.keys(MODELS).join(', ')}`);

interface Cfg { name: 'seed' | 'standard'; warmup: number; draws: number; chains: number; seeds: number[] }
const CONFIGS: Record<string, Cfg> = {
  seed: { name: 'seed', warmup: 500, draws: 500, chains: 1, seeds: [42] },
  standard: { name: 'standard', warmup: 1000, draws: 1000, chains: 4, seeds: standardSeeds },
};

/** Columns whose ESS is reported: the model's report list, else every column (deterministics included). */
function reported(model: string, columns: readonly string[]): string[] {
  const rep = MODELS[model]!.meta.report;
  return rep ? columns.filter((c) => rep.some((r) => c === r || c.startsWith(`${r}[`))) : [...columns];
}

function minEss(columns: string[], chainsOf: (c: string) => Float64Array[]): number {
  return Math.min(...columns.map((c) => essBulk(chainsOf(c))));
}

function fromFit(model: string, cfg: Cfg, seed: number, backend: string, dtype: string, fit: Fit, peakRssMB: number): BenchRecord {
  const t = fit.data.timing;
  const samplingSeconds = t.warmupSeconds + t.samplingSeconds;
  const grads = fit.data.stats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0) +
    fit.data.warmupStats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0);
  const ess = minEss(reported(model, fit.columns), (c) => fit.draws(c));
  const p = fit.extras.profile;
  return {
    model, config: cfg.name, sampler: 'mlx-nuts', backend, dtype, chains: cfg.chains, seed, samplingSeconds,
    minEssBulk: ess, essPerSecond: ess / samplingSeconds, divergences: fit.divergences().reduce((a, b) => a + b, 0),
    gradientEvaluations: grads, compileSeconds: t.compileSeconds, essPer1000Gradients: (1000 * ess) / grads,
    usPerGradient: (1e6 * samplingSeconds) / grads, nativeCallsPerDraw: fit.extras.nativeCallsPerDraw, peakRssMB,
    ...(p ? { profile: { ...p } } : {}),
  };
}

function fromPeer(model: string, cfg: Cfg, seed: number, r: PeerResult): BenchRecord {
  const cols = reported(model, r.columns);
  const ess = minEss(cols, (c) => r.draws[c]!.map((ch) => Float64Array.from(ch)));
  return {
    model, config: cfg.name, sampler: r.sampler, backend: r.sampler === 'stan' ? 'rstan' : 'jax-cpu', dtype: r.dtype,
    chains: cfg.chains, seed, samplingSeconds: r.samplingSeconds, minEssBulk: ess, essPerSecond: ess / r.samplingSeconds,
    divergences: r.divergences, gradientEvaluations: r.gradientEvaluations, compileSeconds: r.compileSeconds,
    essPer1000Gradients: (1000 * ess) / r.gradientEvaluations, usPerGradient: (1e6 * r.samplingSeconds) / r.gradientEvaluations,
    ...(typeof r.peakRssMB === 'number' ? { peakRssMB: r.peakRssMB } : {}), version: r.version,
  };
}

const records: BenchRecord[] = [];
const failures: { sampler: string; model: string; config: string; error: string }[] = [];
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
        const fit = await sample(MODELS[model]!.model, cfg.draws, { warmup: cfg.warmup, chains: cfg.chains, seed, backend, dtype, progress });
        const rec = fromFit(model, cfg, seed, backend, dtype, fit, Math.max(peak, process.memoryUsage.rss()) / 2 ** 20);
        records.push(rec);
        console.error(`[bench] ${cfg.name} ${model} seed ${seed} mlx-nuts ${backend}/${dtype}: ${rec.samplingSeconds.toFixed(2)} s, ` +
          `min ESS ${rec.minEssBulk.toFixed(0)}, ESS/s ${rec.essPerSecond.toFixed(1)}, div ${rec.divergences}`);
      }
    }
    for (const peer of peers) {
      // one process per peer, model and config: every seed of the config in it
      const rs = await runPeerSeeds(peer, model, { warmup: cfg.warmup, draws: cfg.draws, chains: cfg.chains }, cfg.seeds);
      rs.forEach((r, i) => {
        const seed = cfg.seeds[i]!;
        if (isPeerError(r)) {
          const seen = failures.some((f) => f.sampler === peer && f.model === model && f.config === cfg.name && f.error === r.error);
          if (!seen) failures.push({ sampler: peer, model, config: cfg.name, error: r.error });
          console.error(`[bench] ${peer} ${model} seed ${seed}: ${r.error}`);
          return;
        }
        const rec = fromPeer(model, cfg, seed, r);
        records.push(rec);
        console.error(`[bench] ${cfg.name} ${model} seed ${seed} ${peer}: ${rec.samplingSeconds.toFixed(2)} s, ESS/s ${rec.essPerSecond.toFixed(1)}`);
      });
    }
  }
}

const date = new Date().toISOString().slice(0, 10);
const stem = `${args.out}/${date}-${hostname()}`;
mkdirSync(args.out!, { recursive: true });
const md = renderMarkdown(records, failures, SEED_TABLE);
writeFileSync(`${stem}.json`, JSON.stringify(records, null, 2) + '\n');
writeFileSync(`${args.out}/latest.json`, JSON.stringify(records, null, 2) + '\n');
writeFileSync(`${stem}.md`, md);
const charts = records.some((r) => r.sampler === 'stan') ? await writeChart(records, stem) : [];
console.log(md);
console.log(`\nresults: ${[`${stem}.json`, `${stem}.md`, `${args.out}/latest.json`, ...charts].join(', ')}`);
