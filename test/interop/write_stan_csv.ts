// Interop fixture: writes Stan CSVs of synthetic fits with writeStanCsv and StanCsvStream, and a JSON of the values readers must find.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FitData } from '../../src/io/fitData.ts';
import { SAMPLER_STATS } from '../../src/io/fitData.ts';
import { StanCsvStream, writeStanCsv } from '../../src/io/index.ts';
import { syntheticFit } from './synthetic.ts';

/** JSON cannot hold NaN, ±Infinity or -0: spell them as Python's float() reads them. */
type Num = number | string;
const num = (x: number): Num => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : Object.is(x, -0) ? '-0' : x);

/** Nested [chain][draw][...shape] arrays for one variable, shape taken row-major from FitData's columns. */
function variableArray(fit: FitData, name: string, shape: readonly number[]): unknown {
  const size = shape.reduce((a, b) => a * b, 1);
  const first = fit.columns.findIndex((c) => c === name || c.startsWith(`${name}[`));
  const nest = (flat: Num[], dims: readonly number[]): unknown => {
    if (dims.length === 0) return flat[0];
    const step = flat.length / dims[0]!;
    return Array.from({ length: dims[0]! }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), dims.slice(1)));
  };
  return fit.values.map((chain) => {
    const n = chain[0]!.length;
    return Array.from({ length: n }, (_, d) => nest(Array.from({ length: size }, (_, k) => num(chain[first + k]![d]!)), shape));
  });
}

function expected(fit: FitData, files: string[]): unknown {
  return {
    files,
    modelName: fit.modelName,
    seed: fit.config.seed,
    numSamples: fit.config.draws,
    numWarmup: fit.config.warmup,
    maxDepth: fit.config.maxTreeDepth,
    delta: fit.config.targetAccept,
    metric: fit.adaptation[0]!.metric === 'dense' ? 'dense_e' : 'diag_e',
    complete: fit.complete,
    drawsPerChain: fit.values.map((ch) => ch[0]!.length),
    variables: Object.fromEntries(fit.variables.map((v) => [v.name, { shape: v.shape, draws: variableArray(fit, v.name, v.shape) }])),
    stats: Object.fromEntries(SAMPLER_STATS.map((s) => [s, fit.stats.map((st) => Array.from(st[s], num))])),
    stepSize: fit.adaptation.map((a) => num(a.stepSize)),
    invMetric: fit.adaptation.map((a) => {
      const v = Array.from(a.invMetric, num);
      if (a.metric === 'diag') return v;
      const dim = Math.round(Math.sqrt(v.length));
      return Array.from({ length: dim }, (_, i) => v.slice(i * dim, (i + 1) * dim));
    }),
    timing: { warmup: fit.timing.warmupSeconds, sampling: fit.timing.samplingSeconds, total: fit.timing.warmupSeconds + fit.timing.samplingSeconds },
  };
}

/** Writes a fit draw by draw through the streaming writer, as the sampler will; a fit marked incomplete gets the footer's INCOMPLETE line. */
function streamFit(fit: FitData, dir: string): string[] {
  const s = StanCsvStream.open({ dir, modelName: fit.modelName, columns: fit.columns, config: fit.config, compileSeconds: fit.timing.compileSeconds });
  fit.adaptation.forEach((a, c) => s.adaptation(c, a));
  const n = fit.values[0]![0]!.length;
  for (let i = 0; i < n; i++) {
    fit.values.forEach((chain, c) => {
      const stats = Object.fromEntries(SAMPLER_STATS.map((k) => [k, fit.stats[c]![k][i]!])) as Record<(typeof SAMPLER_STATS)[number], number>;
      s.draw(c, chain.map((col) => col[i]!), stats);
    });
  }
  s.close({ warmupSeconds: fit.timing.warmupSeconds, samplingSeconds: fit.timing.samplingSeconds, clampHits: fit.clampHits, complete: fit.complete,
    reason: `sampling was aborted after ${n} of ${fit.config.draws} draws` });
  return [...s.paths];
}

const out = process.argv[2];
if (out === undefined) throw new Error('[write_stan_csv] usage: tsx test/interop/write_stan_csv.ts <output dir>');
const cases: Record<string, FitData> = {
  diag: syntheticFit({ modelName: 'diag_model', chains: 3, draws: 40, awkward: true, seed: 11 }),
  dense: syntheticFit({ modelName: 'dense_model', chains: 2, draws: 30, metric: 'dense', seed: 12 }),
  cube: syntheticFit({ modelName: 'cube_model', chains: 2, draws: 15, seed: 13, variables: [
    { name: 'x', shape: [2, 3, 4], kind: 'param' },
    { name: 's', shape: [], kind: 'deterministic' },
  ] }),
  incomplete: syntheticFit({ modelName: 'aborted_model', chains: 2, draws: 25, drawsDone: 10, seed: 14 }),
};
const manifest: Record<string, unknown> = {};
for (const [name, fit] of Object.entries(cases)) {
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  manifest[name] = expected(fit, writeStanCsv(fit, dir));
}
const streamed: Record<string, FitData> = {
  streamed: syntheticFit({ modelName: 'streamed_model', chains: 2, draws: 30, awkward: true, seed: 15 }),
  streamed_stopped: syntheticFit({ modelName: 'stopped_model', chains: 2, draws: 25, drawsDone: 10, seed: 16 }),
};
for (const [name, fit] of Object.entries(streamed)) {
  const dir = join(out, name);
  manifest[name] = { ...(expected(fit, streamFit(fit, dir)) as object), markerLast: true };
}
writeFileSync(join(out, 'expected.json'), JSON.stringify(manifest));
console.log(`interop: wrote ${Object.keys(cases).length + Object.keys(streamed).length} cases to ${out}`);
