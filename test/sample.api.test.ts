// sample(): reproducibility, backend agreement, NaN regions, abort, init errors, output files and progress.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { log, model, Normal, readStanCsv, sample, sum, where, gt, HalfNormal } from 'mlx-nuts';
import { eightSchools } from '../models/eight_schools.ts';
import { defaultMetricAdaptation } from '../src/base/defaults.ts';

const small = { warmup: 150, chains: 2, seed: 7 } as const;

describe('reproducibility', () => {
  test('the same seed gives the same draws bit for bit (reference and MLX)', async () => {
    for (const backend of ['reference', 'mlx'] as const) {
      const a = await sample(eightSchools, 50, { ...small, backend });
      const b = await sample(eightSchools, 50, { ...small, backend });
      expect(Array.from(a.flat('mu'))).toEqual(Array.from(b.flat('mu')));
      expect(Array.from(a.flat('lp__'))).toEqual(Array.from(b.flat('lp__')));
      const c = await sample(eightSchools, 50, { ...small, seed: 8, backend });
      expect(Array.from(c.flat('mu'))).not.toEqual(Array.from(a.flat('mu')));
    }
  });

  test('the reference and MLX float64 backends give the same first 10 draws (to 1e-8)', async () => {
    // Rounding differences (~1e-15) grow along the chain, so the comparison starts from the same initial point
    // after a short warmup; over hundreds of iterations two float paths eventually take different multinomial branches.
    const opts = { warmup: 20, chains: 2, seed: 7 };
    const ref = await sample(eightSchools, 10, { ...opts, backend: 'reference' });
    const mlx = await sample(eightSchools, 10, { ...opts, backend: 'mlx', dtype: 'float64' });
    for (const name of ['mu', 'tau', 'theta[3]']) {
      const r = ref.flat(name);
      const m = mlx.flat(name);
      r.forEach((x, i) => expect(Math.abs(x - m[i]!), `${name}[${i}]`).toBeLessThan(1e-8 * Math.max(1, Math.abs(x))));
    }
  });

  test('a batch of chains gives each chain the draws it gets alone (chain streams are independent)', async () => {
    const four = await sample(eightSchools, 20, { warmup: 60, chains: 2, seed: 3, backend: 'reference' });
    const one = await sample(eightSchools, 20, { warmup: 60, chains: 1, seed: 3, backend: 'reference' });
    expect(Array.from(four.draws('mu')[0]!)).toEqual(Array.from(one.draws('mu')[0]!));
  });
});

