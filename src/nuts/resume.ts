// Resuming a run from its checkpoint: which directory, what identifies the run, and the draws already on disk read back.
import { FileError, OptionError } from '../base/errors.ts';
import { resolve } from 'node:path';
import type { SamplerStat } from '../io/fitData.ts';
import { SAMPLER_STATS } from '../io/fitData.ts';
import { modelFingerprint } from '../model/fingerprint.ts';
import type { TracedModel } from '../model/traced.ts';
import { readStanCsv } from '../io/stanCsvRead.ts';
import { valueHash, type RunIdentity } from './checkpoint.ts';
import type { ChainPart } from './chainPart.ts';

/** The directory a run resumes from (null: a new run): `resume: true` uses `output`, `resume: dir` names it. */
export function resumeDir(resume: unknown, output: string | undefined): string | null {
  if (resume === undefined || resume === false) return null;
  if (resume === true) {
    if (output === undefined) throw new OptionError('[sample] resume: true needs output (the directory of the run to continue), or pass resume: <dir>');
    return output;
  }
  if (typeof resume !== 'string' || resume.trim() === '') throw new OptionError(`[sample] resume must be true, false or a directory, got ${JSON.stringify(resume)}`);
  if (output !== undefined && resolve(output) !== resolve(resume)) throw new OptionError(`[sample] resume names ${resume} but output is ${output}: a resumed run writes where it was started (give one of them)`);
  return resume;
}

/** The settings of a run that change its draws (the checkpoint keeps them; a resume must match them all). */
export interface IdentityOptions {
  readonly seed: number; readonly chains: number; readonly warmup: number; readonly draws: number; readonly thin: number;
  readonly saveWarmup: boolean; readonly targetAccept: number; readonly maxTreeDepth: number; readonly metric: string;
  readonly backend: string; readonly dtype: string; readonly device: string; readonly adaptation: string;
  /** Warmup's metric estimator and, for the gradient-based ones, its schedule ('k=v …'; '' for Stan's). */
  readonly metricAdaptation: string; readonly warmupSchedule: string;
  readonly init?: unknown; readonly warmStart?: unknown;
}

/** Options of sample() that do not change the draws (where output goes, how progress shows, when to checkpoint). */
const NOT_IDENTITY = new Set(['progress', 'signal', 'output', 'overwrite', 'resume', 'checkpoint', 'mlx', 'allowFallback']);

/**
 * The run's identity: the model's fingerprint, the resolved settings `o`, and every other option in `all` by name (a
 * value, or a hash of an object), so that options added later are checked too.
 */
export function runIdentity(traced: TracedModel, o: IdentityOptions, all: object = {}): RunIdentity {
  const { init, warmStart, ...plain } = o;
  const options: Record<string, string | number | boolean> = { ...plain, init: valueHash(init), warmStart: valueHash(warmStart) };
  for (const [k, v] of Object.entries(all)) {
    if (NOT_IDENTITY.has(k) || k in options || v === undefined || typeof v === 'function') continue;
    if (k === 'part') { // a process's share of a spread run: its place in the split, by name (errors say what differs)
      const p = v as ChainPart;
      Object.assign(options, { ranks: p.ranks ?? 1, firstChain: p.firstChain, totalChains: p.totalChains });
      continue;
    }
    options[k] = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : valueHash(v);
  }
  return { model: modelFingerprint(traced), options };
}

type Stats = Record<SamplerStat, Float64Array>;

/**
 * Reads the draws the chain files hold up to the checkpoint into the driver's arrays: `sampled` post-warmup kept draws
 * into values/stats and, with saveWarmup, `warmupKept` warmup draws into warmupValues. The files were cut back to the
 * checkpoint, so anything else in them is an error naming the file.
 */
export function readDrawsBack(paths: readonly string[], columns: readonly string[], sampled: number, warmupKept: number,
  values: Float64Array[][], stats: Stats[], warmupValues: Float64Array[][] | null): void {
  paths.forEach((p, k) => {
    const r = readStanCsv(p);
    const same = r.columns.length === columns.length && r.columns.every((c, j) => c === columns[j]);
    if (!same) throw new FileError(`[sample] resume: ${p} has the columns ${r.columns.slice(0, 6).join(', ')}…, the model ${columns.slice(0, 6).join(', ')}…`);
    const n = r.values[0]?.length ?? r.stats.lp__.length;
    if (n !== sampled) throw new FileError(`[sample] resume: ${p} holds ${n} draws up to the checkpoint, which says ${sampled}`);
    const w = r.warmup?.values[0]?.length ?? r.warmup?.stats.lp__.length ?? 0;
    if (warmupValues && w !== warmupKept) throw new FileError(`[sample] resume: ${p} holds ${w} warmup draws up to the checkpoint, which says ${warmupKept}`);
    columns.forEach((_, j) => {
      values[k]![j]!.set(r.values[j]!.subarray(0, sampled));
      if (warmupValues && r.warmup) warmupValues[k]![j]!.set(r.warmup.values[j]!.subarray(0, warmupKept));
    });
    for (const s of SAMPLER_STATS) stats[k]![s].set(r.stats[s].subarray(0, sampled));
  });
}
