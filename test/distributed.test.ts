// Chains spread over processes (src/distributed/): 2 and 3 ranks over MLX's ring backend on loopback give the same
// draws, bit for bit, as one process (per-chain and pooled adaptation, an uneven split); a killed rank and a hung rank
// are named by the launcher, and the other ranks' CSV files hold whole lines up to their last draw.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from './cliRun.ts';
import { readStanCsv } from 'mlx-nuts';
import { sample } from '../src/nuts/sample.ts';
import { fitFromJSON } from '../src/io/json.ts';
import { writeLoopbackHostfile } from '../src/distributed/hostfile.ts';
import { chainRange } from '../src/distributed/split.ts';
import { allGatherF64, gatherFits } from '../src/distributed/gather.ts';
import eightSchools from '../models/eight_schools.ts';
import { fakeGroups } from './fakeGroups.ts';

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-dist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Opts { draws: number; chains: number; warmup: number; seed: number; adaptation: 'chain' | 'pooled' }

/** Runs `ranks` processes of test/fixtures/rankChild.ts over a fresh loopback hostfile; returns each rank's output. */
async function runRanks(ranks: number, o: Opts, tag: string): Promise<{ rank: number; first: number; count: number; fit: unknown }[]> {
  const hostfile = join(dir, `${tag}-hosts.json`);
  await writeLoopbackHostfile(hostfile, ranks);
  const runs = Array.from({ length: ranks }, (_, r) => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/rankChild.ts', JSON.stringify(o), join(dir, `${tag}-${r}.json`)], {
      env: { ...process.env, MLX_RANK: String(r), MLX_HOSTFILE: hostfile }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rank ${r} exited with ${code}: ${err}`))));
  }));
  await Promise.all(runs);
  return Array.from({ length: ranks }, (_, r) => JSON.parse(readFileSync(join(dir, `${tag}-${r}.json`), 'utf8')));
}

describe('the same draws in one process or many', () => {
  test('chainRange: contiguous, covering, the first chains % ranks ranks one more; too few chains is an error', () => {
    expect([0, 1, 2].map((r) => chainRange(5, 3, r))).toEqual([{ first: 0, count: 2 }, { first: 2, count: 2 }, { first: 4, count: 1 }]);
    expect(() => chainRange(2, 3, 0)).toThrow(/2 chain\(s\) cannot be spread over 3 ranks/);
  });

  test.each([
    [2, 'chain' as const, 4],
    [3, 'pooled' as const, 5],
  ])('%i ranks, %s adaptation, %i chains: every draw, statistic and adapted metric bit-identical to one process', async (ranks, adaptation, chains) => {
    const o: Opts = { draws: 60, chains, warmup: 150, seed: 11, adaptation };
    const one = await sample(eightSchools, o.draws, { chains, warmup: o.warmup, seed: o.seed, adaptation });
    const outs = await runRanks(ranks, o, `${adaptation}${ranks}`);
    expect(outs.map((x) => [x.first, x.count])).toEqual(Array.from({ length: ranks }, (_, r) => [chainRange(chains, ranks, r).first, chainRange(chains, ranks, r).count]));
    for (const x of outs) {
      const f = fitFromJSON(x.fit);
      expect(f.config.chains).toBe(chains);
      expect(f.values.length).toBe(chains);
      for (let c = 0; c < chains; c++) {
        f.values[c]!.forEach((v, j) => expect(Array.from(v), `chain ${c} column ${j}`).toEqual(Array.from(one.data.values[c]![j]!)));
        expect(Array.from(f.stats[c]!.lp__)).toEqual(Array.from(one.data.stats[c]!.lp__));
        expect(Array.from(f.stats[c]!.stepsize__)).toEqual(Array.from(one.data.stats[c]!.stepsize__));
        expect(Array.from(f.adaptation[c]!.invMetric)).toEqual(Array.from(one.data.adaptation[c]!.invMetric));
      }
    }
    if (adaptation === 'pooled') { // pooled: one metric for every chain, and it was adapted (not the unit metric)
      const m = Array.from(one.data.adaptation[0]!.invMetric);
      for (let c = 1; c < chains; c++) expect(Array.from(one.data.adaptation[c]!.invMetric)).toEqual(m);
      expect(m.some((x) => x !== 1)).toBe(true);
    }
  }, 120_000);
});

/** The CLI from its sources; calls `during(child)` once stderr contains `when` (test/cliRun.ts). */
const cli = runCli;

const dataRows = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/** The pid of the launcher's child running rank r. */
function rankPid(launcher: number, r: number): number {
  const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(launcher)], { encoding: 'utf8' });
  const line = ps.split('\n').find((l) => l.includes(` --rank ${r} `));
  if (!line) throw new Error(`no rank ${r} among ${ps}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/** Waits until `file` exists and has more than `bytes` bytes. */
async function grown(file: string, bytes: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (existsSync(file) && statSync(file).size > bytes) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} did not grow`);
}

describe('what ranks exchange', () => {
  test('allGatherF64: arrays of different lengths, in pieces, come back whole and bit-exact in rank order', async () => {
    const xs = [Float64Array.of(0.1, -0, NaN, 1e-310, Math.PI), Float64Array.of(), Float64Array.of(2 ** 53, -Infinity)];
    const gs = fakeGroups(3);
    const outs = await Promise.all(gs.map((g, r) => allGatherF64(g, xs[r]!, 'test', 2)));
    for (const o of outs) {
      expect(o.map((a) => a.length)).toEqual([5, 0, 2]);
      o.forEach((a, r) => expect(new Uint8Array(a.buffer)).toEqual(new Uint8Array(xs[r]!.buffer)));
    }
  });

  test('gatherFits: two ranks\' fits merged in chain order equal one fit of all chains (with saveWarmup)', async () => {
    const o = { chains: 3, warmup: 40, seed: 2, saveWarmup: true, backend: 'reference' as const };
    const all = await sample(eightSchools, 30, o);
    const parts = [await sample(eightSchools, 30, { ...o, chains: 2, part: { firstChain: 0, totalChains: 3 } }),
      await sample(eightSchools, 30, { ...o, chains: 1, part: { firstChain: 2, totalChains: 3 } })];
    const merged = await Promise.all(fakeGroups(2).map((g, r) => gatherFits(g, parts[r]!)));
    for (const m of merged) {
      expect(m.data.values).toEqual(all.data.values);
      expect(m.data.stats).toEqual(all.data.stats);
      expect(m.data.warmupValues).toEqual(all.data.warmupValues);
      expect(m.data.warmupStats).toEqual(all.data.warmupStats);
      expect(m.data.adaptation).toEqual(all.data.adaptation);
      expect(m.data.config.chains).toBe(3);
    }
  }, 60_000);
});

describe('the command line', () => {
  const base = ['sample', 'models/eight_schools.ts', '--seed', '5', '--no-progress'];

  test('--processes 2: the same CSV rows and summary as one process', async () => {
    const a = await cli([...base, '--chains', '4', '--warmup', '150', '--draws', '100', '--out', join(dir, 'one')]);
    const b = await cli([...base, '--chains', '4', '--warmup', '150', '--draws', '100', '--out', join(dir, 'two'), '--processes', '2']);
    expect(a.code).toBe(0);
    expect(b.code, b.err).toBe(0);
    expect(b.err).toMatch(/rank 1 of 2 \(host 127\.0\.0\.1\): chains 2–3 done/);
    for (let c = 1; c <= 4; c++) expect(dataRows(join(dir, 'two', `eight_schools-${c}.csv`))).toEqual(dataRows(join(dir, 'one', `eight_schools-${c}.csv`)));
    const table = (s: string) => s.slice(s.indexOf('name'), s.indexOf('Stan CSV'));
    expect(table(b.out)).toBe(table(a.out));
    expect(table(a.out)).toMatch(/theta\[7\]/);
  }, 120_000);

  test('--hostfile and --rank: one command per rank (as ssh or a scheduler starts them) gives the same CSV rows', async () => {
    const hosts = join(dir, 'cli-hosts.json');
    await writeLoopbackHostfile(hosts, 2);
    const args = (r: number) => [...base, '--chains', '4', '--warmup', '150', '--draws', '100', '--out', join(dir, 'hostfile'), '--hostfile', hosts, '--rank', String(r), '--dist-backend', 'ring'];
    const [r0, r1] = await Promise.all([cli(args(0)), cli(args(1))]);
    const both = `rank 0 (exit ${r0.code}):\n${r0.err}\nrank 1 (exit ${r1.code}):\n${r1.err}`;
    expect(r0.code, both).toBe(0);
    expect(r1.code, both).toBe(0);
    expect(r0.out).toMatch(/eight_schools: 4 chains × 100 draws on 2 processes/);
    expect(r1.out).toBe('');
    for (let c = 1; c <= 4; c++) expect(dataRows(join(dir, 'hostfile', `eight_schools-${c}.csv`))).toEqual(dataRows(join(dir, 'one', `eight_schools-${c}.csv`)));
  }, 120_000);

  test.each([
    ['is killed', 'SIGKILL', /rank 1 \(host 127\.0\.0\.1, pid \d+\) was killed by SIGKILL/],
    ['hangs (SIGSTOP)', 'SIGSTOP', /rank 1 \(host 127\.0\.0\.1, pid \d+\) sent no heartbeat for \d+ s: it hangs, and was killed/],
  ])('a rank that %s: the launcher names it, the others stop, their files are whole up to their last draw', async (_, sig, message) => {
    const out = join(dir, `fault-${sig}`);
    let killed = 0;
    const r = await cli([...base, '--chains', '3', '--warmup', '100', '--draws', '1000000', '--out', out, '--processes', '3', '--rank-timeout', '4'],
      'sampling eight_schools', (child) => {
        void grown(join(out, 'eight_schools-2.csv'), 20_000).then(() => {
          killed = rankPid(child.pid!, 1);
          process.kill(killed, sig as NodeJS.Signals);
        });
      });
    expect(killed).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/the run failed: rank 1/);
    expect(readdirSync(out).filter((f) => f.endsWith('.csv')).sort()).toEqual(['eight_schools-1.csv', 'eight_schools-2.csv', 'eight_schools-3.csv']);
    for (const c of [1, 2, 3]) {
      const f = readStanCsv(join(out, `eight_schools-${c}.csv`));
      expect(f.complete).toBe(false);
      expect(f.values[0]!.length).toBeGreaterThan(0);
      expect(f.values.every((v) => v.every(Number.isFinite))).toBe(true);
    }
    // the survivors stopped cleanly: their footers say why
    for (const c of [1, 3]) expect(readFileSync(join(out, `eight_schools-${c}.csv`), 'utf8')).toMatch(/# INCOMPLETE: /);
  }, 120_000);
});
