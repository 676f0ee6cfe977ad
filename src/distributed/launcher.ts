// `--processes N`: starts N ranks of this command on this machine (loopback ring hostfile with free ports, or NCCL's
// variables; each GPU rank sees one GPU), prefixes their stderr with the rank, and watches them: a rank that exits
// with an error, or sends no heartbeat for `hangMs` once it has started sampling (then it is killed), stops the others (SIGTERM, SIGKILL after a
// grace period); the error names the rank, its host and pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DistBackend } from './group.ts';
import { freePorts, writeLoopbackHostfile } from './hostfile.ts';

export interface LaunchOptions {
  readonly processes: number;
  readonly backend: DistBackend;
  /** The node arguments of one rank (script and its options), without --processes; --rank is added. */
  readonly argv: readonly string[];
  /** A rank silent for this long is taken as hung (ms). */
  readonly hangMs: number;
  /** 'gpu': rank r sees GPU r (CUDA_VISIBLE_DEVICES, the r-th entry of the caller's list when it has one). */
  readonly device?: 'cpu' | 'gpu';
  /** Where the launcher's own messages go (default stderr). */
  readonly log?: (line: string) => void;
}

/** Rank processes send this over their IPC channel every HEARTBEAT_MS while their event loop runs. */
export const HEARTBEAT_MS = 1000;
const GRACE_MS = 10_000;
/** What MLX's ring prints (always) when a peer closes its socket, as every peer does at the end: the launcher says what failed. */
const RING_CLOSE_NOISE = /^\[ring\] (Socket \d+ was closed by the peer|Too many send\/recv errors)/;

/** Runs the ranks to the end; resolves with the exit code the launcher should exit with. */
export async function launchLocal(o: LaunchOptions): Promise<number> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-ranks-'));
  const env: Record<string, string> = {};
  if (o.backend === 'nccl') Object.assign(env, { NCCL_HOST_IP: '127.0.0.1', NCCL_PORT: String((await freePorts(1))[0]), MLX_WORLD_SIZE: String(o.processes) });
  else {
    await writeLoopbackHostfile(join(dir, 'hostfile.json'), o.processes);
    env['MLX_HOSTFILE'] = join(dir, 'hostfile.json');
  }
  const gpus = process.env['CUDA_VISIBLE_DEVICES']?.split(',').filter((s) => s !== '');
  const children: ChildProcess[] = [];
  const lastBeat: number[] = [];
  const exited: boolean[] = [];
  const started: boolean[] = [];
  let failure: string | null = null;
  let code = 0;
  const stopOthers = () => {
    children.forEach((c, r) => { if (!exited[r]) c.kill('SIGTERM'); });
    setTimeout(() => children.forEach((c, r) => { if (!exited[r]) c.kill('SIGKILL'); }), GRACE_MS).unref();
  };
  const fail = (why: string) => {
    if (failure !== null) return;
    failure = why;
    log(`[mlx-nuts launcher] ${why}; stopping the other ranks (their CSV files hold every draw made so far)`);
    stopOthers();
  };
  const done = Array.from({ length: o.processes }, (_, r) => new Promise<void>((resolve) => {
    const gpu = o.device === 'gpu' ? { CUDA_VISIBLE_DEVICES: gpus && gpus.length > 0 ? gpus[r % gpus.length]! : String(r) } : {};
    const child = spawn(process.execPath, [...o.argv, '--rank', String(r), '--dist-backend', o.backend], {
      env: { ...process.env, ...env, ...gpu, MLX_RANK: String(r), MLX_NUTS_LAUNCHED: '1' },
      stdio: ['ignore', r === 0 ? 'inherit' : 'ignore', 'pipe', 'ipc'],
    });
    children[r] = child;
    lastBeat[r] = Date.now();
    exited[r] = false;
    let pending = '';
    child.stderr!.on('data', (b: Buffer) => {
      const lines = (pending + b.toString()).split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (!RING_CLOSE_NOISE.test(l)) process.stderr.write(`[rank ${r}] ${l}\n`);
    });
    child.on('message', (m: { started?: boolean }) => {
      lastBeat[r] = Date.now();
      if (m.started) started[r] = true;
    });
    child.on('exit', (c, sig) => {
      exited[r] = true;
      if (pending) process.stderr.write(`[rank ${r}] ${pending}\n`);
      if (r === 0 && c !== null) code = c;
      if (c !== 0 && failure === null) fail(`rank ${r} (host 127.0.0.1, pid ${child.pid}) ${sig ? `was killed by ${sig}` : `exited with code ${c}`}`);
      resolve();
    });
  }));
  const watch = setInterval(() => {
    const now = Date.now();
    lastBeat.forEach((t, r) => {
      if (exited[r] || !started[r] || failure !== null || now - t <= o.hangMs) return;
      fail(`rank ${r} (host 127.0.0.1, pid ${children[r]!.pid}) sent no heartbeat for ${((now - t) / 1000).toFixed(0)} s: it hangs, and was killed`);
      children[r]!.kill('SIGKILL');
    });
  }, Math.min(HEARTBEAT_MS, o.hangMs / 2));
  const forward = (sig: NodeJS.Signals) => children.forEach((c, r) => { if (!exited[r]) c.kill(sig); });
  const onInt = () => forward('SIGINT');
  const onTerm = () => forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    await Promise.all(done);
  } finally {
    clearInterval(watch);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    rmSync(dir, { recursive: true, force: true });
  }
  if (failure !== null) {
    log(`[mlx-nuts launcher] the run failed: ${failure}`);
    return 1;
  }
  return code;
}
