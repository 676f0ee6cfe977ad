// npx tsx bench/warmupLockstep.ts [--models stress,eight_schools,logistic --chains 512 --windows 75,25,50;15,15,50]
// What a GPU waits for in pooled warmup, measured on the CPU fused engine (same transitions as the GPU engine's for a
// seed, float32): the chains of a warp of 32 run in lockstep, so a warp's time is about the sum over iterations of its
// slowest chain's leapfrogs. Prints that sum (mean over warps) for warmup and for sampling, the mean per chain, and the
// sampling's ESS per leapfrog, for each pooled-warmup window setting (initBuffer,window,termBuffer) in one process.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { essBulk, sample } from '../src/index.ts';
import { setPooledWindowsForTests } from '../src/nuts/pooledWarmup.ts';
import { MODELS } from '../models/index.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    models: { type: 'string', default: 'stress,eight_schools,logistic' },
    chains: { type: 'string', default: '512' },
    windows: { type: 'string', default: '75,25,50;15,15,50' },
    out: { type: 'string' },
  },
});
const WARP = 32;
const WARMUP = 500;
const DRAWS = 500;

/** Mean over warps of Σ_iterations max over the warp's chains of rows(k)[it], and the mean per chain of Σ rows(k). */
function lockstep(rows: (k: number) => Float64Array, chains: number, from: number, to: number) {
  let warpSum = 0, warps = 0, all = 0;
  for (let w0 = 0; w0 < chains; w0 += WARP) {
    for (let it = from; it < to; it++) {
      let mx = 0;
      for (let k = w0; k < Math.min(chains, w0 + WARP); k++) {
        mx = Math.max(mx, rows(k)[it]!);
        all += rows(k)[it]!;
      }
      warpSum += mx;
    }
    warps++;
  }
  return { warp: warpSum / warps, perChain: all / chains };
}

const records: unknown[] = [];
const chains = Number(args.chains);
for (const name of args.models!.split(',')) {
  for (const spec of args.windows!.split(';')) {
    const [initBuffer, window, termBuffer] = spec.split(',').map(Number) as [number, number, number];
    setPooledWindowsForTests({ initBuffer, window, termBuffer });
    try {
      const fit = await sample(MODELS[name]!.model, DRAWS, { chains, warmup: WARMUP, seed: 1, adaptation: 'pooled', dtype: 'float32', metricAdaptation: 'stan' });
      const w = lockstep((k) => fit.data.warmupStats[k]!.n_leapfrog__, chains, 0, WARMUP);
      const early = lockstep((k) => fit.data.warmupStats[k]!.n_leapfrog__, chains, 0, 60);
      const s = lockstep((k) => fit.data.stats[k]!.n_leapfrog__, chains, 0, DRAWS);
      const ess = Math.min(...fit.columns.map((c) => essBulk(fit.draws(c))));
      const rec = { model: name, chains, windows: spec, warmupWarpLeapfrogs: w.warp, warmupFirst60WarpLeapfrogs: early.warp, warmupPerChain: w.perChain,
        samplingWarpLeapfrogs: s.warp, samplingPerChain: s.perChain, minEssBulk: ess, essPerSamplingLeapfrog: ess / (s.perChain * chains),
        divergences: fit.divergences().reduce((a, b) => a + b, 0) };
      records.push(rec);
      console.log(`[bench:lockstep] ${name} ${chains} chains, windows ${spec}: warmup per-warp ${w.warp.toFixed(0)} (first 60 iterations ${early.warp.toFixed(0)}), ` +
        `per chain ${w.perChain.toFixed(0)} | sampling per-warp ${s.warp.toFixed(0)}, per chain ${s.perChain.toFixed(0)} | min ESS ${ess.toFixed(0)}, ` +
        `ESS per sampling leapfrog ${rec.essPerSamplingLeapfrog.toFixed(4)}, divergences ${rec.divergences}`);
    } finally {
      setPooledWindowsForTests(null);
    }
  }
}
if (args.out) writeFileSync(args.out, JSON.stringify(records, null, 2));
