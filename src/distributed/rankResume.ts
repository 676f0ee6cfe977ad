// Resuming a run spread over ranks: each rank continues from its own checkpoint (`<model>-rank<r>-checkpoint.json`,
// src/nuts/chainPart.ts) once it is known that the checkpoints were written by a run split the same way (ranks, total
// chains, each rank's range) and that the ranks can continue together (with pooled warmup, no rank may have passed a
// metric window's exchange that another has not).
import { FileError, OptionError } from '../base/errors.ts';
import { POOLED_WINDOW_DEFAULTS } from '../base/defaults.ts';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointPaths, isRankCheckpointRecord, readRecord } from '../io/checkpointFile.ts';
import { fileStemOf } from '../io/stanCsvFormat.ts';
import { checkpointStemOf } from '../nuts/chainPart.ts';
import { windowSchedule } from '../nuts/windows.ts';
import { allGatherF64 } from './gather.ts';
import type { RankGroup } from './group.ts';
import { chainRange } from './split.ts';

/** What a rank's checkpoint says about its place in the run and how far it got. */
export interface RankCheckpoint {
  readonly path: string;
  readonly ranks: number;
  readonly firstChain: number;
  readonly chains: number;
  readonly totalChains: number;
  readonly iteration: number;
  readonly warmup: number;
  /** The warmup pooled the chains' moments (it exchanged them at each metric window's end). */
  readonly pooled: boolean;
}

const chainsText = (first: number, count: number) => `chains ${first + 1}–${first + count}`;

/** The checkpoint files of rank `rank` of `ranks` (one rank: the single-process names) in `dir`. */
export function rankCheckpointFiles(dir: string, modelName: string, rank: number, ranks: number): { record: string; log: string } {
  return checkpointPaths(dir, checkpointStemOf(fileStemOf('sample', modelName), { firstChain: 0, totalChains: 0, rank, ranks }));
}

/** The checkpoint record of rank `rank` of `ranks` in `dir`. */
export function rankCheckpointPath(dir: string, modelName: string, rank: number, ranks: number): string {
  return rankCheckpointFiles(dir, modelName, rank, ranks).record;
}

/** Reads a checkpoint record's split and iteration; null when there is no record. */
export function readRankCheckpoint(path: string): RankCheckpoint | null {
  const text = readRecord(path);
  if (text === null) return null;
  let r: { identity?: { options?: Record<string, unknown> }; iteration?: unknown; warmup?: { pooled?: unknown } };
  try {
    r = JSON.parse(text) as typeof r;
  } catch (e) {
    throw new FileError(`[distributed] resume: ${path} is not valid JSON (${(e as Error).message})`);
  }
  const o = r.identity?.options ?? {};
  const chains = Number(o['chains']);
  return {
    path, ranks: Number(o['ranks'] ?? 1), firstChain: Number(o['firstChain'] ?? 0), chains, totalChains: Number(o['totalChains'] ?? chains),
    iteration: Number(r.iteration), warmup: Number(o['warmup']), pooled: r.warmup?.pooled === true,
  };
}

/**
 * Checks that rank `rank` of `size` can resume a run of `total` chains from `dir`: its checkpoint exists and was
 * written by the same split. Throws an error naming what differs (the ranks, the chains, each range), or, when this
 * rank's checkpoint is missing, what the directory holds instead (a single-process run's checkpoint, other ranks').
 */
export function checkRankCheckpoint(dir: string, modelName: string, total: number, size: number, rank: number): RankCheckpoint {
  const { first, count } = chainRange(total, size, rank);
  const path = rankCheckpointPath(dir, modelName, rank, size);
  const cp = readRankCheckpoint(path);
  const asked = `this resume spreads ${total} chains over ${size} rank${size > 1 ? 's' : ''} (rank ${rank}: ${chainsText(first, count)})`;
  if (cp === null) {
    const stem = fileStemOf('sample', modelName);
    const single = rankCheckpointPath(dir, modelName, 0, 1);
    const others = existsSync(dir) ? readdirSync(dir).filter((f) => isRankCheckpointRecord(f, stem)) : [];
    const other = others.map((f) => readRankCheckpoint(join(dir, f))).find((c) => c !== null);
    if (size > 1 && existsSync(single)) {
      throw new OptionError(`[distributed] resume: the run in ${dir} ran in one process (its checkpoint is ${single}); ${asked}. Resume it in one process (without --processes or --hostfile)`);
    }
    if (other && other.ranks !== size) {
      throw new OptionError(`[distributed] resume: the run in ${dir} was spread over ${other.ranks} ranks (${other.path}: ${chainsText(other.firstChain, other.chains)} of ${other.totalChains}); ${asked}. Resume it with the same number of ranks`);
    }
    throw new FileError(`[distributed] resume: rank ${rank} has no checkpoint ${path} (the run there finished, was started without output, or never reached its first checkpoint); start it again with --overwrite`);
  }
  if (cp.ranks !== size || cp.totalChains !== total || cp.firstChain !== first || cp.chains !== count) {
    throw new OptionError(`[distributed] resume: the run in ${dir} was spread over ${cp.ranks} rank${cp.ranks > 1 ? 's' : ''} with ${cp.totalChains} chains ` +
      `(rank ${rank}: ${chainsText(cp.firstChain, cp.chains)}); ${asked}. Resume with the same chains and number of ranks`);
  }
  return cp;
}

/** Metric windows whose exchange a checkpoint at `iteration` has passed (the gather after window end W is done iff iteration > W). */
function windowsPassed(cp: RankCheckpoint): number {
  // only pooled runs exchange at window ends, on pooled warmup's schedule
  return windowSchedule(cp.warmup, POOLED_WINDOW_DEFAULTS).windowEnds.filter((w) => w < cp.iteration).length;
}

/**
 * Every rank checks its own checkpoint, then the ranks compare: any rank that cannot resume stops all of them (its
 * own error says why; the others name it), and with pooled warmup the checkpoints must lie between the same two
 * window exchanges (a rank killed between an exchange and its next checkpoint leaves them apart).
 */
export async function agreeToResume(g: RankGroup, dir: string, modelName: string, total: number): Promise<RankCheckpoint> {
  let mine: RankCheckpoint | null = null;
  let error: unknown = null;
  try {
    mine = checkRankCheckpoint(dir, modelName, total, g.size, g.rank);
  } catch (e) {
    error = e;
  }
  const row = mine ? Float64Array.of(1, mine.iteration, windowsPassed(mine), mine.pooled ? 1 : 0) : Float64Array.of(0, 0, 0, 0);
  const rows = await allGatherF64(g, row, 'resume: comparing the ranks\' checkpoints');
  if (error !== null) throw error;
  const failed = rows.findIndex((r) => r[0] !== 1);
  if (failed >= 0) throw new OptionError(`[distributed] resume: rank ${failed} cannot resume from its checkpoint (its error says why); rank ${g.rank} stops too`);
  if (rows.some((r) => r[3] === 1) && new Set(rows.map((r) => r[2])).size > 1) {
    const at = rows.map((r, k) => `rank ${k} at iteration ${r[1]} (after ${r[2]} window exchanges)`).join(', ');
    throw new OptionError(`[distributed] resume: the ranks' checkpoints lie on different sides of a pooled warmup window's exchange (${at}): they cannot continue together; start the run again with --overwrite`);
  }
  return mine!;
}
