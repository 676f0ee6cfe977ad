// Resuming a run spread over ranks (src/distributed/rankResume.ts): ranks stopped part-way (aborted at chosen
// iterations, in process; one killed with SIGKILL under the launcher) and resumed give the draws of one uninterrupted
// process, bit for bit; a resume with another split, or in one process, is refused with a message naming what differs;
// ranks that went different ways get an error, not each other's values.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readStanCsv, SAMPLER_STATS } from 'mlx-nuts';
import { runCli } from './cliRun.ts';
import { sample } from '../src/nuts/sample.ts';
import { sampleDistributed } from '../src/distributed/sampleDistributed.ts';
import { allGatherF64 } from '../src/distributed/gather.ts';
import type { Fit } from '../src/fit/fit.ts';
import eightSchools from '../models/eight_schools.ts';
import { fakeGroups } from './fakeGroups.ts';

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-dist-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { chains: 4, warmup: 150, seed: 21 };
const DRAWS = 80;

/** Runs every rank in this process; rank r stops after its `stopAt[r]`-th iteration (warmup + sampling), if given. */
async function ranks(n: number, out: string, o: { adaptation: 'chain' | 'pooled'; resume?: boolean; stopAt?: number[] }) {
  return Promise.all(fakeGroups(n).map((group, r) => {
    const ac = new AbortController();
    const stop = o.stopAt?.[r];
    return sampleDistributed(eightSchools, DRAWS, {
      ...base, adaptation: o.adaptation, output: out, checkpoint: { iterations: 15 }, signal: ac.signal, ...(o.resume ? { resume: true } : {}),
      progress: (e) => { if (stop !== undefined && (e.phase === 'warmup' ? 0 : base.warmup) + e.iteration === stop) ac.abort(); },
      distributed: { group },
    });
  }));
}

/** Every draw, statistic and adapted metric of `f` equal, bit for bit, to those of `one`. */
function sameDraws(f: Fit, one: Fit): void {
  expect(f.data.values.length).toBe(one.data.values.length);
  f.data.values.forEach((chain, c) => chain.forEach((v, j) => expect(Array.from(v), `chain ${c} column ${j}`).toEqual(Array.from(one.data.values[c]![j]!))));
  f.data.stats.forEach((s, c) => SAMPLER_STATS.forEach((k) => expect(Array.from(s[k]), `chain ${c} ${k}`).toEqual(Array.from(one.data.stats[c]![k]))));
  f.data.adaptation.forEach((a, c) => expect(Array.from(a.invMetric)).toEqual(Array.from(one.data.adaptation[c]!.invMetric)));
}

