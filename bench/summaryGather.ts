// npx tsx bench/summaryGather.ts [--chains 2048] [--draws 500] [--columns 6] — the summary gather of a spread run
// (src/distributed/summaryGather.ts) against one process's summary of all the chains, on AR(1) draws (φ = 0.5):
// two ranks in this process (so their times add up; on two machines each takes about half), how far ess_bulk and
// R-hat are from one process's (approximate beyond 16,385 draws per rank and column), and the ratio of the times.
import { parseArgs } from 'node:util';
import { gatherSummary } from '../src/distributed/summaryGather.ts';
import type { RankGroup } from '../src/distributed/group.ts';
import { summaryRows } from '../src/fit/warnings.ts';
import { SAMPLER_STATS, type FitData } from '../src/io/fitData.ts';

const { values: a } = parseArgs({ options: { chains: { type: 'string', default: '2048' }, draws: { type: 'string', default: '500' }, columns: { type: 'string', default: '6' } } });
const [C, N, J] = [Number(a.chains), Number(a.draws), Number(a.columns)];

/** Two in-process ranks whose all_gather meets when both called it. */
function pair(): RankGroup[] {
  let round: Uint8Array[] = [];
  let waiting: ((all: Uint8Array) => void)[] = [];
  return [0, 1].map((rank) => ({
    rank, size: 2, backend: 'in-process', host: 'here',
    allGather: (bytes: Uint8Array) => new Promise<Uint8Array>((resolve) => {
      round[rank] = Uint8Array.from(bytes);
      waiting.push(resolve);
      if (waiting.length < 2) return;
      const all = new Uint8Array(round[0]!.length + round[1]!.length);
      all.set(round[0]!);
      all.set(round[1]!, round[0]!.length);
      const w = waiting;
      [round, waiting] = [[], []];
      w.forEach((f) => f(all));
    }),
  }));
}

let seed = 1;
const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
function chains(n: number): FitData {
  const values = Array.from({ length: n }, () => Array.from({ length: J }, () => {
    let x = 0;
    return Float64Array.from({ length: N }, () => (x = 0.5 * x + gauss()));
  }));
  const stats = values.map(() => Object.fromEntries(SAMPLER_STATS.map((s) => [s, s === 'energy__' ? Float64Array.from({ length: N }, gauss) : new Float64Array(N)])));
  return {
    modelName: 'ar1', variables: [{ name: 'x', shape: [J], kind: 'param' }], columns: Array.from({ length: J }, (_, j) => `x[${j}]`),
    config: { seed: 1, chains: n, warmup: 0, draws: N, targetAccept: 0.8, maxTreeDepth: 10, metric: 'diag', backend: 'fused', dtype: 'float64', device: 'cpu', thin: 1, saveWarmup: false },
    values, stats, warmupStats: values.map(() => Object.fromEntries(SAMPLER_STATS.map((s) => [s, new Float64Array(0)]))), adaptation: [], complete: true,
    timing: { warmupSeconds: 0, samplingSeconds: 0, compileSeconds: 0 }, clampHits: new Array<number>(n).fill(0),
  } as unknown as FitData;
}

const parts = [chains(C), chains(C)];
let t = performance.now();
const got = await Promise.all(pair().map((g, r) => gatherSummary(g, parts[r]!)));
const spread = (performance.now() - t) / 1000;
const all = { ...parts[0]!, values: [...parts[0]!.values, ...parts[1]!.values], stats: [...parts[0]!.stats, ...parts[1]!.stats] };
t = performance.now();
const one = summaryRows(all);
const single = (performance.now() - t) / 1000;
let ess = 0;
let rhat = 0;
got[0]!.rows.forEach((row, j) => {
  ess = Math.max(ess, Math.abs(row.essBulk / one[j]!.essBulk - 1));
  rhat = Math.max(rhat, Math.abs(row.rhat - one[j]!.rhat));
});
console.log(`AR(1), 2 ranks × ${C} chains × ${N} draws × ${J} columns (${got[0]!.approximate ? 'approximate' : 'exact'} ess_bulk and R-hat)`);
console.log(`summary gather, both ranks in this process: ${spread.toFixed(1)} s; one process's summary of all ${2 * C} chains: ${single.toFixed(1)} s (ratio ${(spread / single).toFixed(2)})`);
console.log(`largest differences from one process: ess_bulk ${ess.toExponential(1)} relative, R-hat ${rhat.toExponential(1)}`);
