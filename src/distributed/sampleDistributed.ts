// One rank of a run spread over processes: join MLX's group, sample this rank's contiguous share of the chains (global
// chain indices: the same draws as in one process), pool warmup across ranks if asked, then gather every rank's draws.
// With output, each rank keeps its own checkpoint until the gather; `resume` restarts every rank from its own.
import { OptionError } from '../base/errors.ts';
import type { Fit } from '../fit/fit.ts';
import type { Model } from '../model/model.ts';
import type { InitValues } from '../nuts/init.ts';
import { sample } from '../nuts/sample.ts';
import type { SampleOptions } from '../nuts/sampleOptions.ts';
import { gatherFits, gatherMoments } from './gather.ts';
import { DIST_BACKENDS, joinGroup, soloGroup, type DistBackend, type RankGroup } from './group.ts';
import { readHostfile, type Hostfile } from './hostfile.ts';
import { chainRange } from './split.ts';
import { agreeToResume, rankCheckpointFiles } from './rankResume.ts';
import { resumeDir } from '../nuts/resume.ts';
import { removeCheckpoint } from '../io/checkpointFile.ts';
import { gatherSummary, type SpreadSummary } from './summaryGather.ts';
import { gatherWarnings, type SpreadReport } from './spreadWarnings.ts';

export interface DistributedOptions {
  /** MLX's backend: 'ring' (TCP, always there), 'nccl' (CUDA builds), 'mpi' (under mpirun), 'any' (MLX's choice). */
  readonly backend?: DistBackend;
  /** The ring hostfile (JSON, one ["ip:port"] per rank); with 'nccl', rank 0's address becomes NCCL_HOST_IP/NCCL_PORT. */
  readonly hostfile?: string;
  /** This process's rank (default: the MLX_RANK environment variable). */
  readonly rank?: number;
  /** Longest wait for joining and for each exchange between ranks, in ms (default 300 000). */
  readonly timeoutMs?: number;
  /** Aborts joining and every exchange between ranks (sampling itself stops with the sample options' signal). */
  readonly signal?: AbortSignal;
  /** A group already joined (tests; a caller that joined itself). */
  readonly group?: RankGroup;
  /**
   * What the ranks exchange at the end: 'draws' (default; every rank gets the merged fit) or 'summary' (only what the
   * summary table and warnings need, src/distributed/summaryGather.ts: no merged fit; with fewer than 4 draws per
   * chain the draws are gathered all the same).
   */
  readonly gather?: 'draws' | 'summary';
}

/** The summary of every chain a 'summary' gather gives each rank, with the warnings and the slowest rank's times. */
export type SpreadResult = SpreadSummary & SpreadReport;

export interface DistributedResult {
  /** Every rank's chains, in global order (on every rank); null with gather 'summary'. */
  readonly fit: Fit | null;
  /** With gather 'summary': the rows, warnings and times of every chain; null otherwise. */
  readonly summary: SpreadResult | null;
  /** This rank's own chains. */
  readonly local: Fit;
  readonly rank: number;
  readonly size: number;
  readonly host: string;
  /** Global index of this rank's first chain, and its number of chains. */
  readonly first: number;
  readonly count: number;
}

export const DEFAULT_TIMEOUT_MS = 300_000;

