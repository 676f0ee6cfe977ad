// MLX's ring hostfile (what mlx.launch writes, read by ring.cpp's load_nodes): JSON, one list of "ip:port" per rank.
import { FileError } from '../base/errors.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';

export type Hostfile = readonly (readonly string[])[];

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Reads and checks a hostfile; errors name the file and the entry. */
export function readHostfile(path: string): Hostfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileError(`[distributed] hostfile ${path} cannot be read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FileError(`[distributed] hostfile ${path} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new FileError(`[distributed] hostfile ${path} must be a non-empty JSON list with one entry per rank`);
  return json.map((entry: unknown, r) => {
    const list = typeof entry === 'string' ? [entry] : entry;
    if (!Array.isArray(list) || list.length === 0) throw new FileError(`[distributed] hostfile ${path}: rank ${r} must be a list of "ip:port" strings, got ${JSON.stringify(entry)}`);
    return list.map((a: unknown) => {
      const m = typeof a === 'string' ? ADDRESS.exec(a) : null;
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new FileError(`[distributed] hostfile ${path}: rank ${r} has ${JSON.stringify(a)}, expected "ip:port"`);
      return a as string;
    });
  });
}

/** The host part of rank r's first address. */
export function hostOf(hosts: Hostfile, rank: number): string {
  const a = hosts[rank]?.[0];
  return a === undefined ? 'unknown host' : a.slice(0, a.lastIndexOf(':'));
}

/** `n` distinct TCP ports on 127.0.0.1 that were free a moment ago (the OS picks them; all held until all are chosen). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Writes a loopback hostfile for `ranks` local processes (free ports) and returns it. */
export async function writeLoopbackHostfile(path: string, ranks: number): Promise<Hostfile> {
  const hosts = (await freePorts(ranks)).map((p) => [`127.0.0.1:${p}`]);
  writeFileSync(path, JSON.stringify(hosts), { mode: 0o600 });
  return hosts;
}
