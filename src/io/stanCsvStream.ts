// Streams one CmdStan-format CSV per chain while sampling runs: header first, draws as made, adaptation, then a footer.
import { FileError, OptionError } from '../base/errors.ts';
import { closeSync, existsSync, fsyncSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { ChainAdaptation, FitConfig, SamplerStat } from './fitData.ts';
import { checkOutput } from './outputCheck.ts';
import { adaptationLines, configLines, csvLayout, csvRow, INCOMPLETE_PREFIX, timingLines } from './stanCsvFormat.ts';

export interface StanCsvStreamOptions {
  readonly dir: string;
  readonly modelName: string;
  /** FitData's column names (0-based, row-major: 'theta[0]'), the order of `values` in draw(). */
  readonly columns: readonly string[];
  readonly config: FitConfig;
  readonly compileSeconds?: number;
  /** Replace existing chain files (default false: an existing file is an error, before anything is written). */
  readonly overwrite?: boolean;
  readonly fileStem?: string;
  /** Global index of the first chain (a process's share of a run spread over processes): names its files and ids. */
  readonly firstChain?: number;
  /** How many chains (files) this stream writes (default config.chains: all of them). */
  readonly chainCount?: number;
  /** Draws passed before adaptation() are warmup draws and are written (CmdStan's save_warmup); otherwise they are refused. */
  readonly saveWarmup?: boolean;
  /** Written as CmdStan's `thin`; the driver thins, the writer writes what it is given. */
  readonly thin?: number;
  /** Longest time a draw waits in the buffer (default 1000 ms). */
  readonly flushMs?: number;
  /** The function named in errors (default 'sample'). */
  readonly fn?: string;
}

export interface StanCsvStreamEnd {
  readonly warmupSeconds: number;
  readonly samplingSeconds: number;
  /** Per chain: draws that touched the log-transform clamp (written in the footer as `# clamp_hits = N`). */
  readonly clampHits?: readonly number[];
  /** False for a run stopped early: the footer then says `# INCOMPLETE: <reason>`. */
  readonly complete: boolean;
  readonly reason?: string;
}

/** Where each chain's file stands at a checkpoint: bytes on disk, adaptation written, post-warmup draws written. */
export interface StreamPosition {
  readonly offsets: readonly number[];
  readonly adapted: readonly boolean[];
  readonly draws: readonly number[];
}

const MAX_BUFFER = 1 << 20;

/**
 * One Stan CSV per chain, written as sampling proceeds. `open` checks the output (checkOutput) and writes every header
 * before the first gradient; `draw` appends a row to a buffer flushed at least every `flushMs` (a timer, plus a check
 * on each call) and whenever `flush` is called; `adaptation` writes CmdStan's `# Adaptation terminated` block; `close`
 * writes the timing footer, which is what marks a file complete: a file cut at any earlier moment reads with
 * readStanCsv up to its last whole line, with complete = false. A write error never throws out of draw, adaptation,
 * flush or close: the first one is kept in `error`, writing stops, and what was flushed stays readable.
 */
export class StanCsvStream {
  readonly paths: readonly string[];
  /** The first write error (null while all is well). */
  error: Error | null = null;
  private readonly fds: (number | null)[];
  private readonly buffers: string[][];
  private readonly sizes: number[];
  /** Bytes written to each file so far. */
  private readonly bytes: number[];
  private readonly adapted: boolean[];
  private readonly drawCounts: number[];
  private readonly order: readonly number[];
  private readonly fn: string;
  private readonly flushMs: number;
  private readonly saveWarmup: boolean;
  private lastFlush = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  private constructor(opts: StanCsvStreamOptions, paths: readonly string[], order: readonly number[], header: string, at?: StreamPosition) {
    this.fn = opts.fn ?? 'sample';
    this.paths = paths;
    this.order = order;
    this.saveWarmup = opts.saveWarmup === true;
    this.flushMs = opts.flushMs ?? 1000;
    const chains = paths.length;
    this.fds = new Array<number | null>(chains).fill(null);
    this.buffers = Array.from({ length: chains }, () => []);
    this.sizes = new Array<number>(chains).fill(0);
    this.adapted = new Array<boolean>(chains).fill(false);
    this.drawCounts = at ? [...at.draws] : new Array<number>(chains).fill(0);
    this.bytes = at ? [...at.offsets] : new Array<number>(chains).fill(0);
    if (at) at.adapted.forEach((a, c) => (this.adapted[c] = a));
    try {
      paths.forEach((p, c) => {
        if (at) {
          // resuming: what was written after the checkpoint goes, and the file continues from there
          const size = existsSync(p) ? statSync(p).size : -1;
          if (size < at.offsets[c]!) throw new FileError(`${p} ${size < 0 ? 'is missing' : `holds ${size} bytes`}, the checkpoint needs ${at.offsets[c]}`);
          truncateSync(p, at.offsets[c]!);
          this.fds[c] = openSync(p, 'a');
          return;
        }
        const fd = openSync(p, opts.overwrite ? 'w' : 'wx');
        this.fds[c] = fd;
        const lines = configLines({
          modelName: opts.modelName, config: opts.config, chain: c + (opts.firstChain ?? 0), metric: opts.config.metric, fileName: basename(p),
          compileSeconds: opts.compileSeconds ?? 0, saveWarmup: this.saveWarmup, thin: opts.thin,
        });
        this.bytes[c]! += writeSync(fd, [...lines, header].join('\n') + '\n');
      });
    } catch (e) {
      this.closeFds();
      throw new FileError(`[${this.fn}] output file could not be ${at ? 'reopened' : 'started'}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.timer = setInterval(() => this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Checks the output directory and writes every chain's header; throws (before any sampling) on any output problem. */
  static open(opts: StanCsvStreamOptions): StanCsvStream {
    const fn = opts.fn ?? 'sample';
    const { header, order } = csvLayout(fn, opts.columns);
    if (opts.flushMs !== undefined && !(opts.flushMs > 0)) throw new OptionError(`[${fn}] flushMs must be a positive number of milliseconds, got ${String(opts.flushMs)}`);
    const firstChain = opts.firstChain ?? 0;
    const chains = opts.chainCount ?? opts.config.chains;
    const plan = checkOutput(opts.dir, { fn, chains, firstChain, modelName: opts.modelName, fileStem: opts.fileStem, overwrite: opts.overwrite });
    return new StanCsvStream(opts, plan.paths, order, header);
  }

  /**
   * Reopens the files of an interrupted run at a checkpoint's position: each file is cut back to `at.offsets` (what
   * was written after the checkpoint goes) and continues from there; nothing is written now.
   */
  static resume(opts: StanCsvStreamOptions, at: StreamPosition): StanCsvStream {
    const fn = opts.fn ?? 'sample';
    const { header, order } = csvLayout(fn, opts.columns);
    const firstChain = opts.firstChain ?? 0;
    const plan = checkOutput(opts.dir, { fn, chains: opts.chainCount ?? opts.config.chains - firstChain, firstChain, modelName: opts.modelName, fileStem: opts.fileStem, overwrite: true });
    if (at.offsets.length !== plan.paths.length) throw new FileError(`[${fn}] resume: the checkpoint has ${at.offsets.length} chain files, the run ${plan.paths.length}`);
    return new StanCsvStream(opts, plan.paths, order, header, at);
  }

  /** Flushes and fsyncs every file and says where each stands (for a checkpoint); null after a write error. */
  position(): StreamPosition | null {
    this.flush();
    if (this.error !== null || this.closed) return null;
    for (const fd of this.fds) {
      try {
        if (fd !== null) fsyncSync(fd);
      } catch {
        /* a filesystem without fsync: the data is written all the same */
      }
    }
    return { offsets: [...this.bytes], adapted: [...this.adapted], draws: [...this.drawCounts] };
  }

  /** Draws written so far per chain (post-warmup rows only). */
  get draws(): readonly number[] {
    return this.drawCounts;
  }

  /**
   * Appends one draw of `chain`: `values` in FitData's column order, `stats` by Stan's names. Before adaptation() of
   * that chain the draw is a warmup draw (written only with saveWarmup; a contract error otherwise).
   */
  draw(chain: number, values: ArrayLike<number>, stats: Readonly<Record<SamplerStat, number>>): void {
    this.checkChain('draw', chain);
    if (values.length !== this.width) {
      throw new OptionError(`[StanCsvStream.draw] chain ${chain}: ${values.length} values, but the header has ${this.width} parameter columns`);
    }
    if (!this.adapted[chain] && !this.saveWarmup) {
      throw new OptionError(`[StanCsvStream.draw] chain ${chain}: a draw before adaptation() is a warmup draw; open the stream with saveWarmup: true to keep warmup draws`);
    }
    if (this.adapted[chain]) this.drawCounts[chain]!++;
    if (this.error !== null || this.closed) return;
    const row = csvRow((s) => stats[s], (j) => values[j]!, this.order);
    this.buffers[chain]!.push(row);
    this.sizes[chain]! += row.length + 1;
    if (this.sizes[chain]! > MAX_BUFFER || Date.now() - this.lastFlush >= this.flushMs) this.flush();
  }

  /** Writes CmdStan's adaptation block for `chain` (after warmup, before its first post-warmup draw) and flushes. */
  adaptation(chain: number, a: ChainAdaptation): void {
    this.checkChain('adaptation', chain);
    if (this.adapted[chain]) throw new OptionError(`[StanCsvStream.adaptation] chain ${chain}: the adaptation block was already written`);
    this.adapted[chain] = true;
    if (this.error !== null || this.closed) return;
    this.buffers[chain]!.push(...adaptationLines(a));
    this.flush();
  }

  /** Writes every buffered line now (call it at the end of each adaptation window, and before a checkpoint). */
  flush(): void {
    this.lastFlush = Date.now();
    if (this.error !== null || this.closed) return;
    for (let c = 0; c < this.fds.length; c++) {
      const buf = this.buffers[c]!;
      if (buf.length === 0) continue;
      if (!this.write(c, buf.join('\n') + '\n')) return;
      this.buffers[c] = [];
      this.sizes[c] = 0;
    }
  }

  /** Flushes, writes each file's footer (an `# INCOMPLETE:` line first when the run stopped early), syncs and closes. */
  close(end: StanCsvStreamEnd): void {
    if (this.closed) return;
    this.flush();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.error === null) {
      for (let c = 0; c < this.fds.length; c++) {
        const lines: string[] = [];
        if (!end.complete) lines.push(`${INCOMPLETE_PREFIX} ${end.reason ?? `sampling stopped after ${this.drawCounts[c]} draws`}`);
        lines.push(...timingLines(end.warmupSeconds, end.samplingSeconds));
        if (end.clampHits !== undefined) lines.push(`# clamp_hits = ${end.clampHits[c] ?? 0}`);
        if (!this.write(c, lines.join('\n') + '\n')) break;
        try {
          fsyncSync(this.fds[c]!);
        } catch {
          /* a filesystem without fsync (a pipe, some FUSE mounts): the data is written all the same */
        }
      }
    }
    this.closeFds();
    this.closed = true;
  }

  private get width(): number {
    return this.order.length;
  }

  private checkChain(fn: string, chain: number): void {
    if (!Number.isInteger(chain) || chain < 0 || chain >= this.fds.length) {
      throw new OptionError(`[StanCsvStream.${fn}] chain must be an integer in [0, ${this.fds.length - 1}], got ${String(chain)}`);
    }
    if (this.closed) throw new OptionError(`[StanCsvStream.${fn}] the stream is closed`);
  }

  private write(c: number, text: string): boolean {
    try {
      this.bytes[c]! += writeSync(this.fds[c]!, text);
      return true;
    } catch (e) {
      this.error = new FileError(`[${this.fn}] writing ${this.paths[c]} failed: ${e instanceof Error ? e.message : String(e)}; ` +
        'the draws in memory are kept, and the lines already on disk stay readable');
      return false;
    }
  }

  private closeFds(): void {
    this.fds.forEach((fd, c) => {
      if (fd === null) return;
      try {
        closeSync(fd);
      } catch {
        /* closing failed: nothing more to save */
      }
      this.fds[c] = null;
    });
  }
}
