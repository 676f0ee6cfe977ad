// The warnings and timing of a spread run summarised without its draws: each rank reduces its chains to a warning
// digest (src/fit/warnings.ts), the ranks exchange the digests (small JSON), and the merged digest with the summary
// rows gives the warnings one process would print for all the chains.
import type { SummaryRow } from '../diagnostics/summary.ts';
import type { FitData } from '../io/fitData.ts';
import { digestWarnings, warningDigest, type Warning, type WarningDigest } from '../fit/warnings.ts';
import { allGatherText } from './gather.ts';
import type { RankGroup } from './group.ts';

/** One digest for every rank's chains (in rank order, i.e. global chain order): counts added, per-chain lists joined. */
export function mergeDigests(parts: readonly WarningDigest[]): WarningDigest {
  const first = parts[0]!;
  let offset = 0;
  const offsets = parts.map((p) => ((offset += p.chains), offset - p.chains));
  return {
    ...first,
    draws: Math.min(...parts.map((p) => p.draws)), chains: offset, warmupDone: Math.max(...parts.map((p) => p.warmupDone)),
    divergent: parts.reduce((a, p) => a + p.divergent, 0), treedepth: parts.reduce((a, p) => a + p.treedepth, 0),
    ebfmi: parts.flatMap((p) => p.ebfmi), clampHits: parts.reduce((a, p) => a + p.clampHits, 0), complete: parts.every((p) => p.complete),
    nonFinite: first.nonFinite.map((v, i) => {
      const r = parts.findIndex((p) => p.nonFinite[i]!.first !== null); // the lowest rank holds the lowest chain
      const f = r >= 0 ? parts[r]!.nonFinite[i]!.first! : null;
      return { ...v, bad: parts.reduce((a, p) => a + p.nonFinite[i]!.bad, 0), first: f ? [f[0] + offsets[r]!, f[1], f[2]] as const : null };
    }),
  };
}

/** What rank 0 reports besides the rows: the warnings, the slowest rank's times, whether every rank completed. */
export interface SpreadReport {
  readonly warnings: Warning[];
  readonly timing: FitData['timing'];
  readonly complete: boolean;
  /** Divergent transitions among the draws summarised, every chain. */
  readonly divergent: number;
}

/** The warnings of every rank's first `draws` draws per chain with the summary `rows`, and the slowest rank's times. */
export async function gatherWarnings(g: RankGroup, d: FitData, draws: number, rows: readonly SummaryRow[]): Promise<SpreadReport> {
  const mine = warningDigest(d, draws);
  const text = JSON.stringify({ digest: { ...mine, ebfmi: mine.ebfmi.map(String) }, timing: d.timing });
  const all = (await allGatherText(g, text, 'summary: the warnings\' digests')).map((t) => JSON.parse(t) as { digest: WarningDigest & { ebfmi: string[] }; timing: FitData['timing'] });
  const digests = all.map((a) => ({ ...a.digest, ebfmi: a.digest.ebfmi.map(Number) }));
  const slowest = (k: keyof FitData['timing']) => Math.max(...all.map((a) => a.timing[k]));
  const merged = mergeDigests(digests);
  return {
    warnings: digestWarnings(merged, rows), complete: merged.complete, divergent: merged.divergent,
    timing: { warmupSeconds: slowest('warmupSeconds'), samplingSeconds: slowest('samplingSeconds'), compileSeconds: slowest('compileSeconds') },
  };
}
