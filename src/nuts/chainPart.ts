// The share of one run a process samples when the chains are spread over processes (src/distributed/): its chains'
// global indices, which address their random numbers and name their files, and the pooled warmup's gather.
import { OptionError } from '../base/errors.ts';
import type { GatherMoments } from './pooledWarmup.ts';

export interface ChainPart {
  /** Global index of this process's first chain: its chains are firstChain … firstChain + chains − 1. */
  readonly firstChain: number;
  /** Chains of the whole run (the CSV files' num_chains). */
  readonly totalChains: number;
  /** Pooled warmup: every chain's window moments, from every process, in global chain order. */
  readonly gatherMoments?: GatherMoments;
}

/** Checks a part against this process's chain count; errors name what was wrong. */
export function checkChainPart(part: ChainPart, chains: number): void {
  const { firstChain, totalChains } = part;
  if (!Number.isInteger(firstChain) || firstChain < 0) throw new OptionError(`[sample] part.firstChain must be an integer >= 0, got ${String(firstChain)}`);
  if (!Number.isInteger(totalChains) || firstChain + chains > totalChains) {
    throw new OptionError(`[sample] part: chains ${firstChain}…${firstChain + chains - 1} do not fit in totalChains ${String(totalChains)}`);
  }
}
