// What ranks exchange, built on the byte all_gather: float64 arrays of any length per rank (bit patterns, lossless on
// every backend, in pieces of 256 MiB), the pooled warmup's per-chain window moments, and the per-rank fits rank 0
// summarises.
import { Fit } from '../fit/fit.ts';
import { Welford } from '../nuts/windows.ts';
import { RankError, type RankGroup } from './group.ts';
import { packFit, unpackFit } from './fitPack.ts';
import { mergeFitData } from './mergeFits.ts';

/** Values per all_gather call (256 MiB): large gathers go in pieces, below the native 1 GiB limit. */
const CHUNK = 1 << 25;

/** A 32-bit FNV-1a hash of an exchange's name: ranks check they are at the same exchange before its values. */
function exchangeTag(what: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < what.length; i++) h = Math.imul(h ^ what.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Every rank's float64 array, in rank order (lengths may differ: gathered first with the exchange's tag, then the
 * values padded to the longest). Ranks at different exchanges (one stopped sampling and gathers the draws while
 * another waits at a pooled warmup window) get an error instead of each other's values.
 */
export async function allGatherF64(g: RankGroup, x: Float64Array, what: string, chunk = CHUNK): Promise<Float64Array[]> {
  if (g.size === 1) return [Float64Array.from(x)];
  const heads = new Float64Array((await g.allGather(new Uint8Array(Float64Array.of(x.length, exchangeTag(what)).buffer), `${what} (lengths)`)).slice().buffer);
  const other = Array.from({ length: g.size }, (_, r) => r).find((r) => heads[2 * r + 1] !== exchangeTag(what));
  if (other !== undefined) throw new RankError(`[distributed] rank ${g.rank} (host ${g.host}) is at '${what}', rank ${other} at another exchange: the ranks went different ways (e.g. one stopped during pooled warmup while another waited at a window); their checkpoints are kept`, g.rank);
  const lens = Array.from({ length: g.size }, (_, r) => heads[2 * r]!);
  const max = Math.max(...lens, 1);
  const out = Array.from(lens, (n) => new Float64Array(n));
  for (let off = 0; off < max; off += chunk) {
    const len = Math.min(chunk, max - off);
    const piece = new Float64Array(len);
    piece.set(x.subarray(Math.min(off, x.length), Math.min(off + len, x.length)));
    const all = new Float64Array((await g.allGather(new Uint8Array(piece.buffer), what)).slice().buffer);
    out.forEach((o, r) => { if (off < o.length) o.set(all.subarray(r * len, r * len + Math.min(len, o.length - off)), off); });
  }
  return out;
}

/** Every rank's text (its UTF-8 bytes as float64 words, and their byte count), in rank order. */
export async function allGatherText(g: RankGroup, text: string, what: string): Promise<string[]> {
  const bytes = new TextEncoder().encode(text);
  const words = new Float64Array(Math.ceil(bytes.length / 8));
  new Uint8Array(words.buffer).set(bytes);
  const all = await allGatherF64(g, words, what);
  const sizes = await allGatherF64(g, Float64Array.of(bytes.length), `${what} (sizes)`);
  return all.map((w, r) => new TextDecoder().decode(new Uint8Array(w.buffer, 0, sizes[r]![0]!)));
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

/** Every rank's fit (its chains, as their bits: fitPack.ts), merged in global chain order on every rank. */
export async function gatherFits(g: RankGroup, fit: Fit): Promise<Fit> {
  if (g.size === 1) return fit;
  const what = 'gathering the draws for the summary';
  const p = packFit(fit.data);
  const headers = await allGatherText(g, p.header, `${what} (headers)`);
  const numbers = await allGatherF64(g, p.numbers, what);
  const datas = headers.map((header, r) => (r === g.rank ? fit.data : unpackFit({ header, numbers: numbers[r]! }, fit.data)));
  return new Fit(mergeFitData(datas), { ...fit.extras });
}
