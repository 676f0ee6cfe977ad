// Checkpoint and resume: kill -9 at seeded moments of warmup and sampling leaves CSVs that are a prefix of the
// uninterrupted run's, and resuming finishes the run with draws bit-identical to it; a resume that differs is an error.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRng, model, Normal, HalfCauchy, sample, SAMPLER_STATS } from 'mlx-nuts';
import { readStanCsv, type StanCsv } from '../src/io/stanCsvRead.ts';

const CHILD = resolve('test/fixtures/resumeChild.ts');
const RUN = { warmup: 150, draws: 100, chains: 2, seed: 11, saveWarmup: true, checkpointEvery: 5 };
const LINES = RUN.warmup + RUN.draws;

interface ChildResult { code: number | null; signal: NodeJS.Signals | null; out: { digest: string; complete: boolean; draws: number } | null }

/** Runs the child; with `killAtLine`, SIGKILLs it once chain 1's file holds that many draw lines (warmup included). */
function child(args: Record<string, unknown>, killAtLine?: number): Promise<ChildResult> {
  return new Promise((res, rej) => {
    // node itself with tsx's loader (the tsx command would run node as a grandchild, which SIGKILL would not reach)
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let timer: ReturnType<typeof setInterval> | null = null;
    if (killAtLine !== undefined) {
      const file = join(String(args.out), 'eight_schools-1.csv');
      timer = setInterval(() => {
        if (!existsSync(file)) return;
        const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length - 1;
        if (lines >= killAtLine) {
          p.kill('SIGKILL');
          clearInterval(timer!);
        }
      }, 3);
    }
    p.on('error', rej);
    // 'close', not 'exit': under load the child's last stdout chunk can arrive after 'exit'
    p.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      if (code !== 0 && signal === null) rej(new Error(`child failed (${code}): ${stderr}`));
      const line = stdout.trim().split('\n').pop();
      res({ code, signal, out: line ? JSON.parse(line) : null });
    });
  });
}

const bits = (a: Float64Array) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : Number.isNaN(x) ? 'NaN' : x));

/** The draws of `got` are the first ones of `full` (values and statistics, warmup and sampling, bit for bit). */
function expectPrefix(got: StanCsv, full: StanCsv, what: string): void {
  const nw = got.warmup?.stats.lp__.length ?? 0;
  const ns = got.stats.lp__.length;
  if (ns > 0) expect(nw, `${what}: sampling draws come after all warmup draws`).toBe(RUN.warmup);
  for (let j = 0; j < full.columns.length; j++) {
    if (nw > 0) expect(bits(got.warmup!.values[j]!), `${what} warmup ${full.columns[j]}`).toEqual(bits(full.warmup!.values[j]!.subarray(0, nw)));
    expect(bits(got.values[j]!), `${what} ${full.columns[j]}`).toEqual(bits(full.values[j]!.subarray(0, ns)));
  }
  for (const s of SAMPLER_STATS) expect(bits(got.stats[s]), `${what} ${s}`).toEqual(bits(full.stats[s].subarray(0, ns)));
}

let root: string;
let reference: { digest: string; files: StanCsv[] };
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mlx-nuts-resume-'));
  const out = join(root, 'reference');
  const r = await child({ ...RUN, out });
  expect(r.out?.complete).toBe(true);
  reference = { digest: r.out!.digest, files: [1, 2].map((c) => readStanCsv(join(out, `eight_schools-${c}.csv`))) };
  expect(existsSync(join(out, 'eight_schools-checkpoint.json')), 'a finished run leaves no checkpoint').toBe(false);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// the children mostly wait (on their start and on the parent's polling): several at once keep the wall time down
describe.concurrent('resume after kill -9', () => {
  // 12 seeded moments: 6 during warmup, 6 during sampling (draw lines of chain 1's file, warmup lines included)
  const rng = makeRng(2024, 0);
  const moments = [
    ...Array.from({ length: 6 }, () => 1 + Math.floor(rng.uniform() * (RUN.warmup - 1))),
    ...Array.from({ length: 6 }, () => RUN.warmup + 1 + Math.floor(rng.uniform() * (RUN.draws - 10))),
  ];
  it.each(moments.map((m, k) => [k, m]))('moment %i: killed at draw line %i, the files are a prefix; resumed, the run is bit-identical', async (k, line) => {
    const out = join(root, `kill${k}`);
    const killed = await child({ ...RUN, out, slowMs: 2 }, line);
    expect(killed.signal, 'the child was killed').toBe('SIGKILL');
    for (const c of [0, 1]) {
      const got = readStanCsv(join(out, `eight_schools-${c + 1}.csv`));
      expect(got.complete).toBe(false);
      expectPrefix(got, reference.files[c]!, `kill ${k} chain ${c}`);
    }
    const resumed = await child({ ...RUN, out, resume: true });
    expect(resumed.out).toEqual({ digest: reference.digest, complete: true, draws: RUN.draws, clampHits: [0, 0] });
    for (const c of [0, 1]) {
      const got = readStanCsv(join(out, `eight_schools-${c + 1}.csv`));
      expect(got.complete).toBe(true);
      expectPrefix(got, reference.files[c]!, `resumed ${k} chain ${c}`);
      expect(got.stats.lp__.length).toBe(RUN.draws);
      expect(got.adaptation).toEqual(reference.files[c]!.adaptation);
    }
    expect(existsSync(join(out, 'eight_schools-checkpoint.json'))).toBe(false);
  }, 60_000);
});

