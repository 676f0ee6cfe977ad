// Checkpoints of a sampling run: the driver's whole state, saved atomically beside the Stan CSVs, and checked on resume.
//
// Randomness is addressed by (seed, chain, iteration) (src/random/philox.ts), so a run continued from a checkpoint
// walks the uninterrupted run's path bit for bit: the record holds the iteration, every chain's position with its
// log density and gradient (exact bytes), the warmup state (whatever object the warmup code keeps, saved field by
// field: src/io/stateCodec.ts), where each CSV file stood, and what identifies the run (model graph and data hashes,
// every option that changes the draws). Warmup statistics go to an append-only log, so a record stays small.
import { FileError, OptionError } from '../base/errors.ts';
import { createHash } from 'node:crypto';
import type { SamplerStat } from '../io/fitData.ts';
import { SAMPLER_STATS } from '../io/fitData.ts';
import type { ModelFingerprint } from '../model/fingerprint.ts';
import { checkpointPaths, Float64Log, readRecord, removeCheckpoint, writeAtomic } from '../io/checkpointFile.ts';
import { decodeState, encodeState } from '../io/stateCodec.ts';
import type { StanCsvStream, StreamPosition } from '../io/stanCsvStream.ts';
import type { ChainsState } from '../kernel/seam.ts';

export const CHECKPOINT_FORMAT = 'mlx-nuts-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** When to checkpoint besides the fixed moments (start, each metric window's end, warmup's end, an abort). */
export interface CheckpointSchedule {
  /** After this many iterations since the last checkpoint (Infinity: never for this reason). */
  readonly iterations: number;
  /** After this many seconds since the last checkpoint. */
  readonly seconds: number;
}

/** Default: at most 10 s of work is lost to a crash (a record is a few kB plus the positions; it costs milliseconds). */
export const DEFAULT_CHECKPOINT: CheckpointSchedule = { iterations: Infinity, seconds: 10 };

/** The `checkpoint` option of sample(): true (the default schedule), false (none), or { iterations, seconds }. */
export type CheckpointOption = boolean | { readonly iterations?: number; readonly seconds?: number };

export function checkpointSchedule(opt: unknown): CheckpointSchedule | null {
  if (opt === undefined || opt === true) return DEFAULT_CHECKPOINT;
  if (opt === false) return null;
  if (opt === null || typeof opt !== 'object') throw new OptionError(`[sample] checkpoint must be true, false or { iterations, seconds }, got ${JSON.stringify(opt)}`);
  const o = opt as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'iterations' && k !== 'seconds') throw new OptionError(`[sample] checkpoint has no option '${k}' (only iterations and seconds)`);
  const it = o.iterations ?? Infinity;
  const sec = o.seconds ?? (o.iterations === undefined ? DEFAULT_CHECKPOINT.seconds : Infinity);
  if (!(typeof it === 'number' && (it === Infinity || (Number.isInteger(it) && it >= 1)))) throw new OptionError(`[sample] checkpoint.iterations must be a whole number ≥ 1, got ${JSON.stringify(it)}`);
  if (!(typeof sec === 'number' && sec > 0)) throw new OptionError(`[sample] checkpoint.seconds must be a positive number, got ${JSON.stringify(sec)}`);
  return { iterations: it, seconds: sec };
}

