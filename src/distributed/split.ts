// Which chains each rank runs: contiguous ranges of the global chain indices, the first `chains % ranks` ranks one more.
import { OptionError } from '../base/errors.ts';

export interface ChainRange {
  /** Global index of the rank's first chain. */
  readonly first: number;
  /** How many chains the rank runs. */
  readonly count: number;
}

/** Rank `rank`'s chains among `size` ranks; an error (before any work) when some rank would have none. */
export function chainRange(chains: number, size: number, rank: number): ChainRange {
  if (!Number.isInteger(size) || size < 1) throw new OptionError(`[distributed] the group size must be a positive integer, got ${String(size)}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) throw new OptionError(`[distributed] rank must be in [0, ${size - 1}], got ${String(rank)}`);
  if (chains < size) throw new OptionError(`[distributed] ${chains} chain(s) cannot be spread over ${size} ranks: every rank needs at least one chain`);
  const base = Math.floor(chains / size);
  const extra = chains % size;
  return { first: rank * base + Math.min(rank, extra), count: base + (rank < extra ? 1 : 0) };
}