describe('resuming a spread run (in process, 2 ranks)', () => {
  test.each([
    ['pooled' as const, [40, 40]],                  // both in warmup, between the metric windows' exchanges at iterations 29 and 99
    ['chain' as const, [40, base.warmup + 30]],     // one in warmup, one in sampling
  ])('%s adaptation, stopped after iterations %j, resumed: the draws of one uninterrupted process', async (adaptation, stopAt) => {
    const one = await sample(eightSchools, DRAWS, { ...base, adaptation });
    const out = join(dir, `inproc-${adaptation}`);
    const stopped = await ranks(2, out, { adaptation, stopAt });
    expect(stopped.map((s) => s.local.complete)).toEqual([false, false]);
    expect(readdirSync(out).filter((f) => f.endsWith('-checkpoint.json')).sort()).toEqual(['eight_schools-rank0-checkpoint.json', 'eight_schools-rank1-checkpoint.json']);
    const resumed = await ranks(2, out, { adaptation, resume: true });
    for (const r of resumed) {
      expect(r.fit!.complete).toBe(true);
      sameDraws(r.fit!, one);
    }
    // the files too, and the checkpoints are gone once every rank has the draws
    for (let c = 0; c < base.chains; c++) {
      const f = readStanCsv(join(out, `eight_schools-${c + 1}.csv`));
      expect(f.complete).toBe(true);
      f.values.forEach((v, j) => expect(Array.from(v)).toEqual(Array.from(one.data.values[c]![j]!)));
    }
    expect(readdirSync(out).filter((f) => f.includes('checkpoint'))).toEqual([]);
  }, 120_000);

  test('another number of ranks, or one process, is refused with what differs; so is a run that was not spread', async () => {
    const out = join(dir, 'mismatch');
    await ranks(2, out, { adaptation: 'chain', stopAt: [30, 30] });
    const three = await Promise.allSettled(fakeGroups(3).map((group) => sampleDistributed(eightSchools, DRAWS, { ...base, output: out, resume: true, distributed: { group } })));
    expect(three.map((t) => t.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const why = three.map((t) => String((t as PromiseRejectedResult).reason));
    expect(why[0]).toMatch(/^OptionError: \[distributed\] resume: the run in .*mismatch was spread over 2 ranks with 4 chains \(rank 0: chains 1–2\); this resume spreads 4 chains over 3 ranks \(rank 0: chains 1–2\)\. Resume with the same chains and number of ranks$/);
    expect(why[2]).toMatch(/the run in .*mismatch was spread over 2 ranks \(.*eight_schools-rank\d-checkpoint\.json: chains \d–\d of 4\); this resume spreads 4 chains over 3 ranks \(rank 2: chains 4–4\)/);
    const six = await Promise.allSettled(fakeGroups(2).map((group) => sampleDistributed(eightSchools, DRAWS, { ...base, chains: 6, output: out, resume: true, distributed: { group } })));
    expect(String((six[0] as PromiseRejectedResult).reason)).toMatch(/spread over 2 ranks with 4 chains \(rank 0: chains 1–2\); this resume spreads 6 chains over 2 ranks \(rank 0: chains 1–3\)/);
    await expect(sample(eightSchools, DRAWS, { ...base, output: out, resume: true })).rejects.toThrow(/no checkpoint .*eight_schools-checkpoint\.json/);
    const single = join(dir, 'single');
    await sample(eightSchools, DRAWS, { ...base, output: single, signal: AbortSignal.abort() });
    await expect(ranks(2, single, { adaptation: 'chain', resume: true })).rejects.toThrow(
      /^\[distributed\] resume: the run in .*single ran in one process \(its checkpoint is .*eight_schools-checkpoint\.json\); this resume spreads 4 chains over 2 ranks/);
  }, 120_000);
});

test('ranks at different exchanges (one gathering the draws, one at a pooled window) get an error, not each other\'s values', async () => {
  const [a, b] = fakeGroups(2);
  const r = await Promise.allSettled([allGatherF64(a!, Float64Array.of(1, 2), 'gathering the draws'), allGatherF64(b!, Float64Array.of(3, 4), 'pooled warmup: the window moments')]);
  expect(String((r[0] as PromiseRejectedResult).reason)).toMatch(/rank 0 \(host here\) is at 'gathering the draws', rank 1 at another exchange/);
  expect(String((r[1] as PromiseRejectedResult).reason)).toMatch(/rank 1 \(host here\) is at 'pooled warmup: the window moments', rank 0 at another exchange/);
});

test('pooled warmup: checkpoints on different sides of a window exchange are refused, naming the ranks and iterations', async () => {
  const out = join(dir, 'sides');
  await ranks(2, out, { adaptation: 'pooled', stopAt: [60, 60] });
  // as if rank 1 had passed the exchange after iteration 99 (pooled warmup's windows end at 29 and 99 of 150) and
  // checkpointed at 120 while rank 0 died before its save
  const rec = join(out, 'eight_schools-rank1-checkpoint.json');
  writeFileSync(rec, JSON.stringify({ ...JSON.parse(readFileSync(rec, 'utf8')), iteration: 120 }));
  await expect(ranks(2, out, { adaptation: 'pooled', resume: true })).rejects.toThrow(
    /lie on different sides of a pooled warmup window's exchange \(rank 0 at iteration 60 \(after 1 window exchanges\), rank 1 at iteration 120 \(after 2 window exchanges\)\)/);
}, 60_000);

const dataRows = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/** Waits until `file` exists and has more than `bytes` bytes. */
async function grown(file: string, bytes: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (existsSync(file) && statSync(file).size > bytes) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} did not grow`);
}

describe('the command line: --processes 2 --resume DIR', () => {
  // draws enough that rank 1 is still sampling when the poll (every 100 ms) sees its CSV grow: with 3000 it could already
  // have finished and passed the final gather (after which rank 0 rightly drops its checkpoint), and the test failed
  const run = ['sample', 'models/eight_schools.ts', '--seed', '8', '--no-progress', '--chains', '4', '--warmup', '150', '--draws', '20000'];

  test('a rank killed with SIGKILL, the run resumed with --resume: the CSV rows of one uninterrupted process; a resume with --processes 3 or in one process is refused', async () => {
    const one = join(dir, 'cli-one');
    expect((await runCli([...run, '--out', one])).code).toBe(0);
    const two = join(dir, 'cli-two');
    let killed = 0;
    const r = await runCli([...run, '--out', two, '--processes', '2'], 'sampling eight_schools', (child) => {
      void grown(join(two, 'eight_schools-3.csv'), 60_000).then(() => {
        const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], { encoding: 'utf8' });
        killed = Number(ps.split('\n').find((l) => l.includes(' --rank 1 '))!.trim().split(/\s+/)[0]);
        process.kill(killed, 'SIGKILL');
      });
    });
    expect(killed).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rank 1 \(host 127\.0\.0\.1, pid \d+\) was killed by SIGKILL/);
    // both ranks keep their checkpoints (rank 1 was killed while sampling, or, if it was quicker, while waiting for the
    // final gather with its files complete: it keeps its checkpoint until every rank has the draws)
    expect(readdirSync(two).filter((f) => f.endsWith('-checkpoint.json')).sort()).toEqual(['eight_schools-rank0-checkpoint.json', 'eight_schools-rank1-checkpoint.json']);
    const again = await runCli([...run, '--processes', '2', '--out', two]); // started again without --resume: told it can be
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exist; pass \{ overwrite: true \} .*, or \{ resume: true \} \(--resume .*cli-two\) to continue the interrupted run/);
    const three = await runCli([...run, '--processes', '3', '--resume', two]);
    expect(three.code).toBe(1);
    expect(three.err).toMatch(/^\[distributed\] resume: the run in .*cli-two was spread over 2 ranks with 4 chains \(rank 0: chains 1–2\); this resume spreads 4 chains over 3 ranks \(rank 0: chains 1–2\)/m);
    const alone = await runCli([...run, '--resume', two]);
    expect(alone.code).toBe(1);
    expect(alone.err).toMatch(/^\[distributed\] resume: the run in .*cli-two was spread over 2 ranks .*this resume spreads 4 chains over 1 rank \(rank 0: chains 1–4\)\. Resume it with the same number of ranks/m);
    const resumed = await runCli([...run, '--processes', '2', '--resume', two]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/Stan CSV files written to .*cli-two by each rank as it sampled \(resumed\) \(4 files\)/);
    for (let c = 1; c <= 4; c++) {
      expect(readStanCsv(join(two, `eight_schools-${c}.csv`)).complete).toBe(true);
      expect(dataRows(join(two, `eight_schools-${c}.csv`)), `chain ${c}`).toEqual(dataRows(join(one, `eight_schools-${c}.csv`)));
    }
    expect(readdirSync(two).filter((f) => f.includes('checkpoint'))).toEqual([]);
  }, 180_000);
});
