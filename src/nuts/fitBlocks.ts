// The fit's per-chain arrays (draws of each column, sampler statistics) as views of one block per kind, so that a
// kernel can write many chains' draws straight into them (TransitionKernel.sampleInto, FitTarget) instead of the host
// copying them out of each call's results (with thousands of GPU chains, that copy was the host's main cost).
import { constants as bufferConstants } from 'node:buffer';
import type { SamplerStat } from '../io/fitData.ts';
import { SAMPLER_STATS } from '../io/fitData.ts';
import type { FitTarget } from '../kernel/seam.ts';
import { OptionError } from '../base/errors.ts';

/**
 * Above this many elements a block is not allocated in one piece (typed arrays have a length limit, Node's
 * buffer.constants.MAX_LENGTH: 2^32 in Node 20): chains get their own, and the kernel cannot write the fit itself.
 * It was 2 GiB of doubles, which sent 65,536 logistic chains on the H200 down the per-chain path: 14 s of host time
 * against 0.8 s at 16,384 chains (bench/results/2026-11-30e-gpu-h200.md).
 */
const MAX_BLOCK_ELEMENTS = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

export interface ChainBlocks {
  /** chains × rows × n, or null when too large for one array (then each chain's rows are their own buffer). */
  readonly block: Float64Array | null;
  /** views[k][r]: row r of chain k (n entries). */
  readonly views: Float64Array[][];
}

/** What a run keeps in memory per chain: its kept draws of every column and their statistics, and the warmup's. */
export interface KeptShape {
  readonly chains: number;
  readonly columns: number;
  /** kept post-warmup draws per chain (draws / thin, rounded up) */
  readonly kept: number;
  readonly warmup: number;
  /** kept warmup draws per chain (saveWarmup), else 0 */
  readonly keptWarmup: number;
}

/** Bytes of the fit's arrays for `s` (chainBlocks of values and statistics, warmup statistics, saved warmup draws). */
export function fitBytes(s: KeptShape): number {
  return 8 * s.chains * (s.kept * (s.columns + SAMPLER_STATS.length) + s.warmup * SAMPLER_STATS.length + s.keptWarmup * s.columns);
}

/**
 * A run whose draws cannot fit in this machine's memory is refused before anything is compiled or sampled, with the
 * chain count that would fit and the options that shrink it (the fit keeps every kept draw in memory; files written
 * with `output` stream them as well).
 */
export function checkFitMemory(s: KeptShape, totalBytes: number): void {
  const need = fitBytes(s);
  if (need <= totalBytes) return;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  const fit = Math.floor(totalBytes / fitBytes({ ...s, chains: 1 }));
  throw new OptionError(`[sample] the draws would need about ${gib(need)} GiB of memory (${s.chains} chains × ${s.kept} kept draws of ` +
    `${s.columns} values and ${SAMPLER_STATS.length} statistics, 8 bytes each, with the warmup's statistics) and this machine has ` +
    `${gib(totalBytes)} GiB: at most ${fit} chains fit; use fewer chains or draws, or thin (thin: n keeps every n-th draw)`);
}

/**
 * `rows` arrays of n zeros per chain; one block for all chains when it fits, else one buffer per chain. The views are
 * made with the typed-array constructor over the buffer: subarray's species lookup made them half again as slow, and
 * 65,536 chains have over a million of them.
 */
export function chainBlocks(chains: number, rows: number, n: number): ChainBlocks {
  const one = chains * rows * n <= MAX_BLOCK_ELEMENTS;
  const block = one ? new Float64Array(chains * rows * n) : null;
  const views: Float64Array[][] = new Array(chains);
  for (let k = 0; k < chains; k++) {
    const buffer = block ? block.buffer : new ArrayBuffer(8 * rows * n);
    const base = block ? 8 * k * rows * n : 0;
    const chain: Float64Array[] = new Array(rows);
    for (let r = 0; r < rows; r++) chain[r] = new Float64Array(buffer, base + 8 * r * n, n);
    views[k] = chain;
  }
  return { block, views };
}

/**
 * One chain's statistics record over its rows of a ChainBlocks of SAMPLER_STATS.length rows: a literal of one shape
 * (Object.fromEntries made each record a dictionary, slow to build and to read at many chains), in SAMPLER_STATS'
 * order (test/fitBlocks.test.ts holds it there).
 */
export function statsRecord(rows: readonly Float64Array[]): Record<SamplerStat, Float64Array> {
  return {
    lp__: rows[0]!, accept_stat__: rows[1]!, stepsize__: rows[2]!, treedepth__: rows[3]!, n_leapfrog__: rows[4]!,
    divergent__: rows[5]!, energy__: rows[6]!,
  };
}


/** A kernel's six statistics (TransitionStats' order) by their SAMPLER_STATS names. */
const KERNEL_STATS = ['lp__', 'accept_stat__', 'treedepth__', 'n_leapfrog__', 'divergent__', 'energy__'] as const;
/** Where each of a kernel's six statistics goes among SAMPLER_STATS. */
const KERNEL_STAT_ROWS = Int32Array.from(KERNEL_STATS.map((s) => SAMPLER_STATS.indexOf(s)));
/** The same for a native warmup segment's seven (the six, then the step size used: WarmupSegmentResult). */
export const SEGMENT_STAT_ROWS = Int32Array.from([...KERNEL_STATS, 'stepsize__' as const].map((s) => SAMPLER_STATS.indexOf(s)));

/**
 * The FitTarget over a run's value and statistic blocks (null when either is not one block), with the unconstrained
 * coordinates whose clamping is counted.
 */
export function fitTarget(values: ChainBlocks, stats: ChainBlocks, total: number, dim: number, clamp: number,
  clamped: readonly { readonly offset: number; readonly size: number }[], chains: number): FitTarget | null {
  if (!values.block || !stats.block) return null;
  const clampMask = new Uint8Array(dim);
  for (const p of clamped) clampMask.fill(1, p.offset, p.offset + p.size);
  return {
    columns: values.block, stats: stats.block, statCount: SAMPLER_STATS.length, statRows: KERNEL_STAT_ROWS, total, offset: 0,
    clamp, clampMask, clampHits: new Float64Array(chains),
  };
}
