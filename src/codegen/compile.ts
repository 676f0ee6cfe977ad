// Compiles generated C++ with the system compiler into a per-user cache of shared libraries, safely:
// the cache is a 0700 directory owned by the user, names are the source's hash, writes are atomic renames, and a
// library is loaded only if it and its recorded source pass the ownership, permission and hash checks.
import { EngineError, FileError } from '../base/errors.ts';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Flags of every build: no floating-point contraction, so float64 results match the TypeScript oracle's rounding. */
export const CXX_FLAGS = ['-O3', '-std=c++17', '-shared', '-fPIC', '-ffp-contract=off', '-fno-math-errno', '-w'];

/** The C++ compiler is missing or failed: an EngineError (sample() may fall back to MLX). */
export class CompilerError extends EngineError {}

export function compilerCommand(): string {
  return process.env['CXX'] || 'g++';
}

const versionCache = new Map<string, string>();

/** The compiler's identity (part of the cache key); a clear error when there is none. */
export function compilerVersion(): string {
  const cxx = compilerCommand();
  const known = versionCache.get(cxx);
  if (known) return known;
  try {
    versionCache.set(cxx, `${cxx} ${execFileSync(cxx, ['-dumpfullversion', '-dumpversion'], { encoding: 'utf8' }).trim()}`);
  } catch (e) {
    throw new CompilerError(`[fused] the fused engine compiles each model with a C++ compiler, and '${cxx}' could not be run ` +
      `(${(e as Error).message.split('\n')[0]}). Install g++ (Debian/Ubuntu: apt install g++), point CXX at a compiler, ` +
      "or sample with backend: 'mlx'.");
  }
  return versionCache.get(cxx)!;
}

/** The per-user cache folder: MLX_NUTS_CACHE, else $XDG_CACHE_HOME/mlx-nuts/fused, else ~/.cache/mlx-nuts/fused. */
export function cacheDir(): string {
  const base = process.env['MLX_NUTS_CACHE'] ||
    join(process.env['XDG_CACHE_HOME'] || join(homedir() || tmpdir(), '.cache'), 'mlx-nuts', 'fused');
  if (!existsSync(base)) mkdirSync(base, { recursive: true, mode: 0o700 });
  checkPrivate(base, 'directory');
  return base;
}

function checkPrivate(path: string, what: string): void {
  const st = statSync(path);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new FileError(`[fused] the cache ${what} ${path} belongs to another user (uid ${st.uid}); set MLX_NUTS_CACHE to a folder of your own`);
  }
  const bad = what === 'directory' ? 0o077 : 0o022;
  if ((st.mode & bad) !== 0) {
    if (what === 'directory' && uid !== undefined && st.uid === uid) {
      chmodSync(path, 0o700);
      return;
    }
    throw new FileError(`[fused] the cache ${what} ${path} is writable by others (mode ${(st.mode & 0o777).toString(8)}); refusing to load code from it`);
  }
}

export function sourceKey(source: string): string {
  return createHash('sha256').update(compilerVersion()).update('\0').update(CXX_FLAGS.join(' ')).update('\0').update(source).digest('hex').slice(0, 32);
}

/** Path of an existing, verified library for `source`, or null. */
function cached(dir: string, key: string, source: string): string | null {
  const so = join(dir, `${key}.so`);
  const cc = join(dir, `${key}.cc`);
  if (!existsSync(so) || !existsSync(cc)) return null;
  checkPrivate(so, 'library');
  checkPrivate(cc, 'source');
  if (readFileSync(cc, 'utf8') !== source) throw new FileError(`[fused] ${cc} does not hold the source its name promises; delete ${dir} and retry`);
  return so;
}

export interface Compiled {
  readonly path: string;
  /** Seconds spent compiling (0 when the library came from the cache). */
  readonly seconds: number;
  readonly key: string;
}

function stage(dir: string, key: string, source: string) {
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const cc = join(dir, `${key}.${tag}.cc`);
  const so = join(dir, `${key}.${tag}.so`);
  writeFileSync(cc, source, { mode: 0o600 });
  return { cc, so, args: [...CXX_FLAGS, '-o', so, cc] };
}

function publish(dir: string, key: string, st: { cc: string; so: string }): string {
  chmodSync(st.so, 0o700);
  renameSync(st.so, join(dir, `${key}.so`)); // the library first: a reader needs both, and checks the source
  renameSync(st.cc, join(dir, `${key}.cc`));
  return join(dir, `${key}.so`);
}

function failure(e: unknown, st: { cc: string; so: string }): never {
  rmSync(st.so, { force: true });
  const stderr = (e as { stderr?: string }).stderr ?? '';
  const msg = `[fused] compiling the generated model failed (${compilerCommand()}): ${String(stderr).split('\n').slice(0, 12).join('\n') || (e as Error).message}` +
    `\nThe source is kept at ${st.cc}. This is a bug in mlx-nuts' code generation: please report it; backend: 'mlx' avoids it.`;
  throw new CompilerError(msg);
}

/** Compiles in flight in this process, by key (two requests for one source share one compiler run). */
const inFlight = new Map<string, Promise<Compiled>>();
/** At most this many compilers run at once from this process (one per core). */
const slots = { free: availableParallelism(), waiting: [] as (() => void)[] };

async function acquire(): Promise<void> {
  if (slots.free > 0) {
    slots.free--;
    return;
  }
  await new Promise<void>((r) => slots.waiting.push(r));
}

function release(): void {
  const next = slots.waiting.shift();
  if (next) next();
  else slots.free++;
}

/** Compiles (or finds in the cache) the library of `source` without blocking the event loop. */
export async function compileLibrary(source: string): Promise<Compiled> {
  const dir = cacheDir();
  const key = sourceKey(source);
  const hit = cached(dir, key, source);
  if (hit) return { path: hit, seconds: 0, key };
  const running = inFlight.get(key);
  if (running) return running;
  const job = (async () => {
    await acquire();
    try {
      const again = cached(dir, key, source);
      if (again) return { path: again, seconds: 0, key };
      const t0 = performance.now();
      const st = stage(dir, key, source);
      try {
        await promisify(execFile)(compilerCommand(), st.args, { maxBuffer: 1 << 24 });
      } catch (e) {
        failure(e, st);
      }
      return { path: publish(dir, key, st), seconds: (performance.now() - t0) / 1000, key };
    } finally {
      release();
      inFlight.delete(key);
    }
  })();
  inFlight.set(key, job);
  return job;
}

/** The same, blocking (for logDensitySync). */
export function compileLibrarySync(source: string): Compiled {
  const dir = cacheDir();
  const key = sourceKey(source);
  const hit = cached(dir, key, source);
  if (hit) return { path: hit, seconds: 0, key };
  const t0 = performance.now();
  const st = stage(dir, key, source);
  try {
    execFileSync(compilerCommand(), st.args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  } catch (e) {
    failure(e, st);
  }
  return { path: publish(dir, key, st), seconds: (performance.now() - t0) / 1000, key };
}
