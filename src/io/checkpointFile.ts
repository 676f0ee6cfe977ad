// The files of a checkpoint beside a run's Stan CSVs: an atomically replaced JSON record and an append-only binary log.
import { FileError, OptionError } from '../base/errors.ts';
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkpoint stem of rank r of a run spread over several processes: `<stem>-rank<r>` (each rank its own files). */
export function rankStem(stem: string, rank: number): string {
  return `${stem}-rank${rank}`;
}

/** Whether a file name is the checkpoint record of some rank of the run `stem` (`<stem>-rank<r>-checkpoint.json`). */
export function isRankCheckpointRecord(name: string, stem: string): boolean {
  return name.startsWith(stem) && /^-rank\d+-checkpoint\.json$/.test(name.slice(stem.length));
}

/** `<stem>-checkpoint.json` and `<stem>-warmup-stats.f64` in the output directory. */
export function checkpointPaths(dir: string, stem: string): { record: string; log: string } {
  return { record: join(dir, `${stem}-checkpoint.json`), log: join(dir, `${stem}-warmup-stats.f64`) };
}

function syncFd(fd: number): void {
  try {
    fsyncSync(fd);
  } catch {
    /* a filesystem without fsync: the data is written all the same */
  }
}

/** fsync of a file (or directory) by path: what it holds is on disk before anything that depends on it is written. */
export function syncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    syncFd(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with `text` atomically: written to `<path>.tmp-<pid>`, fsynced, renamed over `path`, and the
 * directory fsynced, so a reader (or a crash at any moment) sees the old record or the new one, never a mix.
 */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    syncFd(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncPath(dirname(path));
}

/** The record's text, or null when there is none. */
export function readRecord(path: string): string | null {
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8');
}

/**
 * An append-only file of float64 values (little-endian, as the machine writes them): `append` adds values, `sync`
 * fsyncs, `length` counts the values on disk. Opened at a given length, anything after it (written after the last
 * checkpoint) is cut off first.
 */
export class Float64Log {
  private fd: number | null;
  private count: number;

  constructor(readonly path: string, keep: number | null) {
    if (keep === null) {
      this.fd = openSync(path, 'w');
      this.count = 0;
      return;
    }
    const size = existsSync(path) ? statSync(path).size : -1;
    if (size < keep * 8) throw new FileError(`[sample] resume: ${path} holds ${Math.max(size, 0)} bytes, the checkpoint needs ${keep * 8}`);
    truncateSync(path, keep * 8);
    this.fd = openSync(path, 'a');
    this.count = keep;
  }

  get length(): number {
    return this.count;
  }

  append(values: Float64Array): void {
    if (this.fd === null) throw new OptionError(`[Float64Log] ${this.path} is closed`);
    writeSync(this.fd, values, 0, values.byteLength);
    this.count += values.length;
  }

  sync(): void {
    if (this.fd !== null) syncFd(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** The first `n` values of the log at `path`. */
  static read(path: string, n: number): Float64Array {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < n * 8) throw new FileError(`[sample] resume: ${path} holds ${size} bytes, the checkpoint needs ${n * 8}`);
      const out = new Float64Array(n);
      const bytes = new Uint8Array(out.buffer);
      let off = 0;
      while (off < bytes.length) {
        const r = readSync(fd, bytes, off, bytes.length - off, off);
        if (r === 0) break;
        off += r;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }
}

/** Removes the checkpoint files (after a run that finished). */
export function removeCheckpoint(paths: { record: string; log: string }): void {
  for (const p of [paths.record, paths.log]) {
    try {
      unlinkSync(p);
    } catch {
      /* already gone */
    }
  }
}
