// What ranks exchange, built on the byte all_gather: float64 arrays of any length per rank (bit patterns, lossless on
// every backend), the pooled warmup's per-chain window moments, and the per-rank fits rank 0 summarises.
import { Fit } from '../fit/fit.ts';
import { fitFromJSON, fitToJSON } from '../io/json.ts';
import { Welford } from '../nuts/windows.ts';
import type { RankGroup } from './group.ts';
import { mergeFitData } from './mergeFits.ts';

/** Every rank's float64 array, in rank order (lengths may differ: gathered first, then the values padded to the longest). */
export async function allGatherF64(g: RankGroup, x: Float64Array, what: string): Promise<Float64Array[]> {
  if (g.size === 1) return [Float64Array.from(x)];
  const lens = new Float64Array((await g.allGather(new Uint8Array(Float64Array.of(x.length).buffer), `${what} (lengths)`)).slice().buffer);
  const max = Math.max(...lens);
  const padded = new Float64Array(Math.max(max, 1));
  padded.set(x);
  const all = new Float64Array((await g.allGather(new Uint8Array(padded.buffer), what)).slice().buffer);
  return Array.from(lens, (n, r) => all.slice(r * padded.length, r * padded.length + n));
}

/** Per chain [n, mean…, m2…]; every rank's chains come back in rank order, i.e. global chain order. */
export async function gatherMoments(g: RankGroup, local: readonly Welford[]): Promise<Welford[]> {
  const first = local[0]!;
  const width = 1 + first.mean.length + first.m2.length;
  const flat = new Float64Array(local.length * width);
  local.forEach((w, k) => {
    flat[k * width] = w.n;
    flat.set(w.mean, k * width + 1);
    flat.set(w.m2, k * width + 1 + w.mean.length);
  });
  const parts = await allGatherF64(g, flat, 'pooled warmup: the window moments');
  const out: Welford[] = [];
  for (const p of parts) {
    for (let o = 0; o < p.length; o += width) {
      const w = new Welford(first.dim, first.kind);
      w.n = p[o]!;
      w.mean.set(p.subarray(o + 1, o + 1 + first.mean.length));
      w.m2.set(p.subarray(o + 1 + first.mean.length, o + width));
      out.push(w);
    }
  }
  return out;
}

/** Every rank's fit (its chains), serialised losslessly, merged in global chain order on every rank. */
export async function gatherFits(g: RankGroup, fit: Fit): Promise<Fit> {
  if (g.size === 1) return fit;
  const text = new TextEncoder().encode(JSON.stringify(fitToJSON(fit.data)));
  const padded = new Float64Array(Math.ceil(text.length / 8));
  new Uint8Array(padded.buffer).set(text);
  const parts = await allGatherF64(g, padded, 'gathering the draws for the summary');
  const lens = await allGatherF64(g, Float64Array.of(text.length), 'gathering the draws for the summary (sizes)');
  const datas = parts.map((p, r) => fitFromJSON(JSON.parse(new TextDecoder().decode(new Uint8Array(p.buffer, 0, lens[r]![0]!)))));
  // this rank's own part as it is (the JSON form keeps the draws, not every field of the config, e.g. the engine)
  return new Fit(mergeFitData(datas.map((d, r) => (r === g.rank ? fit.data : d))), { ...fit.extras });
}
