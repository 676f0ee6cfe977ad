// Runs a peer sampler (Stan through rstan, NumPyro) on a benchmark model in a child process; never throws.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerConfig, PeerError, PeerName, PeerResult } from './types.ts';

export type { PeerConfig, PeerError, PeerName, PeerResult } from './types.ts';
export { isPeerError, PEERS } from './types.ts';

/** Repository root (this file is bench/peers/index.ts). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const R_LIB = join(ROOT, '.cache', 'R-lib');
const VENV_PYTHON = join(ROOT, '.cache', 'numpyro-venv', 'bin', 'python');
/** Stan's clock() as a wall clock (bench/peers/wallclock.c, built by setup-stan.sh); stan.R preloads it itself otherwise. */
const STAN_WALLCLOCK = join(ROOT, '.cache', 'stan-wallclock.so');

/**
 * The flags that give a peer as many cores as mlx-nuts may use for `chains` chains: min(chains, cores), with
 * `cores` the CPUs this process may run on. Stan: rstan's `cores` (chains in forked processes); NumPyro:
 * chain_method='parallel' (jax.pmap over as many host devices as chains). One chain: no flags (sequential).
 */
export function parallelPeerArgs(peer: PeerName, chains: number, cores = availableParallelism()): string[] {
  const n = Math.max(1, Math.min(chains, cores));
  if (n === 1) return [];
  return peer === 'stan' ? [`--cores=${n}`] : ['--chain-method=parallel', `--cores=${n}`];
}

export interface RunPeerOptions {
  /** Where the peer writes its JSON (default: a fresh folder under the OS temp dir). */
  readonly outDir?: string;
  /** Limit for one sampling run (default 30 min); setup has its own (default 20 min). */
  readonly timeoutMs?: number;
  readonly setupTimeoutMs?: number;
  /** Extra command-line flags for the script, e.g. ['--cores=4'] (stan.R) or ['--chain-method=vectorized'] (numpyro.py); see parallelPeerArgs. */
  readonly extraArgs?: readonly string[];
  /** Receives the scripts' progress lines (stderr); default: dropped. */
  readonly log?: (line: string) => void;
}

interface Exec {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError?: string;
  readonly timedOut: boolean;
}

const KEEP = 20_000; // characters of output kept for error messages

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, log?: (l: string) => void): Promise<Exec> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const done = (e: Exec): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(e);
      }
    };
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    const onData = (which: 'out' | 'err') => (chunk: Buffer): void => {
      const s = chunk.toString('utf8');
      if (which === 'out') stdout = (stdout + s).slice(-KEEP);
      else stderr = (stderr + s).slice(-KEEP);
      if (log) for (const line of s.split('\n')) if (line.trim() !== '') log(line);
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    child.on('error', (err) => done({ code: null, signal: null, stdout, stderr, spawnError: err.message, timedOut }));
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr, timedOut }));
  });
}