/** Sets the variables MLX's backends read, from the options (what the environment already says is kept). */
function configure(o: DistributedOptions, backend: DistBackend): Hostfile | undefined {
  if (o.rank !== undefined) {
    if (!Number.isInteger(o.rank) || o.rank < 0) throw new OptionError(`[distributed] rank must be an integer >= 0, got ${String(o.rank)}`);
    process.env['MLX_RANK'] = String(o.rank);
  }
  const hosts = o.hostfile ? readHostfile(o.hostfile) : process.env['MLX_HOSTFILE'] ? readHostfile(process.env['MLX_HOSTFILE']) : undefined;
  if (o.hostfile) process.env['MLX_HOSTFILE'] = o.hostfile;
  const rank = Number(process.env['MLX_RANK'] ?? NaN);
  if (hosts && !(rank >= 0 && rank < hosts.length)) {
    throw new OptionError(`[distributed] the hostfile lists ${hosts.length} ranks, but this process's rank is ${process.env['MLX_RANK'] ?? 'not set (pass --rank or set MLX_RANK)'}`);
  }
  if (backend === 'nccl' && hosts) {
    const a = hosts[0]![0]!;
    process.env['NCCL_HOST_IP'] ??= a.slice(0, a.lastIndexOf(':'));
    process.env['NCCL_PORT'] ??= a.slice(a.lastIndexOf(':') + 1);
    process.env['MLX_WORLD_SIZE'] ??= String(hosts.length);
  }
  return hosts;
}

/** Samples this rank's chains of a run of `options.chains` chains spread over the group's ranks. */
export async function sampleDistributed(model: Model, draws: number,
  options: SampleOptions & { distributed?: DistributedOptions } = {}): Promise<DistributedResult> {
  const o = options.distributed ?? {};
  const backend = o.backend ?? 'any';
  if (!DIST_BACKENDS.includes(backend)) throw new OptionError(`[distributed] backend must be ${DIST_BACKENDS.map((b) => `'${b}'`).join(', ')}, got '${String(backend)}'`);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (o.gather !== undefined && o.gather !== 'draws' && o.gather !== 'summary') throw new OptionError(`[distributed] gather must be 'draws' or 'summary', got ${JSON.stringify(o.gather)}`);
  if (!(timeoutMs > 0)) throw new OptionError(`[distributed] timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  if (options.keep === 'summary') {
    throw new OptionError("[distributed] keep: 'summary' is for one process; a spread run keeps each rank's draws and exchanges only the summary with distributed: { gather: 'summary' }");
  }
  const total = options.chains ?? 4;
  if (Array.isArray(options.init) && options.init.length !== total) {
    throw new OptionError(`[distributed] init has ${options.init.length} entries but there are ${total} chains`);
  }
  let g = o.group;
  if (!g) {
    const hosts = configure(o, backend);
    // a group of one exchanges nothing (MLX's ring cannot form a ring of one)
    const one = hosts?.length === 1 || process.env['MLX_WORLD_SIZE'] === '1';
    g = one ? soloGroup() : await joinGroup({ backend, timeoutMs, signal: o.signal, hosts });
  }
  const group = g;
  const { first, count } = chainRange(total, group.size, group.rank);
  const init = Array.isArray(options.init) ? (options.init as readonly InitValues[]).slice(first, first + count) : options.init;
  const { distributed: _, ...rest } = options as SampleOptions & { distributed?: DistributedOptions };
  // each rank checkpoints as <model>-rank<r> and keeps it until every rank has the draws (a rank that finished first
  // must still be able to resume when another was killed); a resume starts only once every rank's checkpoint agrees
  const dir = resumeDir(options.resume, options.output);
  if (dir !== null && group.size > 1) await agreeToResume(group, dir, model.name, total);
  const local = await sample(model, draws, {
    ...rest, chains: count, init,
    ...(group.size > 1 ? { part: { firstChain: first, totalChains: total, rank: group.rank, ranks: group.size, keepCheckpoint: true, gatherMoments: (m) => gatherMoments(group, m) } } : {}),
  });
  const rows = o.gather === 'summary' ? await gatherSummary(group, local.data) : null;
  const summary = rows ? { ...rows, ...await gatherWarnings(group, local.data, rows.draws, rows.rows) } : null;
  const fit = summary ? null : await gatherFits(group, local);
  const out = options.output ?? dir ?? undefined;
  const complete = summary?.complete ?? fit!.complete;
  if (group.size > 1 && out !== undefined && complete && !local.extras.outputError) removeCheckpoint(rankCheckpointFiles(out, model.name, group.rank, group.size));
  return { fit, summary, local, rank: group.rank, size: group.size, host: group.host, first, count };
}