describe('robustness', () => {
  test('a model whose logp is NaN in a region samples to the end with divergences recorded', async () => {
    const m = model('nan_region', (b) => {
      const x = b.param('x', Normal(0, 1));
      b.factor(where(gt(x, 1.2), log(x.sub(10)), 0)); // log of a negative number: NaN beyond 1.2
    });
    for (const backend of ['reference', 'mlx'] as const) {
      const fit = await sample(m, 300, { warmup: 200, chains: 2, seed: 1, backend });
      expect(fit.numDraws).toBe(300);
      expect(fit.divergences().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(Math.max(...fit.flat('x'))).toBeLessThanOrEqual(1.2 + 1e-9);
      expect(fit.flat('lp__').every(Number.isFinite)).toBe(true);
    }
  });

  test('initialisation failure is an error naming the non-finite terms', async () => {
    const m = model('never', (b) => {
      const x = b.param('x', Normal(0, 1));
      b.factor(log(x.sub(100)));
    });
    await expect(sample(m, 10, { backend: 'reference', chains: 1 })).rejects.toThrow(/initialisation failed after 100 attempt.*factor 0 = NaN/);
  });

  test('user inits on the constrained scale are used; bad ones are clear errors', async () => {
    const m = model('init', (b) => { b.param('s', HalfNormal(1)); b.param('a', Normal(0, 1), { shape: [2] }); });
    const fit = await sample(m, 1, { warmup: 0, chains: 1, seed: 1, backend: 'reference', init: { s: 0.5, a: [1, 2] } });
    expect(fit.numDraws).toBe(1);
    // each error names the parameter (issue 16): support, unknown names, declared shapes (a [3,2] for a [2,3] too)
    await expect(sample(m, 1, { warmup: 0, chains: 1, backend: 'reference', init: { s: -1, a: [1, 2] } })).rejects.toThrow(/\[sample\] s is outside its support/);
    await expect(sample(m, 1, { warmup: 0, chains: 1, backend: 'reference', init: { b: 1 } })).rejects.toThrow(/'b' is not a parameter of 'init'/);
    await expect(sample(m, 1, { chains: 1, backend: 'reference', init: { s: 1, a: [1] } })).rejects.toThrow(/a has shape \[1\], but the parameter is declared with shape \[2\]/);
    const m2 = model('init2', (b) => { b.param('A', Normal(0, 1), { shape: [2, 3] }); });
    await expect(sample(m2, 1, { chains: 1, backend: 'fused', init: { A: [[1, 2], [3, 4], [5, 6]] } })).rejects.toThrow(/A has shape \[3, 2\], but the parameter is declared with shape \[2, 3\]/);
    await expect(sample(m2, 1, { chains: 1, seed: '42' as never })).rejects.toThrow(/seed must be an integer in \[0, 2\^53\), got the string '42'/);
    await expect(sample(m2, 1, { chains: 1, targetAccept: Number('abc') })).rejects.toThrow(/targetAccept must be a finite number, got NaN/);
  });

  test('bad options are errors that name the option', async () => {
    await expect(sample(eightSchools, -1)).rejects.toThrow(/\[sample\] draws/);
    await expect(sample(eightSchools, 10, { chains: 0 })).rejects.toThrow(/chains/);
    await expect(sample(eightSchools, 10, { targetAccept: 1.2 })).rejects.toThrow(/targetAccept/);
    await expect(sample(eightSchools, 10, { metric: 'full' as never })).rejects.toThrow(/metric/);
    await expect(sample(eightSchools, 10, { backend: 'stan' as never })).rejects.toThrow(/backend/);
    // warmup's metric estimator and its schedule
    await expect(sample(eightSchools, 10, { metricAdaptation: 'fancy' as never })).rejects.toThrow(/\[sample\] metricAdaptation must be 'stan', 'gradient-diag', 'low-rank', got "fancy"/);
    await expect(sample(eightSchools, 10, { metricAdaptation: 'low-rank', metric: 'dense' })).rejects.toThrow(/metricAdaptation 'low-rank' estimates its own metric; metric must be left out or 'diag', got 'dense'/);
    await expect(sample(eightSchools, 10, { metricAdaptation: 'stan', warmupSchedule: { earlySwitch: 5 } })).rejects.toThrow(/warmupSchedule sets the schedule of metricAdaptation 'gradient-diag' or 'low-rank'; this run uses 'stan'/);
    await expect(sample(eightSchools, 10, { metricAdaptation: 'gradient-diag', warmupSchedule: { growth: 0 } })).rejects.toThrow(/\[sample\] warmupSchedule\.growth must be a finite number ≥ 1, got 0/);
    await expect(sample(eightSchools, 10, { metricAdaptation: 'gradient-diag', warmupSchedule: { window: 25 } as never })).rejects.toThrow(/warmupSchedule has no field 'window'/);
    await expect(sample(eightSchools, 10, { metricAdaptation: 'low-rank', device: 'gpu' })).rejects.toThrow(/metricAdaptation 'low-rank' runs on the CPU engines/);
  });
});

describe('warmup metric estimator by default (defaultMetricAdaptation)', () => {
  test("'gradient-diag' on the CPU, recorded in the fit; Stan's with metric 'dense' or adaptation 'pooled' and on the GPU", async () => {
    const o = { warmup: 40, chains: 2, seed: 3, backend: 'reference' as const };
    expect((await sample(eightSchools, 10, o)).data.config.metricAdaptation).toBe('gradient-diag');
    expect((await sample(eightSchools, 10, { ...o, metric: 'dense' })).data.config.metricAdaptation).toBeUndefined();
    expect((await sample(eightSchools, 10, { ...o, adaptation: 'pooled' })).data.config.metricAdaptation).toBeUndefined();
    expect(defaultMetricAdaptation({ device: 'gpu' })).toBe('stan');
    expect(defaultMetricAdaptation({ device: 'cpu', metric: 'diag', adaptation: 'chain' })).toBe('gradient-diag');
  });
});

describe('abort, progress and the event loop', () => {
  test('an AbortSignal stops sampling and returns the draws so far, marked incomplete', async () => {
    const ac = new AbortController();
    let seen = 0;
    const fit = await sample(eightSchools, 400, {
      ...small, backend: 'reference',
      progress: (e) => { if (e.phase === 'sampling' && e.iteration === 30 && ++seen === 1) ac.abort(); },
      signal: ac.signal,
    });
    expect(fit.complete).toBe(false);
    expect(fit.numDraws).toBe(30);
    expect(fit.warnings().some((w) => /aborted/.test(w))).toBe(true);
  });

  test('timers keep firing while sampling runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await sample(eightSchools, 300, { ...small, backend: 'reference', progress: false });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });
});

describe('output', () => {
  test('Stan CSV files are written per chain and read back equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-out-'));
    const fit = await sample(eightSchools, 40, { ...small, backend: 'reference', output: dir });
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
    expect(files).toEqual(['eight_schools-1.csv', 'eight_schools-2.csv']);
    const back = readStanCsv(join(dir, files[1]!));
    expect(back.complete).toBe(true);
    const col = back.columns.indexOf('theta[2]');
    expect(Array.from(back.values[col]!)).toEqual(Array.from(fit.draws('theta[2]')[1]!));
    expect(Array.from(back.stats.lp__)).toEqual(Array.from(fit.draws('lp__')[1]!));
    expect(back.adaptation?.stepSize).toBe(fit.data.adaptation[1]!.stepSize);
  });

  test('output is streamed: the adaptation block is on disk when sampling starts, an existing file is refused before any gradient, and a stopped run leaves its draws marked incomplete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-stream-'));
    const ac = new AbortController();
    let onDiskAtStart = '';
    const fit = await sample(eightSchools, 400, {
      ...small, backend: 'fused', output: dir, signal: ac.signal,
      progress: (e) => {
        if (e.phase === 'sampling' && e.chain === 0 && e.iteration === 1) onDiskAtStart = readFileSync(join(dir, 'eight_schools-1.csv'), 'utf8');
        if (e.phase === 'sampling' && e.chain === 1 && e.iteration === 25) ac.abort();
      },
    });
    expect(onDiskAtStart).toContain('# Adaptation terminated');
    expect(fit.numDraws).toBe(25);
    const back = readStanCsv(join(dir, 'eight_schools-2.csv'));
    expect(back.complete).toBe(false);
    expect(Array.from(back.values[back.columns.indexOf('tau')]!)).toEqual(Array.from(fit.draws('tau')[1]!));
    // the same directory again: its files are in the way, an error before the model's first gradient
    let gradients = 0;
    await expect(sample(eightSchools, 10, { ...small, backend: 'fused', output: dir, progress: () => { gradients++; } }))
      .rejects.toThrow(/eight_schools-1\.csv/);
    expect(gradients).toBe(0);
    const again = await sample(eightSchools, 10, { ...small, backend: 'fused', output: dir, overwrite: true });
    expect(readStanCsv(join(dir, 'eight_schools-1.csv')).complete).toBe(again.complete);
  });

  test('thin keeps iterations 0, thin, 2·thin, … of the unthinned run; saveWarmup keeps the warmup draws on the fit and in the files', async () => {
    const all = await sample(eightSchools, 20, { ...small, backend: 'fused', saveWarmup: true });
    const thinned = await sample(eightSchools, 20, { ...small, backend: 'fused', thin: 3, saveWarmup: true });
    expect(thinned.numDraws).toBe(7); // iterations 0, 3, …, 18
    for (let c = 0; c < 2; c++) {
      expect(Array.from(thinned.draws('tau')[c]!)).toEqual(Array.from(all.draws('tau')[c]!).filter((_, i) => i % 3 === 0));
      expect(Array.from(thinned.draws('lp__')[c]!)).toEqual(Array.from(all.draws('lp__')[c]!).filter((_, i) => i % 3 === 0));
    }
    expect(thinned.data.config).toMatchObject({ thin: 3, saveWarmup: true });
    const tau = all.data.columns.indexOf('tau');
    expect(all.data.warmupValues![0]![tau]).toHaveLength(small.warmup);
    expect(thinned.data.warmupValues![1]![tau]).toHaveLength(Math.ceil(small.warmup / 3));
    expect(Array.from(thinned.data.warmupValues![1]![tau]!)).toEqual(Array.from(all.data.warmupValues![1]![tau]!).filter((_, i) => i % 3 === 0));
    // the draws before the first warmup transition are not the initial point: warmup draws are real transitions
    expect(all.data.warmupValues![0]![tau]!.every(Number.isFinite)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-warmup-'));
    await sample(eightSchools, 20, { ...small, backend: 'fused', saveWarmup: true, output: dir });
    const text = readFileSync(join(dir, 'eight_schools-1.csv'), 'utf8');
    const rows = text.split('\n').filter((l) => /^-?\d/.test(l));
    expect(rows).toHaveLength(small.warmup + 20);
    expect(text).toMatch(/save_warmup = (1|true)/);
    await expect(sample(eightSchools, 5, { ...small, thin: 0 })).rejects.toThrow(/thin must be an integer ≥ 1, got 0/);
  });

  test('a summary row per column with Stan-named stats available', async () => {
    const fit = await sample(eightSchools, 100, { ...small, backend: 'reference' });
    const rows = fit.summary();
    expect(rows.map((r) => r.name)).toEqual(fit.columns);
    expect(rows[0]).toMatchObject({ name: 'mu' });
    for (const k of ['mean', 'sd', 'mcseMean', 'q5', 'q50', 'q95', 'essBulk', 'essTail', 'rhat']) expect(rows[0]).toHaveProperty(k);
    expect(fit.draws('treedepth__')).toHaveLength(2);
    expect(() => fit.draws('theta')).toThrow(/theta\[0\]/);
    expect(sum).toBeTypeOf('function');
  });
});

