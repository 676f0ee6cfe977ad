// A rank's handle on MLX's distributed group (native/src/distributed.cc): init and all_gather, each raced against a
// timeout and an abort signal, since MLX's ring collectives wait forever on a peer that hangs; errors name this rank,
// its host, the collective, and the ring neighbours that may have failed.
import { EngineError } from '../base/errors.ts';
import { loadNative, type NativeBinding } from '../backend/native.ts';
import { hostOf, type Hostfile } from './hostfile.ts';

export type DistBackend = 'ring' | 'nccl' | 'mpi' | 'any';
export const DIST_BACKENDS: readonly DistBackend[] = ['ring', 'nccl', 'mpi', 'any'];

interface NativeDistributed {
  isAvailable(backend: DistBackend): boolean;
  init(backend: DistBackend): Promise<{ rank: number; size: number; backend: string }>;
  allGather(bytes: Uint8Array): Promise<Uint8Array>;
  hardExit(code: number): never;
}

function native(): NativeDistributed {
  const n = (loadNative() as NativeBinding & { distributed?: NativeDistributed }).distributed;
  if (!n) throw new EngineError('[distributed] the native addon has no distributed binding: rebuild it with `npm run build:native`');
  return n;
}

/** A collective that did not complete: the rank stops, its files complete up to its last draw. */
export class RankError extends Error {
  constructor(message: string, readonly rank: number) {
    super(message);
    this.name = 'RankError';
  }
}

export interface RankGroup {
  readonly rank: number;
  readonly size: number;
  readonly backend: string;
  /** This rank's host, as the hostfile names it (or the machine's name). */
  readonly host: string;
  /** Every rank's bytes in rank order (all ranks pass the same length). */
  allGather(bytes: Uint8Array, what: string): Promise<Uint8Array>;
}

export interface JoinOptions {
  readonly backend: DistBackend;
  /** Longest wait for init and for each collective (ms). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The ring hostfile, when known: names the hosts in errors. */
  readonly hosts?: Hostfile;
}

/** Settles with `p`, or rejects after `ms` or when `signal` aborts, whichever comes first. */
function guarded<T>(p: Promise<T>, ms: number, signal: AbortSignal | undefined, fail: (why: string) => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(fail(`no answer within ${(ms / 1000).toFixed(0)} s (a rank died or hangs)`))), ms);
    const onAbort = () => finish(() => reject(fail('stopped by a signal')));
    signal?.addEventListener('abort', onAbort);
    let done = false;
    function finish(f: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    }
    if (signal?.aborted) onAbort();
    p.then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(fail(e instanceof Error ? e.message : String(e)))));
  });
}

/** Joins the group the environment describes (MLX_RANK + MLX_HOSTFILE for ring; NCCL_* for nccl; mpirun for mpi). */
export async function joinGroup(o: JoinOptions): Promise<RankGroup> {
  const n = native();
  const envRank = process.env['MLX_RANK'];
  const hostName = (r: number) => (o.hosts ? hostOf(o.hosts, r) : process.env['HOSTNAME'] ?? 'this host');
  const who = envRank !== undefined ? `rank ${envRank} (host ${hostName(Number(envRank))})` : 'this process';
  if (!n.isAvailable(o.backend)) throw new EngineError(`[distributed] ${who}: MLX backend '${o.backend}' is not available in this build`);
  const g = await guarded(n.init(o.backend), o.timeoutMs, o.signal,
    (why) => new RankError(`[distributed] ${who}: joining the '${o.backend}' group failed: ${why}`, Number(envRank ?? -1)));
  const host = hostName(g.rank);
  const neighbours = () => {
    if (!o.hosts || g.size < 2) return '';
    const l = (g.rank + g.size - 1) % g.size;
    const r = (g.rank + 1) % g.size;
    return `; its ring neighbours are rank ${l} (host ${hostOf(o.hosts, l)})${r !== l ? ` and rank ${r} (host ${hostOf(o.hosts, r)})` : ''}`;
  };
  return {
    rank: g.rank, size: g.size, backend: g.backend, host,
    allGather: (bytes, what) => guarded(n.allGather(bytes), o.timeoutMs, o.signal,
      (why) => new RankError(`[distributed] rank ${g.rank} (host ${host}): ${what} failed: ${why}${neighbours()}`, g.rank)),
  };
}

/** A group of one (the single-process run, and tests): the collectives return this rank's bytes. */
export function soloGroup(): RankGroup {
  return { rank: 0, size: 1, backend: 'none', host: 'localhost', allGather: async (b) => Uint8Array.from(b) };
}

/** Leaves at once with `code`, skipping destructors that would wait on a collective stuck on a dead peer. */
export function hardExit(code: number): never {
  return native().hardExit(code);
}