/** The last few non-empty lines of a process's output, for an error message. */
function tail(e: Exec, n = 6): string {
  const lines = `${e.stderr}\n${e.stdout}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.slice(-n).join(' | ');
}

function failure(what: string, e: Exec, timeoutMs: number): string | undefined {
  if (e.spawnError !== undefined) return `${what}: cannot start (${e.spawnError})`;
  if (e.timedOut) return `${what}: timed out after ${Math.round(timeoutMs / 1000)} s; ${tail(e)}`;
  if (e.code !== 0) return `${what}: exit ${e.code ?? e.signal}; ${tail(e)}`;
  return undefined;
}

function peerEnv(peer: PeerName): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (peer === 'stan') {
    env['R_LIBS_USER'] = R_LIB;
    if (existsSync(STAN_WALLCLOCK) && !(env['LD_PRELOAD'] ?? '').includes(STAN_WALLCLOCK)) {
      env['LD_PRELOAD'] = [STAN_WALLCLOCK, env['LD_PRELOAD']].filter((x) => x).join(':');
    }
  } else env['JAX_PLATFORMS'] = 'cpu';
  return env;
}

const setups = new Map<PeerName, Promise<string | undefined>>();

/** Runs bench/peers/setup-<peer>.sh once per process; resolves to the reason when the peer cannot be set up. */
export function setupPeer(peer: PeerName, opts: Pick<RunPeerOptions, 'setupTimeoutMs' | 'log'> = {}): Promise<string | undefined> {
  let p = setups.get(peer);
  if (p === undefined) {
    const timeoutMs = opts.setupTimeoutMs ?? 20 * 60_000;
    p = run('bash', [join(ROOT, 'bench', 'peers', `setup-${peer}.sh`)], peerEnv(peer), timeoutMs, opts.log).then(
      (e) => failure(`setup-${peer}.sh`, e, timeoutMs),
      (err: unknown) => `setup-${peer}.sh: ${String(err)}`,
    );
    setups.set(peer, p);
  }
  return p;
}

function checkConfig(model: string, c: PeerConfig): string | undefined {
  if (!/^[a-z][a-z0-9_]*$/.test(model)) return `bad model name '${model}'`;
  for (const [k, min] of [['warmup', 0], ['draws', 1], ['chains', 1], ['seed', 0]] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < min) return `config.${k} must be an integer >= ${min}, got ${String(v)}`;
  }
  return undefined;
}

/** Checks the parsed JSON against the PeerResult shape; turns null draws (non-finite) into NaN. */
function validate(raw: unknown, peer: PeerName, model: string, c: PeerConfig): PeerResult | string {
  if (typeof raw !== 'object' || raw === null) return 'output is not a JSON object';
  const r = raw as Record<string, unknown>;
  if (r['sampler'] !== peer) return `output sampler is '${String(r['sampler'])}', expected '${peer}'`;
  if (r['model'] !== model) return `output model is '${String(r['model'])}', expected '${model}'`;
  for (const k of ['compileSeconds', 'samplingSeconds', 'divergences', 'gradientEvaluations', 'chains'] as const) {
    if (typeof r[k] !== 'number' || !Number.isFinite(r[k])) return `output field ${k} is not a finite number`;
  }
  if (r['chains'] !== c.chains) return `output has ${String(r['chains'])} chains, expected ${c.chains}`;
  const cfg = r['config'] as Record<string, unknown> | undefined;
  if (cfg?.['seed'] !== c.seed) return `output is for seed ${String(cfg?.['seed'])}, expected ${c.seed}`;
  const draws = r['draws'];
  const columns = r['columns'];
  if (typeof draws !== 'object' || draws === null || !Array.isArray(columns)) return 'output has no draws/columns';
  const fixed: Record<string, number[][]> = {};
  for (const col of columns) {
    const perChain = (draws as Record<string, unknown>)[col as string];
    if (!Array.isArray(perChain) || perChain.length !== c.chains) return `column '${String(col)}' does not have ${c.chains} chains`;
    fixed[col as string] = perChain.map((chain: unknown) =>
      Array.isArray(chain) ? chain.map((x: unknown) => (typeof x === 'number' ? x : Number.NaN)) : [],
    );
    if (fixed[col as string]!.some((ch) => ch.length !== c.draws)) return `column '${String(col)}' does not have ${c.draws} draws per chain`;
  }
  if (columns.length === 0) return 'output has no columns';
  return { ...(r as unknown as PeerResult), draws: fixed };
}

/**
 * Runs one peer on one benchmark model (same data files as mlx-nuts) and returns its draws and timings,
 * or `{ sampler, model, error }` with the reason when the peer cannot be set up or fails. Never throws.
 */
export async function runPeer(
  peer: PeerName,
  model: string,
  config: PeerConfig,
  opts: RunPeerOptions = {},
): Promise<PeerResult | PeerError> {
  const { seed, ...rest } = config;
  return (await runPeerSeeds(peer, model, rest, [seed], opts))[0]!;
}

/**
 * Runs one peer on one model for several seeds in one process (Stan loads its compiled model once, NumPyro
 * reuses its compiled loop), one result or error per seed, in the order of `seeds`. Never throws.
 */
export async function runPeerSeeds(
  peer: PeerName,
  model: string,
  config: Omit<PeerConfig, 'seed'>,
  seeds: readonly number[],
  opts: RunPeerOptions = {},
): Promise<(PeerResult | PeerError)[]> {
  const err = (error: string): PeerError => ({ sampler: peer, model, error });
  const all = (error: string) => seeds.map(() => err(error));
  try {
    if (peer !== 'stan' && peer !== 'numpyro') return all(`unknown peer '${String(peer)}'`);
    if (seeds.length === 0) return [];
    for (const seed of seeds) {
      const bad = checkConfig(model, { ...config, seed });
      if (bad !== undefined) return all(bad);
    }
    const setupFailure = await setupPeer(peer, opts);
    if (setupFailure !== undefined) return all(`cannot set up ${peer}: ${setupFailure}`);

    const dir = opts.outDir ?? (await mkdtemp(join(tmpdir(), 'mlx-nuts-peer-')));
    await mkdir(dir, { recursive: true });
    const outFor = (seed: number | string) =>
      join(dir, `${peer}-${model}-${config.chains}x${config.warmup}+${config.draws}-seed${seed}.json`);
    const flags = [
      `--model=${model}`,
      `--warmup=${config.warmup}`,
      `--draws=${config.draws}`,
      `--chains=${config.chains}`,
      `--seed=${seeds.join(',')}`,
      `--out=${outFor('{seed}')}`,
      ...(opts.extraArgs ?? []),
    ];
    const [cmd, args] =
      peer === 'stan'
        ? ['Rscript', ['--vanilla', join(ROOT, 'bench', 'peers', 'stan.R'), ...flags]]
        : [VENV_PYTHON, [join(ROOT, 'bench', 'peers', 'numpyro.py'), ...flags]];
    const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
    const env = peerEnv(peer);
    const cache = peer === 'numpyro' ? await mkdtemp(join(tmpdir(), 'mlx-nuts-jax-cache-')) : undefined;
    if (cache !== undefined) env['MLX_NUTS_JAX_CACHE'] = cache;
    const e = await run(cmd, args, env, timeoutMs, opts.log);
    if (cache !== undefined) await rm(cache, { recursive: true, force: true });
    const failed = failure(`${peer} on ${model}`, e, timeoutMs);
    // a failure after some seeds were written still returns those seeds
    const results: (PeerResult | PeerError)[] = [];
    for (const seed of seeds) {
      const out = outFor(seed);
      let text: string;
      try {
        text = await readFile(out, 'utf8');
      } catch (readErr) {
        results.push(err(failed ?? `${peer} on ${model} exited 0 but wrote no output at ${out} (${String(readErr)}); ${tail(e)}`));
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (parseErr) {
        results.push(err(`${peer} on ${model}: output ${out} is not valid JSON (${String(parseErr)})`));
        continue;
      }
      const checked = validate(parsed, peer, model, { ...config, seed });
      results.push(typeof checked === 'string' ? err(`${peer} on ${model}: ${checked} (${out})`) : checked);
    }
    return results;
  } catch (unexpected) {
    return all(`unexpected failure: ${unexpected instanceof Error ? unexpected.message : String(unexpected)}`);
  }
}