/** What a resumed run must share with the run that wrote the checkpoint. */
export interface RunIdentity {
  readonly model: ModelFingerprint;
  /** Every option that changes the draws, as plain values (hashes for inits and warm starts). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

/** A short hash of any state-like value (inits, a warm start), for RunIdentity.options. */
export function valueHash(v: unknown): string {
  return v === undefined ? 'none' : createHash('sha256').update(JSON.stringify(encodeState(v, 'value'))).digest('hex').slice(0, 16);
}

/** What differs between two identities, each as one phrase; [] when they agree. */
export function identityDifferences(saved: RunIdentity, now: RunIdentity): string[] {
  const out: string[] = [];
  if (saved.model.name !== now.model.name) out.push(`the model is '${now.model.name}', the checkpoint's '${saved.model.name}'`);
  if (saved.model.graph !== now.model.graph) out.push(`the model's graph differs (parameters, shapes or statements; hash ${now.model.graph} against ${saved.model.graph})`);
  if (saved.model.data !== now.model.data) out.push(`the model's data or constants differ (hash ${now.model.data} against ${saved.model.data})`);
  const keys = new Set([...Object.keys(saved.options), ...Object.keys(now.options)]);
  for (const k of keys) {
    const a = saved.options[k];
    const b = now.options[k];
    if (a !== b) out.push(`${k} is ${JSON.stringify(b ?? null)}, the checkpoint's ${JSON.stringify(a ?? null)}`);
  }
  return out;
}

/** The driver's state at a checkpoint. */
export interface Snapshot {
  /** Transitions done by every chain (0 … warmup + draws). */
  readonly iteration: number;
  readonly state: ChainsState;
  /** The warmup state object, saved field by field. */
  readonly warmup: unknown;
  /** Per chain, the warmup statistics (the first min(iteration, warmup) entries are logged). */
  readonly warmupStats: readonly Readonly<Record<SamplerStat, Float64Array>>[];
  readonly clampHits: readonly number[];
  readonly elapsed: { readonly warmupSeconds: number; readonly samplingSeconds: number };
}

/** A checkpoint read back for a resume (the warmup state decoded, to hydrate into a fresh one). */
export interface Restored extends Snapshot {
  readonly stream: StreamPosition;
  readonly engine: string;
  /** Iteration-major: iteration i, chain k, statistic s at (i·chains + k)·7 + s, for min(iteration, warmup) iterations. */
  readonly warmupStatsLog: Float64Array;
}

interface Record_ {
  format: string;
  version: number;
  identity: RunIdentity;
  engine: string;
  iteration: number;
  state: unknown;
  warmup: unknown;
  stream: StreamPosition;
  warmupStatsLogged: number;
  clampHits: number[];
  elapsed: { warmupSeconds: number; samplingSeconds: number };
}

const STATS = SAMPLER_STATS.length;

/** Writes a run's checkpoints into its output directory (`<stem>-checkpoint.json`, `<stem>-warmup-stats.f64`). */
export class Checkpointer {
  private lastIteration = -1;
  private lastTime = 0;
  private logged: number;
  private readonly log: Float64Log;
  engine = '';

  private constructor(readonly dir: string, private readonly paths: { record: string; log: string }, readonly identity: RunIdentity,
    readonly schedule: CheckpointSchedule, private readonly warmup: number, logKeep: number | null) {
    this.log = new Float64Log(paths.log, logKeep);
    this.logged = logKeep ?? 0;
  }

  /** A new run: its log starts empty (an older checkpoint there is replaced at the first save). */
  static begin(dir: string, stem: string, identity: RunIdentity, schedule: CheckpointSchedule, warmup: number): Checkpointer {
    return new Checkpointer(dir, checkpointPaths(dir, stem), identity, schedule, warmup, null);
  }