describe('posterior predictive', () => {
  test('draws of the observed nodes, one data set per posterior draw, centred on the fitted values', async () => {
    const y = [1.2, 0.8, 1.1, 0.9, 1.4, 1.0];
    const m = model('ppc', (b) => {
      const mu = b.param('mu', Normal(0, 5));
      b.observe(Normal(mu, 0.5), y, 'y');
    });
    const fit = await sample(m, 400, { chains: 2, seed: 4, backend: 'reference' });
    const ppc = fit.posteriorPredictive({ seed: 1 });
    expect(ppc.y).toHaveLength(2);
    expect(ppc.y![0]!.length).toBe(400 * y.length);
    const all = [...ppc.y![0]!, ...ppc.y![1]!];
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    // predictive mean ≈ ȳ; predictive sd ≈ sqrt(0.5² + posterior var of mu ≈ 0.25/6 + …)
    expect(Math.abs(mean - 1.0666)).toBeLessThan(0.05);
    expect(Math.abs(sd - Math.sqrt(0.25 + 0.25 / 6))).toBeLessThan(0.03);
    expect(Array.from(fit.posteriorPredictive({ seed: 1 }).y![1]!)).toEqual(Array.from(ppc.y![1]!));
  });
});

describe('sampling profile (MLX backend)', () => {
  test('splits post-warmup time into parts that are non-negative and add up to the sampling time', async () => {
    const fit = await sample(eightSchools, 60, { warmup: 60, chains: 2, seed: 5, backend: 'mlx' });
    expect(fit.engine.name).toBe('typescript');
    const p = fit.engine.mlxProfile!;
    expect(p).toBeDefined();
    const parts = [p.nativeGraphBuild, p.nativeEval, p.hostDeviceCopies, p.nativeLeapfrog, p.recordDraws, p.typescript];
    for (const x of parts) expect(x).toBeGreaterThanOrEqual(0);
    expect(p.nativeValueAndGrad).toBeCloseTo(p.nativeGraphBuild + p.nativeEval, 12);
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(fit.data.timing.samplingSeconds, 9);
    // every post-warmup gradient call is counted: at least one per draw and chain batch, at most 2^10 per draw
    expect(p.gradientCalls).toBeGreaterThanOrEqual(60);
    expect(p.gradientCalls).toBeLessThanOrEqual(60 * 1023);
    expect(p.primitivesPerCall).toBeGreaterThan(5);
    const ref = await sample(eightSchools, 10, { warmup: 10, chains: 1, seed: 5, backend: 'reference' });
    expect(ref.engine.mlxProfile).toBeUndefined();
  });
});

