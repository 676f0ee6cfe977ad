// Markdown tables for a benchmark run: the fused engine's ratios first, then per-model rows, medians and ranges over seeds.
import type { BenchRecord } from './record.ts';

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
/** A ratio with two significant figures at least (0.043, 0.43, 4.3, 43). */
const ratio = (x: number) => (!Number.isFinite(x) ? '—' : x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function key(r: BenchRecord): string {
  return `${r.sampler} ${r.backend}/${r.dtype}`;
}

export interface RunInfo {
  /** CPUs this run could use; chains the peers ran at once (at most). */
  readonly cores: number;
  readonly peerCores: number;
  readonly host?: string;
  /** Wall time of the whole benchmark run. */
  readonly wallSeconds?: number;
}

type Failure = { sampler: string; model: string; config: string; error: string };

/** Median of field k over the records of (model, config, label). */
function medianOf(records: readonly BenchRecord[], model: string, config: string, label: string, k: keyof BenchRecord): number {
  return median(records.filter((r) => r.model === model && r.config === config && key(r) === label).map((r) => r[k] as number));
}

function peerLabel(records: readonly BenchRecord[], sampler: string): string | undefined {
  const r = records.find((x) => x.sampler === sampler);
  return r ? key(r) : undefined;
}

/** The range of the 1-minute load average over the records, when recorded. */
function loadLine(records: readonly BenchRecord[]): string {
  const l = records.map((r) => r.loadAverage).filter((x): x is number => typeof x === 'number');
  return l.length ? ` The 1-minute load average while records were taken: ${f(Math.min(...l))}–${f(Math.max(...l))} (median ${f(median(l))}).` : '';
}

/** The summary at the top: the fused engine's ESS/s ÷ Stan's and ÷ NumPyro's, µs per gradient, compile seconds. */
function summary(records: readonly BenchRecord[], run: RunInfo): string[] {
  const fusedLabels = [...new Set(records.filter((r) => r.sampler === 'mlx-nuts' && r.backend === 'fused').map(key))];
  if (fusedLabels.length === 0) return [];
  const stan = peerLabel(records, 'stan');
  const numpyro = peerLabel(records, 'numpyro');
  const models = [...new Set(records.map((r) => r.model))];
  const out: string[] = [];
  const seedChains = records.find((r) => r.config === 'seed')?.chains ?? 1;
  const stdChains = records.find((r) => r.config === 'standard')?.chains ?? 4;
  const c1 = `${seedChains} chain${seedChains === 1 ? '' : 's'}`;
  const c4 = `${stdChains} chains`;
  for (const fl of fusedLabels) {
    out.push(`\n### Summary: the fused engine (${fl.replace('mlx-nuts ', '')}) against Stan and NumPyro, same run\n`);
    out.push(`ESS/s ratio = median ESS/s of the fused engine ÷ median ESS/s of the peer, per model and config (${c1}: the seed ` +
      `config, one seed; ${c4}: the standard config, medians over its seeds). µs/grad = warmup + sampling wall seconds ÷ ` +
      'gradient evaluations (leapfrog steps, all chains); with several chains on several cores it is wall time, not CPU time. ' +
      'Compile: g++ seconds of the model\'s first build in a fresh cache; cached: sample() time outside warmup + sampling ' +
      'on a cache hit (code generation, cache lookup, library load, initial point).\n');
    const head = ['model'];
    if (stan) head.push(`÷ Stan, ${c1}`, `÷ Stan, ${c4}`);
    if (numpyro) head.push(`÷ NumPyro, ${c1}`, `÷ NumPyro, ${c4}`);
    head.push(`µs/grad fused, ${c1}`);
    if (stan) head.push(`µs/grad Stan, ${c1}`);
    head.push(`µs/grad fused, ${c4}`);
    if (stan) head.push(`µs/grad Stan, ${c4}`);
    head.push('compile s first', 'setup s cached');
    out.push(`| ${head.join(' | ')} |`);
    out.push(`|${head.map(() => '---').join('|')}|`);
    const met = { seed: 0, standard: 0, n: { seed: 0, standard: 0 } };
    for (const model of models) {
      const ess = (cfg: string, label: string | undefined) => (label ? medianOf(records, model, cfg, label, 'essPerSecond') : NaN);
      const us = (cfg: string, label: string | undefined) => (label ? medianOf(records, model, cfg, label, 'usPerGradient') : NaN);
      const row = [model];
      if (stan) {
        for (const cfg of ['seed', 'standard'] as const) {
          const r = ess(cfg, fl) / ess(cfg, stan);
          if (Number.isFinite(r)) {
            met.n[cfg]++;
            if (r >= 3) met[cfg]++;
          }
          row.push(ratio(r));
        }
      }
      if (numpyro) row.push(ratio(ess('seed', fl) / ess('seed', numpyro)), ratio(ess('standard', fl) / ess('standard', numpyro)));
      row.push(f(us('seed', fl), 2));
      if (stan) row.push(f(us('seed', stan), 2));
      row.push(f(us('standard', fl), 2));
      if (stan) row.push(f(us('standard', stan), 2));
      const first = records.find((r) => r.model === model && key(r) === fl && r.cachedSetupSeconds !== undefined);
      row.push(first ? f(first.compileSeconds, 2) : '—', first ? f(first.cachedSetupSeconds, 3) : '—');
      out.push(`| ${row.join(' | ')} |`);
    }
    if (stan) {
      out.push(`\nESS/s ≥ 3× Stan's (issue 11's target): ${met.seed} of ${met.n.seed} models with ${c1}, ` +
        `${met.standard} of ${met.n.standard} with ${c4}.`);
    }
  }
  out.push('');
  out.push(`**Timing, for every sampler:** ESS/s = min bulk ESS over the model's reported columns ÷ (warmup + sampling) ` +
    'wall-clock seconds; compile, model load and initialisation are reported apart and not counted. mlx-nuts: the wall time ' +
    'of sample()\'s warmup and sampling loops. Stan: get_elapsed_time() with Stan\'s clock() made a wall clock ' +
    '(bench/peers/wallclock.c; Stan 2.21 itself measures CPU time). NumPyro: wall time of mcmc.run less jax\'s compile spans.' +
    (records.some((r) => r.sampler === 'stan' && /\bcpu\b/.test(r.timing ?? ''))
      ? ' **Not in this run:** some Stan times are CPU time (the wall-clock shim was not loaded; see their timing field).' : ''));
  out.push('');
  out.push(`**Cores:** this run had ${run.cores} CPU${run.cores === 1 ? '' : 's'}. With several chains the fused engine spreads ` +
    `them over up to min(chains, ${run.cores}) threads when a call is long enough; Stan runs min(chains, ${run.peerCores}) chains ` +
    'at a time (rstan `cores`, forked processes; its time is the wall time of that schedule replayed from each chain\'s elapsed time) ' +
    `and NumPyro uses chain_method='parallel' (jax.pmap over one host device per chain, ${Math.min(run.peerCores, run.cores)} CPUs). ` +
    'One chain runs on one core everywhere.' + loadLine(records) +
    (run.wallSeconds !== undefined ? ` The whole run took ${Math.floor(run.wallSeconds / 60)} min ${Math.round(run.wallSeconds % 60)} s` +
      (run.host ? ` on ${run.host}` : '') + '.' : ''));
  return out;
}

export function renderMarkdown(records: readonly BenchRecord[], failures: readonly Failure[],
  seedTable: Readonly<Record<string, { exlaMs: number; emlxMs: number; exlaEss: number; emlxEss: number; div: string }>>,
  run: RunInfo = { cores: 1, peerCores: 1 }): string {
  const out: string[] = [...summary(records, run)];
  for (const config of ['seed', 'standard'] as const) {
    const rs = records.filter((r) => r.config === config);
    if (rs.length === 0) continue;
    out.push(`\n### ${config === 'seed' ? 'Seed config: 500 warmup + 500 draws, seed 42, 1 chain' : 'Standard config: 4 chains × 1000 warmup + 1000 draws, medians over seeds (min–max)'}\n`);
    out.push('| model | sampler | engine | compile s | setup s | sampling s | of which warmup s | min ESS bulk | ESS/s | divergences | grad evals | ESS/1000 grads | µs/grad | calls/draw | peak RSS MB | ratio vs stan | ratio vs numpyro | seed EXLA ms / ESS/s |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    const models = [...new Set(rs.map((r) => r.model))];
    for (const model of models) {
      const groups = new Map<string, BenchRecord[]>();
      for (const r of rs.filter((x) => x.model === model)) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
      const med = (g: BenchRecord[], k: keyof BenchRecord) => median(g.map((r) => r[k] as number));
      const range = (g: BenchRecord[], k: keyof BenchRecord, d = 1) => g.length > 1
        ? ` (${f(Math.min(...g.map((r) => r[k] as number)), d)}–${f(Math.max(...g.map((r) => r[k] as number)), d)})` : '';
      const peerEss = (s: string) => {
        const g = [...groups.entries()].find(([k]) => k.startsWith(s + ' '));
        return g ? med(g[1], 'essPerSecond') : NaN;
      };
      for (const [k, g] of groups) {
        const ess = med(g, 'essPerSecond');
        const seed = seedTable[model];
        const ours = k.startsWith('mlx-nuts');
        const engine = [...new Set(g.map((r) => r.engine ?? '—'))].join(', ') + (g[0]!.cores && g[0]!.cores > 1 ? ` ×${g[0]!.cores}` : '');
        // compile: the first (uncached) build when the run has one, else the median
        const firstCompile = g.find((r) => r.cachedSetupSeconds !== undefined)?.compileSeconds;
        out.push(`| ${model} | ${k} | ${engine} | ${f(firstCompile ?? med(g, 'compileSeconds'), 2)} | ${f(med(g, 'setupSeconds'), 2)} | ` +
          `${f(med(g, 'samplingSeconds'), 3)}${range(g, 'samplingSeconds', 3)} | ${f(med(g, 'warmupSeconds'), 3)} | ` +
          `${f(med(g, 'minEssBulk'), 0)} | ${f(ess)}${range(g, 'essPerSecond')} | ${f(med(g, 'divergences'), 0)} | ${f(med(g, 'gradientEvaluations'), 0)} | ` +
          `${f(med(g, 'essPer1000Gradients'))} | ${f(med(g, 'usPerGradient'), 2)} | ${f(med(g, 'nativeCallsPerDraw'), 2)} | ${f(med(g, 'peakRssMB'), 0)} | ` +
          `${ours ? ratio(ess / peerEss('stan')) : ''} | ${ours ? ratio(ess / peerEss('numpyro')) : ''} | ${seed && config === 'seed' ? `${seed.exlaMs} / ${seed.exlaEss}` : ''} |`);
      }
    }
    out.push('\ncompile s: mlx-nuts fused — g++ time of the first build in this run\'s fresh cache (0 for later cache hits); mlx — MLX trace/compile; ' +
      'Stan — its C++ compile (measured when the cached model was built); NumPyro — jax trace + lower + XLA compile in that process. ' +
      'setup s: mlx-nuts sample() wall time outside warmup + sampling; of which warmup s: its warmup loop (mlx-nuts only). ' +
      'engine ×N: a peer running N chains at a time.');
  }
  const prof = records.filter((r) => r.profile);
  if (prof.length) {
    out.push('\n### Where mlx-nuts sampling time goes on the MLX graph backend (post-warmup seconds; medians over seeds)\n');
    out.push('MLX graph build: the compiled function\'s call (MLX builds the call\'s graph from its tape) and the release of that graph. MLX eval: scheduling each ' +
      'primitive and running its kernel on MLX\'s stream thread (overlapped; MLX does not time kernels apart). ' +
      'Record draws: constraining and storing each draw. TypeScript: tree building, U-turn checks and the rest.\n');
    out.push('| model | config | backend | MLX graph build + release | MLX eval | host⇄device copies | host leapfrog | record draws | TypeScript tree + rest | sampling total | gradient calls | MLX primitives per call | µs per call |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    const groups = new Map<string, BenchRecord[]>();
    for (const r of prof) {
      const k = `${r.model}|${r.config}|${r.backend}/${r.dtype}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const [k, g] of groups) {
      const m = (name: string) => median(g.map((r) => r.profile![name] ?? NaN));
      const [model, config, backend] = k.split('|');
      const total = ['nativeGraphBuild', 'nativeEval', 'hostDeviceCopies', 'nativeLeapfrog', 'recordDraws', 'typescript']
        .reduce((a, n) => a + m(n), 0);
      const perCall = (1e6 * (m('nativeGraphBuild') + m('nativeEval') + m('hostDeviceCopies'))) / m('gradientCalls');
      out.push(`| ${model} | ${config} | ${backend} | ${f(m('nativeGraphBuild'), 3)} | ${f(m('nativeEval'), 3)} | ${f(m('hostDeviceCopies'), 3)} | ` +
        `${f(m('nativeLeapfrog'), 3)} | ${f(m('recordDraws'), 3)} | ${f(m('typescript'), 3)} | ${f(total, 3)} | ${f(m('gradientCalls'), 0)} | ` +
        `${f(m('primitivesPerCall'), 0)} | ${f(perCall, 1)} |`);
    }
  }
  if (failures.length) {
    out.push('\n### Samplers that could not run\n');
    for (const x of failures) out.push(`- ${x.sampler} on ${x.model} (${x.config}): ${x.error.replace(/\s*\n\s*/g, ' ')}`);
  }
  return out.join('\n') + '\n';
}
