// npx tsx bench/warmupLockstep.ts [--models stress,eight_schools,logistic --chains 512 --windows 75,25,50;15,15,50]
// What a GPU waits for in pooled warmup, measured on the CPU fused engine (same transitions as the GPU engine's for a
// seed, float32): the chains of a warp of 32 run in lockstep, so a warp's time is about the sum over iterations of its
// slowest chain's leapfrogs. Prints that sum (mean over warps) for warmup and for sampling, the mean per chain, and the
// sampling's ESS per leapfrog, for each pooled-warmup window setting (initBuffer,window,termBuffer) in one process;
// and the same sums for the GPU kernel's one-step-per-pass loop, where a warp waits per launch, not per tree.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { essBulk, sample } from '../src/index.ts';
import { setPooledWindowsForTests } from '../src/nuts/pooledWarmup.ts';
import { windowSchedule } from '../src/nuts/windows.ts';
import { FIRST_COUNT } from '../src/nuts/nativeWarmup.ts';
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

/**
 * The same for the one-step-per-pass loop (src/codegen/nutsSource.ts mn_run): a warp runs each launch about as long as
 * its chain with the most leapfrogs in that launch, so Σ over launches of max over the warp's chains of their sums.
 */
function lockstepFlat(rows: (k: number) => Float64Array, chains: number, launches: readonly number[]) {
  let total = 0, warps = 0;
  for (let w0 = 0; w0 < chains; w0 += WARP) {
    for (let l = 0; l + 1 < launches.length; l++) {
      let mx = 0;
      for (let k = w0; k < Math.min(chains, w0 + WARP); k++) {
        let sum = 0;
        for (let it = launches[l]!; it < launches[l + 1]!; it++) sum += rows(k)[it]!;
        mx = Math.max(mx, sum);
      }
      total += mx;
    }
    warps++;
  }
  return total / warps;
}

/** Warmup's launches as src/nuts/nativeWarmup.ts makes them when calls are quick: FIRST_COUNT, doubling, cut at window ends. */
function warmupLaunches(windowEnds: readonly number[], warmup: number): number[] {
  const cuts = [0];
  let want = FIRST_COUNT;
  while (cuts[cuts.length - 1]! < warmup) {
    const from = cuts[cuts.length - 1]!;
    const end = windowEnds.find((e) => e >= from);
    cuts.push(Math.min(from + want, end === undefined ? warmup : end + 1, warmup));
    want *= 2;
  }
  return cuts;
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
      const launches = warmupLaunches(windowSchedule(WARMUP, { initBuffer, window, termBuffer }).windowEnds, WARMUP);
      const flatWarmup = lockstepFlat((k) => fit.data.warmupStats[k]!.n_leapfrog__, chains, launches);
      const flatSampling = lockstepFlat((k) => fit.data.stats[k]!.n_leapfrog__, chains, [0, DRAWS]);
      const rec = { model: name, chains, windows: spec, warmupWarpLeapfrogs: w.warp, warmupFirst60WarpLeapfrogs: early.warp, warmupPerChain: w.perChain,
        samplingWarpLeapfrogs: s.warp, samplingPerChain: s.perChain, flatWarmupWarpLeapfrogs: flatWarmup, flatSamplingWarpLeapfrogs: flatSampling,
        warmupLaunches: launches, minEssBulk: ess, essPerSamplingLeapfrog: ess / (s.perChain * chains),
        divergences: fit.divergences().reduce((a, b) => a + b, 0) };
      records.push(rec);
      console.log(`[bench:lockstep] ${name} ${chains} chains, windows ${spec}: warmup per-warp ${w.warp.toFixed(0)} (first 60 iterations ${early.warp.toFixed(0)}), ` +
        `per chain ${w.perChain.toFixed(0)} | sampling per-warp ${s.warp.toFixed(0)}, per chain ${s.perChain.toFixed(0)} | min ESS ${ess.toFixed(0)}, ` +
        `ESS per sampling leapfrog ${rec.essPerSamplingLeapfrog.toFixed(4)}, divergences ${rec.divergences} | one step per pass: warmup per-warp ` +
        `${flatWarmup.toFixed(0)} (launches ${launches.join(',')}), sampling per-warp ${flatSampling.toFixed(0)} (one launch)`);
    } finally {
      setPooledWindowsForTests(null);
    }
  }
}
if (args.out) writeFileSync(args.out, JSON.stringify(records, null, 2));
