// npx tsx bench/distributed.ts — chains over 1 and 2 ranks (src/distributed/): ESS/s of eight_schools and logistic
// at a given chain count, each rank on its own GPU through NCCL (or on the CPU through the ring backend).
// ESS = min bulk ESS over the reported columns of all chains; seconds = warmup + sampling of the slowest rank,
// compile apart (as bench/gpu.ts). On a 2-GPU machine with the addon built for CUDA (MLX_NUTS_MLX=cuda-13):
//   npx tsx bench/distributed.ts --device gpu --chains 16384 --ranks 1,2 --models eight_schools,logistic
// Options: --device gpu|cpu (default gpu)  --dist-backend nccl|ring (default nccl on gpu, ring on cpu)
//   --chains <n, or a list>  --ranks 1,2  --warmup 500  --draws 500  --seed 1  --models a,b
//   --gather draws|summary (default draws: rank 0 gathers every draw; summary: only the summary's statistics, and the
//   min bulk ESS is the summary's, approximate beyond 16,385 draws per rank and column: src/distributed/summaryGather.ts)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchLocal } from '../src/distributed/launcher.ts';
import type { DistBackend } from '../src/distributed/group.ts';

const { values: a } = parseArgs({ options: {
  device: { type: 'string', default: 'gpu' }, 'dist-backend': { type: 'string' }, chains: { type: 'string', default: '16384' },
  ranks: { type: 'string', default: '1,2' }, warmup: { type: 'string', default: '500' }, draws: { type: 'string', default: '500' },
  seed: { type: 'string', default: '1' }, models: { type: 'string', default: 'eight_schools,logistic' }, gather: { type: 'string', default: 'draws' },
} });
if (a.gather !== 'draws' && a.gather !== 'summary') throw new Error(`--gather must be 'draws' or 'summary', got '${a.gather}'`);
const device = a.device as 'cpu' | 'gpu';
const backend = (a['dist-backend'] ?? (device === 'gpu' ? 'nccl' : 'ring')) as DistBackend;
/** One rank's own seconds and where they went (bench/distributedRank.ts writes them beside the result file). */
function rankLine(path: string): string {
  if (!existsSync(path)) return `${path}: no record`;
  const r = JSON.parse(readFileSync(path, 'utf8')) as { rank: number; warmupSeconds: number; samplingSeconds: number;
    kernelProfile: { warmupNativeSeconds?: number; samplingNativeSeconds?: number } | null;
    profile: { launches: number; deviceSeconds: number; outputSeconds: number; transposeSeconds?: number; fitCopySeconds?: number } | null };
  const p = r.profile;
  return `rank ${r.rank}: warmup ${r.warmupSeconds.toFixed(2)} s, sampling ${r.samplingSeconds.toFixed(2)} s` +
    (r.kernelProfile ? `; native calls: warmup ${r.kernelProfile.warmupNativeSeconds?.toFixed(2)} s, sampling ${r.kernelProfile.samplingNativeSeconds?.toFixed(2)} s` : '') +
    (p && p.launches > 0 ? `; ${p.launches} launches, device ${p.deviceSeconds.toFixed(2)} s, outputs ${p.outputSeconds.toFixed(2)} s` +
      (p.fitCopySeconds !== undefined ? ` (GPU transposes ${p.transposeSeconds?.toFixed(2)} s, copies into the fit ${p.fitCopySeconds.toFixed(2)} s)` : '') : '');
}

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-bench-dist-'));
const rows: string[] = ['| model | chains | ranks | seconds | min ESS | ESS/s | speed-up vs 1 rank | divergences |', '|---|---|---|---|---|---|---|---|'];
for (const model of a.models!.split(',')) {
  for (const chains of a.chains!.split(',').map(Number)) {
    let base = 0;
    for (const ranks of a.ranks!.split(',').map(Number)) {
      const file = join(dir, `${model}-${chains}-${ranks}.json`);
      const opts = { model, chains, warmup: Number(a.warmup), draws: Number(a.draws), seed: Number(a.seed), device, gather: a.gather };
      const code = await launchLocal({ processes: ranks, backend, device, hangMs: 600_000,
        argv: [...process.execArgv, '--import', 'tsx', join(import.meta.dirname, 'distributedRank.ts'), JSON.stringify(opts), file] });
      if (code !== 0) {
        rows.push(`| ${model} | ${chains} | ${ranks} | failed (exit ${code}) | | | | |`);
        continue;
      }
      const r = JSON.parse(readFileSync(file, 'utf8')) as { minEssBulk: number; warmupSeconds: number; samplingSeconds: number; divergences: number };
      const secs = r.warmupSeconds + r.samplingSeconds;
      const essps = r.minEssBulk / secs;
      if (ranks === 1) base = essps;
      rows.push(`| ${model} | ${chains} | ${ranks} | ${secs.toFixed(2)} | ${r.minEssBulk.toFixed(0)} | ${essps.toFixed(0)} | ${base > 0 ? (essps / base).toFixed(2) + '×' : '—'} | ${r.divergences} |`);
      console.error(rows[rows.length - 1]);
      for (let k = 0; k < ranks; k++) console.error(`  ${rankLine(`${file}.rank${k}`)}`);
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`\nchains over ranks, ${device} (${backend}), ${a.warmup} + ${a.draws} draws, seed ${a.seed}, gather ${a.gather}\n\n${rows.join('\n')}`);
