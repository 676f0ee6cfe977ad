// Checks an output directory before any sampling: creatable, writable (a probe file), no file in the way, no silent overwrite.
import { FileError } from '../base/errors.ts';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { chainFileName, fileStemOf } from './stanCsvFormat.ts';
import { checkpointPaths, isRankCheckpointRecord } from './checkpointFile.ts';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface OutputCheckOptions {
  /** Replace existing chain files (default false: an existing file is an error). */
  readonly overwrite?: boolean;
  /** Number of chains: one file `<stem>-<chain + 1>.csv` each. */
  readonly chains: number;
  /** Global index of the first chain (default 0): files `<stem>-<firstChain + 1>.csv` onwards. */
  readonly firstChain?: number;
  /** The model's name, the default file stem. */
  readonly modelName: string;
  /** A file stem instead of the model's name. */
  readonly fileStem?: string;
  /** The function named in errors (default 'sample'). */
  readonly fn?: string;
}

export interface OutputPlan {
  /** The directory, absolute. */
  readonly dir: string;
  /** One path per chain, absolute. */
  readonly paths: readonly string[];
  /** Files among `paths` that exist now and will be replaced (only with overwrite). */
  readonly replaced: readonly string[];
  /** Directories this check created (deepest last). */
  readonly created: readonly string[];
}

/** Kernel and device filesystems: a directory tree there is not storage, and recursive mkdir can loop in /proc. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

function specialRoot(abs: string): string | null {
  return SPECIAL_ROOTS.find((r) => abs === r || abs.startsWith(r + sep)) ?? null;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The nearest existing ancestor of `abs` (itself when it exists) and the missing levels below it, top first. */
function existingAncestor(abs: string): { base: string; missing: string[] } {
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    let exists = false;
    try {
      lstatSync(p);
      exists = true;
    } catch {
      exists = false;
    }
    if (exists) return { base: p, missing };
    const up = dirname(p);
    if (up === p) return { base: p, missing };
    missing.unshift(p);
    p = up;
  }
}

/**
 * Makes sure `dir` is a directory this process can write: creates missing levels one at a time below the first
 * existing ancestor (never a recursive mkdir), refuses /proc, /sys and /dev (also through symbolic links), and
 * writes and removes a probe file. Errors start with `[fn] output directory` and name the path; on error the
 * directories it created are removed again.
 */
export function prepareDirectory(dir: string, fn = 'sample'): { dir: string; created: string[] } {
  const fail = (message: string): never => {
    throw new FileError(`[${fn}] output ${message}`);
  };
  if (typeof dir !== 'string' || dir.trim().length === 0) fail(`directory must be a non-empty path, got ${JSON.stringify(dir)}`);
  const abs = resolve(dir);
  const special = specialRoot(abs);
  if (special !== null) fail(`directory ${abs} is under ${special}, a kernel filesystem, not storage: choose a directory on disk`);

  const { base, missing } = existingAncestor(abs);
  let baseReal = base;
  try {
    baseReal = realpathSync(base);
  } catch (e) {
    fail(`directory ${abs} cannot be used: ${base} cannot be resolved (${reason(e)})`);
  }
  const specialReal = specialRoot(baseReal);
  if (specialReal !== null) fail(`directory ${abs} leads into ${specialReal} (${base} is ${baseReal}), a kernel filesystem: choose a directory on disk`);
  if (!statSync(baseReal).isDirectory()) {
    fail(missing.length === 0 ? `directory ${abs} exists and is not a directory` : `directory ${abs} cannot be created: ${base} is a file, not a directory`);
  }

  const created: string[] = [];
  try {
    for (const d of missing) {
      try {
        mkdirSync(d);
      } catch (e) {
        // created meanwhile by another process (the other ranks of a spread run check the same directory at once)
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(d)) continue;
        fail(`directory ${abs} cannot be created: mkdir ${d} failed (${reason(e)})`);
      }
      created.push(d);
    }
    const probe = join(abs, `.mlx-nuts-probe-${process.pid}-${Date.now()}`);
    try {
      const fd = openSync(probe, 'wx');
      try {
        writeSync(fd, 'probe\n');
      } finally {
        closeSync(fd);
      }
      unlinkSync(probe);
    } catch (e) {
      fail(`directory ${abs} is not writable: a probe file could not be written and removed (${reason(e)})`);
    }
  } catch (e) {
    removeCreated(created);
    throw e;
  }
  return { dir: abs, created };
}

function removeCreated(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      /* not empty or gone: leave it */
    }
  }
}

/**
 * Validates `dir` for writing one Stan CSV per chain and returns the plan: prepareDirectory, then no directory where
 * a chain file goes and, without `overwrite`, no existing chain file (or leftover `.partial`). Errors start with
 * `[fn] output` and name the path.
 */
export function checkOutput(dir: string, opts: OutputCheckOptions): OutputPlan {
  const fn = opts.fn ?? 'sample';
  const fail = (message: string): never => {
    throw new FileError(`[${fn}] output ${message}`);
  };
  if (!Number.isInteger(opts.chains) || opts.chains < 1) fail(`needs a positive whole number of chains, got ${String(opts.chains)}`);
  const stem = fileStemOf(fn, opts.modelName, opts.fileStem);
  const { dir: abs, created } = prepareDirectory(dir, fn);
  try {
    const paths = Array.from({ length: opts.chains }, (_, c) => join(abs, chainFileName(stem, (opts.firstChain ?? 0) + c)));
    const replaced: string[] = [];
    const blocked: string[] = [];
    for (const p of paths) {
      for (const target of [p, `${p}.partial`]) {
        if (!existsSync(target)) continue;
        if (statSync(target).isDirectory()) fail(`file ${target} is a directory; nothing was written`);
        if (target === p) replaced.push(p);
        else blocked.push(target);
      }
    }
    const conflicts = [...replaced, ...blocked];
    if (!opts.overwrite && conflicts.length > 0) {
      const list = conflicts.length === 1 ? `file ${conflicts[0]} already exists` : `files ${conflicts.join(', ')} already exist`;
      // an interrupted run left its checkpoint there (src/nuts/checkpoint.ts): it can be continued instead
      const resumable = existsSync(checkpointPaths(abs, stem).record) || readdirSync(abs).some((f) => isRankCheckpointRecord(f, stem))
        ? `, or { resume: true } (--resume ${abs}) to continue the interrupted run whose checkpoint is there` : '';
      fail(`${list}; pass { overwrite: true } (on the command line --overwrite) to replace ${conflicts.length === 1 ? 'it' : 'them'}${resumable} (nothing was written)`);
    }
    return { dir: abs, paths, replaced, created };
  } catch (e) {
    removeCreated(created);
    throw e;
  }
}
