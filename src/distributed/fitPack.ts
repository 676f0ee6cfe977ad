// A rank's chains as one float64 array plus a small JSON header, for the final gather: every draw, statistic and
// adapted metric travels as its bits (JSON text of a many-chain GPU run would be gigabytes and slow to parse).
import { SAMPLER_STATS, type ChainAdaptation, type FitData } from '../io/fitData.ts';

interface Header {
  /** Per chain: kept draws, warmup statistics rows, kept warmup draws (-1: none), inverse metric length. */
  readonly n: number[]; readonly w: number[]; readonly wv: number[]; readonly m: number[];
  readonly stepSizes: number[]; readonly metrics: ChainAdaptation['metric'][];
  readonly complete: boolean; readonly timing: FitData['timing']; readonly clampHits: readonly number[];
}

export interface PackedFit {
  readonly header: string;
  readonly numbers: Float64Array;
}

export function packFit(d: FitData): PackedFit {
  const chains = d.values.length;
  const cols = d.columns.length;
  const ss = SAMPLER_STATS.length;
  const h: Header = {
    n: d.values.map((v) => v[0]?.length ?? d.stats[0]!.lp__.length), w: d.warmupStats.map((s) => s.lp__.length),
    wv: Array.from({ length: chains }, (_, c) => d.warmupValues?.[c]?.[0]?.length ?? -1), m: d.adaptation.map((a) => a.invMetric.length),
    stepSizes: d.adaptation.map((a) => a.stepSize), metrics: d.adaptation.map((a) => a.metric),
    complete: d.complete, timing: d.timing, clampHits: d.clampHits,
  };
  let size = 0;
  for (let c = 0; c < chains; c++) size += h.n[c]! * (cols + ss) + h.w[c]! * ss + Math.max(0, h.wv[c]!) * cols + h.m[c]!;
  const out = new Float64Array(size);
  let o = 0;
  const put = (a: Float64Array) => {
    out.set(a, o);
    o += a.length;
  };
  for (let c = 0; c < chains; c++) {
    for (const v of d.values[c]!) put(v);
    for (const s of SAMPLER_STATS) put(d.stats[c]![s]);
    for (const s of SAMPLER_STATS) put(d.warmupStats[c]![s]);
    if (h.wv[c]! >= 0) for (const v of d.warmupValues![c]!) put(v);
    if (d.adaptation[c]) put(d.adaptation[c]!.invMetric);
  }
  return { header: JSON.stringify(h), numbers: out };
}

/** The FitData of a packed part; `like` (this rank's own data) gives what every rank shares (model, columns, config). */
export function unpackFit(p: PackedFit, like: FitData): FitData {
  const h = JSON.parse(p.header) as Header;
  const cols = like.columns.length;
  let o = 0;
  const take = (n: number) => p.numbers.slice(o, (o += n));
  const chains = h.n.length;
  const values: Float64Array[][] = [];
  const stats: Record<string, Float64Array>[] = [];
  const warmupStats: Record<string, Float64Array>[] = [];
  const warmupValues: Float64Array[][] = [];
  const adaptation: ChainAdaptation[] = [];
  for (let c = 0; c < chains; c++) {
    values.push(Array.from({ length: cols }, () => take(h.n[c]!)));
    stats.push(Object.fromEntries(SAMPLER_STATS.map((s) => [s, take(h.n[c]!)])));
    warmupStats.push(Object.fromEntries(SAMPLER_STATS.map((s) => [s, take(h.w[c]!)])));
    if (h.wv[c]! >= 0) warmupValues.push(Array.from({ length: cols }, () => take(h.wv[c]!)));
    if (c < h.stepSizes.length) adaptation.push({ stepSize: h.stepSizes[c]!, metric: h.metrics[c]!, invMetric: take(h.m[c]!) });
  }
  if (o !== p.numbers.length) throw new Error(`[distributed] a rank's packed fit has ${p.numbers.length} numbers, its header describes ${o}`);
  return {
    ...like, values, stats: stats as unknown as FitData['stats'], warmupStats: warmupStats as unknown as FitData['warmupStats'],
    ...(like.warmupValues ? { warmupValues } : {}), adaptation, complete: h.complete, timing: h.timing, clampHits: h.clampHits,
  };
}
