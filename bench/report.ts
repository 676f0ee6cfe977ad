// Markdown tables for a benchmark run: per-model rows, medians and ranges over seeds, ratios against the peers.
import type { BenchRecord } from './record.ts';

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function key(r: BenchRecord): string {
  return `${r.sampler} ${r.backend}/${r.dtype}`;
}

export function renderMarkdown(records: readonly BenchRecord[], failures: readonly { sampler: string; model: string; config: string; error: string }[],
  seedTable: Readonly<Record<string, { exlaMs: number; emlxMs: number; exlaEss: number; emlxEss: number; div: string }>>): string {
  const out: string[] = [];
  for (const config of ['seed', 'standard'] as const) {
    const rs = records.filter((r) => r.config === config);
    if (rs.length === 0) continue;
    out.push(`\n### ${config === 'seed' ? 'Seed config: 500 warmup + 500 draws, seed 42, 1 chain' : 'Standard config: 4 chains × 1000 warmup + 1000 draws, medians over seeds (min–max)'}\n`);
    out.push('| model | sampler | compile s | sampling s | min ESS bulk | ESS/s | divergences | grad evals | ESS/1000 grads | µs/grad | calls/draw | peak RSS MB | ratio vs stan | ratio vs numpyro | seed EXLA ms / ESS/s |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    const models = [...new Set(rs.map((r) => r.model))];
    for (const model of models) {
      const groups = new Map<string, BenchRecord[]>();
      for (const r of rs.filter((x) => x.model === model)) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
      const med = (g: BenchRecord[], k: keyof BenchRecord) => median(g.map((r) => r[k] as number));
      const range = (g: BenchRecord[], k: keyof BenchRecord) => g.length > 1
        ? ` (${f(Math.min(...g.map((r) => r[k] as number)))}–${f(Math.max(...g.map((r) => r[k] as number)))})` : '';
      const peerEss = (s: string) => {
        const g = [...groups.entries()].find(([k]) => k.startsWith(s + ' '));
        return g ? med(g[1], 'essPerSecond') : NaN;
      };
      for (const [k, g] of groups) {
        const ess = med(g, 'essPerSecond');
        const seed = seedTable[model];
        const ours = k.startsWith('mlx-nuts');
        out.push(`| ${model} | ${k} | ${f(med(g, 'compileSeconds'), 2)} | ${f(med(g, 'samplingSeconds'), 2)}${range(g, 'samplingSeconds')} | ` +
          `${f(med(g, 'minEssBulk'), 0)} | ${f(ess)}${range(g, 'essPerSecond')} | ${f(med(g, 'divergences'), 0)} | ${f(med(g, 'gradientEvaluations'), 0)} | ` +
          `${f(med(g, 'essPer1000Gradients'))} | ${f(med(g, 'usPerGradient'))} | ${f(med(g, 'nativeCallsPerDraw'), 2)} | ${f(med(g, 'peakRssMB'), 0)} | ` +
          `${ours ? f(ess / peerEss('stan'), 2) : ''} | ${ours ? f(ess / peerEss('numpyro'), 2) : ''} | ${seed && config === 'seed' ? `${seed.exlaMs} / ${seed.exlaEss}` : ''} |`);
      }
    }
  }
  const prof = records.filter((r) => r.profile);
  if (prof.length) {
    out.push('\n### Where mlx-nuts sampling time goes (post-warmup seconds; medians over seeds)\n');
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
    out.push('\n### Peers that could not run\n');
    for (const x of failures) out.push(`- ${x.sampler} on ${x.model} (${x.config}): ${x.error}`);
  }
  return out.join('\n') + '\n';
}
