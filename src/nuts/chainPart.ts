// The share of one run a process samples when the chains are spread over processes (src/distributed/): its chains'
// global indices, which address their random numbers and name their files, the pooled warmup's gather, and the name
// of its own checkpoint.
import { OptionError } from '../base/errors.ts';
import { rankStem } from '../io/checkpointFile.ts';
import type { GatherMoments } from './pooledWarmup.ts';

export interface ChainPart {
  /** Global index of this process's first chain: its chains are firstChain … firstChain + chains − 1. */
  readonly firstChain: number;
  /** Chains of the whole run (the CSV files' num_chains). */
  readonly totalChains: number;
  /** Pooled warmup: every chain's window moments, from every process, in global chain order. */
  readonly gatherMoments?: GatherMoments;
  /** This process's rank and the number of ranks: with more than one, its checkpoint is `<model>-rank<r>-…` (its own). */
  readonly rank?: number;
  readonly ranks?: number;
  /** Keep the checkpoint when the run completes (the caller removes it once every rank has its draws). */
  readonly keepCheckpoint?: boolean;
}

/** The checkpoint stem of a part: `<stem>-rank<r>` when the run has more than one rank, else `stem` itself. */
export function checkpointStemOf(stem: string, part: ChainPart | undefined): string {
  return part?.ranks !== undefined && part.ranks > 1 ? rankStem(stem, part.rank ?? 0) : stem;
}

/** Checks a part against this process's chain count; errors name what was wrong. */
export function checkChainPart(part: ChainPart, chains: number): void {
  const { firstChain, totalChains } = part;
  if (!Number.isInteger(firstChain) || firstChain < 0) throw new OptionError(`[sample] part.firstChain must be an integer >= 0, got ${String(firstChain)}`);
  if (!Number.isInteger(totalChains) || firstChain + chains > totalChains) {
    throw new OptionError(`[sample] part: chains ${firstChain}…${firstChain + chains - 1} do not fit in totalChains ${String(totalChains)}`);
  }
  const { rank, ranks } = part;
  if (ranks !== undefined && (!Number.isInteger(ranks) || ranks < 1)) throw new OptionError(`[sample] part.ranks must be an integer >= 1, got ${String(ranks)}`);
  if (rank !== undefined && (!Number.isInteger(rank) || rank < 0 || rank >= (ranks ?? 1))) throw new OptionError(`[sample] part.rank must be an integer in [0, ${(ranks ?? 1) - 1}], got ${String(rank)}`);
}