  /**
   * Reads the checkpoint of the run in `dir` and checks it belongs to this call; throws `[sample] resume: …` naming
   * every difference, or saying there is nothing to resume.
   */
  static load(dir: string, stem: string, identity: RunIdentity, warmup: number): { saved: Restored; recordPath: string } {
    const paths = checkpointPaths(dir, stem);
    const text = readRecord(paths.record);
    if (text === null) {
      throw new FileError(`[sample] resume: no checkpoint ${paths.record} (the run there finished, was started without output, or never reached its first checkpoint); start it again with { overwrite: true } (--overwrite)`);
    }
    let r: Record_;
    try {
      r = JSON.parse(text) as Record_;
    } catch (e) {
      throw new FileError(`[sample] resume: ${paths.record} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (r.format !== CHECKPOINT_FORMAT || r.version !== CHECKPOINT_VERSION) {
      throw new FileError(`[sample] resume: ${paths.record} is not a ${CHECKPOINT_FORMAT} record of version ${CHECKPOINT_VERSION} (format ${JSON.stringify(r.format)}, version ${JSON.stringify(r.version)})`);
    }
    const diffs = identityDifferences(r.identity, identity);
    if (diffs.length > 0) throw new OptionError(`[sample] resume: the run in ${dir} was made differently: ${diffs.join('; ')}. Resume with the same model, data and options, or start again with { overwrite: true } (--overwrite)`);
    const state = decodeState(r.state, 'state') as ChainsState;
    const chains = Number(identity.options.chains);
    const statsIters = Math.min(r.iteration, warmup);
    if (r.warmupStatsLogged < statsIters) throw new FileError(`[sample] resume: ${paths.record} logs ${r.warmupStatsLogged} warmup iterations, its iteration ${r.iteration} needs ${statsIters}`);
    return {
      recordPath: paths.record,
      saved: {
        iteration: r.iteration, state, warmup: decodeState(r.warmup, 'warmup'), warmupStats: [], clampHits: r.clampHits, elapsed: r.elapsed,
        stream: r.stream, engine: r.engine, warmupStatsLog: Float64Log.read(paths.log, statsIters * chains * STATS),
      },
    };
  }

  /** The writer for a resumed run: its log continues after the saved entries. */
  static continueFrom(dir: string, stem: string, identity: RunIdentity, schedule: CheckpointSchedule, warmup: number, saved: Restored): Checkpointer {
    const chains = Number(identity.options.chains);
    const cp = new Checkpointer(dir, checkpointPaths(dir, stem), identity, schedule, warmup, saved.warmupStatsLog.length);
    cp.logged = saved.warmupStatsLog.length / (chains * STATS);
    cp.lastIteration = saved.iteration;
    cp.lastTime = Date.now();
    return cp;
  }

  /** Whether the schedule asks for a checkpoint after `iteration` transitions. */
  due(iteration: number): boolean {
    return iteration - this.lastIteration >= this.schedule.iterations || Date.now() - this.lastTime >= this.schedule.seconds * 1000;
  }

  /**
   * Saves `s`: the stream flushed and synced, the warmup statistics appended to the log and synced, then the record
   * replaced atomically. Skipped (false) when the stream has failed, since its files no longer match the draws.
   */
  save(s: Snapshot, stream: StanCsvStream): boolean {
    const pos = stream.position();
    if (pos === null) return false;
    const chains = s.state.chains;
    const upTo = Math.min(s.iteration, this.warmup);
    if (upTo > this.logged) {
      const rows = new Float64Array((upTo - this.logged) * chains * STATS);
      for (let i = this.logged; i < upTo; i++) {
        for (let k = 0; k < chains; k++) {
          const o = ((i - this.logged) * chains + k) * STATS;
          SAMPLER_STATS.forEach((st, j) => (rows[o + j] = s.warmupStats[k]![st][i]!));
        }
      }
      this.log.append(rows);
      this.logged = upTo;
    }
    this.log.sync();
    const record: Record_ = {
      format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, identity: this.identity, engine: this.engine, iteration: s.iteration,
      state: encodeState({ chains: s.state.chains, dim: s.state.dim, q: s.state.q, logp: s.state.logp, grad: s.state.grad }, 'state'),
      warmup: encodeState(s.warmup, 'warmup'), stream: pos, warmupStatsLogged: this.logged, clampHits: [...s.clampHits],
      elapsed: { ...s.elapsed },
    };
    writeAtomic(this.paths.record, JSON.stringify(record));
    this.lastIteration = s.iteration;
    this.lastTime = Date.now();
    return true;
  }

  /** Closes the log; a finished run's checkpoint files are removed (an interrupted run keeps them for resume). */
  finish(complete: boolean): void {
    this.log.close();
    if (complete) removeCheckpoint(this.paths);
  }
}

/** Fills each chain's warmup statistics from a restored log (entries beyond it stay as they are). */
export function restoreWarmupStats(saved: Restored, warmupStats: readonly Record<SamplerStat, Float64Array>[]): void {
  const chains = warmupStats.length;
  const n = saved.warmupStatsLog.length / (chains * STATS);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < chains; k++) {
      const o = (i * chains + k) * STATS;
      SAMPLER_STATS.forEach((st, j) => (warmupStats[k]![st][i] = saved.warmupStatsLog[o + j]!));
    }
  }
}