describe('thread pinning on the CPU (Linux)', () => {
  const allowed = () => readFileSync(`/proc/${process.pid}/task/${process.pid}/status`, 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)![1]!;
  test.runIf(process.platform === 'linux' && cpus().length > 1)('holds one core while sampling and restores the affinity', async () => {
    const before = allowed();
    const seen = new Set<string>();
    let onThatCore = 0; // threads of this process allowed only the pinned core: this one and MLX's stream thread
    await sample(eightSchools, 20, { warmup: 20, chains: 1, seed: 1, backend: 'mlx', progress: () => {
      seen.add(allowed());
      onThatCore = readdirSync(`/proc/${process.pid}/task`).filter((t) =>
        readFileSync(`/proc/${process.pid}/task/${t}/status`, 'utf8').includes(`Cpus_allowed_list:\t${allowed()}\n`)).length;
    } });
    expect([...seen]).toHaveLength(1);
    expect([...seen][0]).toMatch(/^\d+$/); // a single CPU
    expect(onThatCore).toBe(2);
    expect(allowed()).toBe(before);
    seen.clear();
    await sample(eightSchools, 20, { warmup: 20, chains: 1, seed: 1, backend: 'mlx', mlx: { pinThreads: false }, progress: () => seen.add(allowed()) });
    expect([...seen]).toEqual([before]);
  });
});