describe('resume after a stop by signal', () => {
  it('stopped in warmup or in sampling (thinned, reference backend too), the resumed run equals the uninterrupted one', async () => {
    for (const [k, extra] of [[0, { abortAfter: 40 }], [1, { abortAfter: 170 }]] as const) {
      const out = join(root, `abort${k}`);
      const stopped = await child({ ...RUN, ...extra, out });
      expect(stopped.out?.complete).toBe(false);
      const resumed = await child({ ...RUN, out, resume: true });
      expect(resumed.out?.digest).toBe(reference.digest);
    }
    const thinned = { ...RUN, thin: 3, saveWarmup: false, backend: 'reference', warmup: 60, draws: 40 };
    const full = await child({ ...thinned, out: join(root, 'thin-full') });
    await child({ ...thinned, out: join(root, 'thin'), abortAfter: 75 });
    const resumed = await child({ ...thinned, out: join(root, 'thin'), resume: true });
    expect(resumed.out?.digest).toBe(full.out!.digest);
    expect(resumed.out?.draws).toBe(14);
  }, 120_000);
});

describe('resume with each warmup metric estimator (metricAdaptation; the runs above use the default)', () => {
  it('stopped early in warmup or between window switches, the resumed run equals the uninterrupted one', async () => {
    // RUN's 150 warmup iterations: the gradient-based estimators' early phase to 45, growing windows to 128, then the
    // step size alone; Stan's windows end at 74, 99 and 149
    for (const metricAdaptation of ['stan', 'gradient-diag', 'low-rank'] as const) {
      const full = await child({ ...RUN, metricAdaptation, out: join(root, `${metricAdaptation}-full`) });
      expect(full.out?.complete).toBe(true);
      for (const abortAfter of [23, 97]) {
        const out = join(root, `${metricAdaptation}-${abortAfter}`);
        const stopped = await child({ ...RUN, metricAdaptation, abortAfter, out });
        expect(stopped.out?.complete).toBe(false);
        const resumed = await child({ ...RUN, metricAdaptation, out, resume: true });
        expect(resumed.out?.digest, `${metricAdaptation} stopped after ${abortAfter}`).toBe(full.out!.digest);
      }
    }
  }, 120_000);
});

describe('a resume that does not match is an error before sampling', () => {
  const y = [28, 8, -3, 7, -1, 1, 18, 12];
  const schools = (data: number[], extra = false) => model('schools', (m) => {
    const mu = m.param('mu', Normal(0, 5));
    const tau = m.param('tau', HalfCauchy(5));
    const th = m.param('theta_tilde', Normal(0, 1), { shape: [8] });
    if (extra) m.param('nu', Normal(0, 1));
    m.observe(Normal(mu.add(tau.mul(th)), 10), data);
  });

  it('names the option, the data or the graph that differs, and a missing checkpoint', async () => {
    const out = join(root, 'mismatch');
    const ac = new AbortController();
    const opts = { output: out, warmup: 50, chains: 2, seed: 1, backend: 'reference' as const, signal: ac.signal, progress: () => ac.abort() };
    const fit = await sample(schools(y), 20, opts);
    expect(fit.complete).toBe(false);
    const base = { resume: out, warmup: 50, chains: 2, seed: 1, backend: 'reference' as const };
    // starting it again without resume says a checkpoint is there
    await expect(sample(schools(y), 20, opts)).rejects.toThrow(/already exist; pass \{ overwrite: true \} .*, or \{ resume: true \} \(--resume .*mismatch\) to continue the interrupted run/);
    await expect(sample(schools(y), 20, { ...base, seed: 2 })).rejects.toThrow(/^\[sample\] resume: the run in .* was made differently: seed is 2, the checkpoint's 1/);
    await expect(sample(schools(y), 20, { ...base, warmup: 60, targetAccept: 0.9 })).rejects.toThrow(/warmup is 60, the checkpoint's 50; targetAccept is 0\.9, the checkpoint's 0\.8/);
    await expect(sample(schools(y), 30, base)).rejects.toThrow(/draws is 30, the checkpoint's 20/);
    await expect(sample(schools(y.map((v) => v + 1)), 20, base)).rejects.toThrow(/the model's data or constants differ/);
    await expect(sample(schools(y, true), 20, base)).rejects.toThrow(/the model's graph differs/);
    await expect(sample(schools(y), 20, { ...base, backend: 'fused' })).rejects.toThrow(/backend is "fused", the checkpoint's "reference"/);
    await expect(sample(schools(y), 20, { ...base, init: { mu: 1 } })).rejects.toThrow(/init is "[0-9a-f]{16}", the checkpoint's "none"/);
    await expect(sample(schools(y), 20, { ...base, metricAdaptation: 'low-rank', warmupSchedule: { earlySwitch: 5 } }))
      .rejects.toThrow(/metricAdaptation is "low-rank", the checkpoint's "[a-z-]+"; warmupSchedule is "earlyWindow=0\.3 stepSizeWindow=0\.15 earlySwitch=5 .*", the checkpoint's/);
    await expect(sample(schools(y), 20, { ...base, resume: join(root, 'nothing-here') })).rejects.toThrow(/^\[sample\] resume: no checkpoint .*schools-checkpoint\.json/);
    await expect(sample(schools(y), 20, { ...base, resume: true })).rejects.toThrow(/resume: true needs output/);
    await expect(sample(schools(y), 20, { ...base, output: join(root, 'elsewhere') })).rejects.toThrow(/resume names .* but output is/);
    await expect(sample(schools(y), 20, { ...base, checkpoint: { iterations: 0 } })).rejects.toThrow(/checkpoint\.iterations must be a whole number ≥ 1, got 0/);
    // the matching resume finishes the run
    const done = await sample(schools(y), 20, base);
    expect(done.complete).toBe(true);
    expect(done.numDraws).toBe(20);
  }, 60_000);
});
