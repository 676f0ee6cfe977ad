// Command line for the peers alone: runs Stan and/or NumPyro on benchmark models and prints timings and sanity figures.
//   npx tsx bench/peers/run.ts --peers stan,numpyro --models all --warmup 500 --draws 500 --chains 1 --seed 42
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { isPeerError, parallelPeerArgs, PEERS, ROOT, runPeer, type PeerName, type PeerResult } from './index.ts';

const MODEL_NAMES = ['simple', 'medium', 'stress', 'eight_schools', 'eight_schools_centered', 'funnel', 'logistic', 'sv'];

const program = new Command()
  .name('peers')
  .description('Run the peer samplers (Stan via rstan, NumPyro) on the benchmark models')
  .option('--peers <list>', 'comma-separated: stan,numpyro', 'stan,numpyro')
  .option('--models <list>', "comma-separated model names, or 'all'", 'all')
  .option('--warmup <n>', 'warmup iterations per chain', '500')
  .option('--draws <n>', 'post-warmup draws per chain', '500')
  .option('--chains <n>', 'chains', '1')
  .option('--seed <n>', 'seed', '42')
  .option('--cores <n>', "chains run at once: 'auto' = min(chains, available cores); 1 = one after another", 'auto')
  .option('--out-dir <dir>', 'where the peers write their JSON', join(ROOT, '.cache', 'peer-results'))
  .option('--summary <file>', 'also write the summary rows as JSON here')
  .option('--verbose', "print the scripts' own progress lines")
  .parse();

const o = program.opts<{
  peers: string; models: string; warmup: string; draws: string; chains: string; seed: string;
  outDir: string; summary?: string; verbose?: boolean; cores: string;
}>();

const peers = o.peers.split(',').map((s) => s.trim()) as PeerName[];
for (const p of peers) if (!PEERS.includes(p)) program.error(`unknown peer '${p}' (known: ${PEERS.join(', ')})`);
const models = o.models === 'all' ? MODEL_NAMES : o.models.split(',').map((s) => s.trim());
const config = { warmup: Number(o.warmup), draws: Number(o.draws), chains: Number(o.chains), seed: Number(o.seed) };

function mean(r: PeerResult, col: string): number | undefined {
  const chains = r.draws[col];
  if (chains === undefined) return undefined;
  let s = 0;
  let n = 0;
  for (const ch of chains) for (const x of ch) (s += x), n++;
  return n > 0 ? s / n : undefined;
}

const rows: Record<string, unknown>[] = [];
console.log(`config: ${config.chains} chain(s) × ${config.warmup} warmup + ${config.draws} draws, seed ${config.seed}`);
console.log('peer     model                   compile s  sampling s  divergences  grad evals  µs/grad  means');
for (const model of models) {
  for (const peer of peers) {
    const r = await runPeer(peer, model, config, {
      outDir: o.outDir,
      extraArgs: o.cores === 'auto' ? parallelPeerArgs(peer, config.chains) : parallelPeerArgs(peer, config.chains, Number(o.cores)),
      ...(o.verbose === true ? { log: (l: string) => console.error(`  ${l}`) } : {}),
    });
    if (isPeerError(r)) {
      console.log(`${peer.padEnd(8)} ${model.padEnd(23)} ERROR: ${r.error}`);
      rows.push({ ...r });
      continue;
    }
    const usPerGrad = (1e6 * r.samplingSeconds) / r.gradientEvaluations;
    const shown = ['mu', 'tau', 'v', 'sigma', 'nu'].filter((c) => r.draws[c] !== undefined);
    const means = shown.map((c) => `${c}=${mean(r, c)?.toFixed(2)}`).join(' ');
    console.log(
      `${peer.padEnd(8)} ${model.padEnd(23)} ${r.compileSeconds.toFixed(1).padStart(9)}${r.compileCached === true ? '*' : ' '}` +
        ` ${r.samplingSeconds.toFixed(3).padStart(10)}  ${String(r.divergences).padStart(11)}  ${String(r.gradientEvaluations).padStart(10)}` +
        `  ${usPerGrad.toFixed(1).padStart(7)}  ${means}`,
    );
    rows.push({
      sampler: r.sampler, model, version: r.version, dtype: r.dtype, ...config,
      compileSeconds: r.compileSeconds, compileCached: r.compileCached ?? false, samplingSeconds: r.samplingSeconds,
      divergences: r.divergences, warmupDivergences: r.warmupDivergences, gradientEvaluations: r.gradientEvaluations,
      stepsize: r.stepsize, means: Object.fromEntries(shown.map((c) => [c, mean(r, c)])),
    });
  }
}
console.log('* compile time measured when the cached compiled model was built');
if (o.summary !== undefined) await writeFile(o.summary, JSON.stringify(rows, null, 2));
