// src/io: Stan CSV writer and reader (layout, naming, exact round trip, incomplete marking, errors) and the JSON form.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAMPLER_STATS, type FitData } from 'mlx-nuts';
import { fitDataFromStanCsv, fitFromJSON, fitToJSON, readStanCsv, writeStanCsv, type StanCsv } from '../src/io/index.ts';
import { syntheticFit } from './interop/synthetic.ts';

/** Exact comparison of floats: -0 and NaN kept distinct from 0 and from each other's absence. */
const exact = (a: ArrayLike<number>): (number | string)[] =>
  Array.from(a, (x) => (Object.is(x, -0) ? '-0' : Number.isNaN(x) ? 'NaN' : x));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-io-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function expectChainMatches(read: StanCsv, fit: FitData, c: number): void {
  expect(read.columns).toEqual(fit.columns);
  read.values.forEach((col, j) => expect(exact(col)).toEqual(exact(fit.values[c]![j]!)));
  for (const s of SAMPLER_STATS) expect(exact(read.stats[s])).toEqual(exact(fit.stats[c]![s]));
  expect(read.adaptation).not.toBeNull();
  expect(read.adaptation!.metric).toBe(fit.adaptation[c]!.metric);
  expect(exact([read.adaptation!.stepSize])).toEqual(exact([fit.adaptation[c]!.stepSize]));
  expect(exact(read.adaptation!.invMetric)).toEqual(exact(fit.adaptation[c]!.invMetric));
}

describe('writeStanCsv layout and naming', () => {
  it('names parameters 1-based and dot-separated, column-major within a matrix, after the seven sampler stats', () => {
    const fit = syntheticFit();
    const [p1] = writeStanCsv(fit, dir);
    const lines = readFileSync(p1!, 'utf8').split('\n');
    const header = lines.find((l) => !l.startsWith('#'));
    expect(header).toBe(
      'lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1,theta.2,theta.3,L.1.1,L.2.1,L.1.2,L.2.2,L.1.3,L.2.3',
    );
    // The first draw row: the value under L.2.1 is FitData's L[1,0].
    const row = lines[lines.indexOf(header!) + 5]!.split(',');
    const names = header!.split(',');
    expect(Number(row[names.indexOf('L.2.1')])).toBe(fit.values[0]![fit.columns.indexOf('L[1,0]')]![0]);
    expect(Number(row[names.indexOf('L.1.2')])).toBe(fit.values[0]![fit.columns.indexOf('L[0,1]')]![0]);
    expect(Number(row[names.indexOf('mu')])).toBe(fit.values[0]![0]![0]);
  });

  it('writes one file per chain named <model>-<chain+1>.csv with the CmdStan comment blocks in order', () => {
    const fit = syntheticFit({ modelName: 'eight_schools', chains: 3, draws: 4 });
    const paths = writeStanCsv(fit, dir);
    expect(paths).toEqual([1, 2, 3].map((k) => join(dir, `eight_schools-${k}.csv`)));
    expect(readdirSync(dir).sort()).toEqual(['eight_schools-1.csv', 'eight_schools-2.csv', 'eight_schools-3.csv']);
    const text = readFileSync(paths[1]!, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines[0]).toBe('# model = eight_schools');
    for (const l of ['# method = sample (Default)', '#     num_samples = 4', '#     num_warmup = 10', '#       delta = 0.8',
      '#             max_depth = 10', '#         metric = diag_e', '# id = 2', '#   seed = 7', '# backend = reference', '# dtype = float64']) {
      expect(lines).toContain(l);
    }
    expect(lines.some((l) => /^# mlx-nuts version = \d+\.\d+\.\d+/.test(l))).toBe(true);
    const h = lines.findIndex((l) => l.startsWith('lp__,'));
    expect(lines.slice(h + 1, h + 4)).toEqual([
      '# Adaptation terminated',
      `# Step size = ${fit.adaptation[1]!.stepSize}`,
      '# Diagonal elements of inverse mass matrix:',
    ]);
    expect(lines[h + 4]).toBe(`# ${Array.from(fit.adaptation[1]!.invMetric).join(', ')}`);
    expect(lines.slice(h + 5, h + 9).every((l) => !l.startsWith('#'))).toBe(true);
    expect(lines.slice(h + 9)).toEqual([
      '# ',
      `#  Elapsed Time: ${fit.timing.warmupSeconds} seconds (Warm-up)`,
      `#                ${fit.timing.samplingSeconds} seconds (Sampling)`,
      `#                ${fit.timing.warmupSeconds + fit.timing.samplingSeconds} seconds (Total)`,
      '# ',
    ]);
    expect(text).not.toContain('INCOMPLETE');
  });

  it('writes a dense metric one row per line under CmdStan\'s dense title', () => {
    const fit = syntheticFit({ metric: 'dense', chains: 1 });
    const lines = readFileSync(writeStanCsv(fit, dir)[0]!, 'utf8').split('\n');
    const t = lines.indexOf('# Elements of inverse mass matrix:');
    expect(t).toBeGreaterThan(0);
    expect(lines).toContain('#         metric = dense_e');
    const dim = 4;
    for (let i = 0; i < dim; i++) {
      expect(lines[t + 1 + i]).toBe(`# ${Array.from(fit.adaptation[0]!.invMetric.slice(i * dim, (i + 1) * dim)).join(', ')}`);
    }
    expect(lines[t + 1 + dim]!.startsWith('#')).toBe(false);
  });

  it('leaves no .partial file behind', () => {
    writeStanCsv(syntheticFit(), dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('Stan CSV round trip', () => {
  it('reads back every value, statistic, step size and metric bit for bit, awkward numbers included', () => {
    const fit = syntheticFit({ chains: 3, draws: 40, awkward: true });
    const paths = writeStanCsv(fit, dir);
    paths.forEach((p, c) => {
      const read = readStanCsv(p);
      expectChainMatches(read, fit, c);
      expect(read.complete).toBe(true);
      expect(read.incompleteReason).toBeNull();
      expect(read.warmup).toBeNull();
      expect(read.config.modelName).toBe('synthetic');
      expect(read.config.chainId).toBe(c + 1);
      expect(read.config.numSamples).toBe(40);
      expect(read.config.numWarmup).toBe(10);
      expect(read.config.targetAccept).toBe(0.8);
      expect(read.config.maxTreeDepth).toBe(10);
      expect(read.config.metric).toBe('diag');
      expect(read.config.seed).toBe(7);
      expect([read.config.backend, read.config.dtype, read.config.device]).toEqual(['reference', 'float64', 'cpu']);
      expect(read.config.clampHits).toBe(c);
      expect(read.config.compileSeconds).toBe(0.0625);
      expect(read.config.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(read.timing).toEqual({ warmupSeconds: 0.132, samplingSeconds: 0.5 / 3, totalSeconds: 0.132 + 0.5 / 3 });
    });
  });

  it('round-trips a dense metric and a fit of only scalars', () => {
    const fit = syntheticFit({ metric: 'dense', chains: 2 });
    writeStanCsv(fit, dir).forEach((p, c) => expectChainMatches(readStanCsv(p), fit, c));
    const scalars = syntheticFit({ modelName: 's', variables: [{ name: 'a', shape: [], kind: 'param' }, { name: 'b_2', shape: [], kind: 'deterministic' }] });
    writeStanCsv(scalars, dir).forEach((p, c) => expectChainMatches(readStanCsv(p), scalars, c));
  });

  it("reads back the warmup's metric estimator and schedule (metric_adaptation, warmup_schedule) and refuses a bad one", () => {
    const base = syntheticFit({ metric: 'dense', chains: 2 });
    const schedule = { earlyWindow: 0.3, stepSizeWindow: 0.15, earlySwitch: 5, firstWindow: 80, growth: 1.5 };
    const fit = { ...base, config: { ...base.config, metricAdaptation: 'low-rank' as const, warmupSchedule: schedule } };
    const paths = writeStanCsv(fit, dir);
    const read = readStanCsv(paths[0]!);
    expect(read.config.metricAdaptation).toBe('low-rank');
    expect(read.config.warmupSchedule).toEqual(schedule);
    const back = fitDataFromStanCsv(paths);
    expect(back.config.metricAdaptation).toBe('low-rank');
    expect(back.config.warmupSchedule).toEqual(schedule);
    // a file without the lines (CmdStan's, or Stan's adaptation in older versions) reads as null / absent
    const plain = writeStanCsv(syntheticFit({ chains: 1 }), join(dir, 'plain'));
    expect(readStanCsv(plain[0]!).config.metricAdaptation).toBeNull();
    expect(fitDataFromStanCsv(plain).config.metricAdaptation).toBeUndefined();
    const text = readFileSync(paths[0]!, 'utf8');
    writeFileSync(join(dir, 'bad1.csv'), text.replace('# metric_adaptation = low-rank', '# metric_adaptation = fancy'));
    expect(() => readStanCsv(join(dir, 'bad1.csv'))).toThrow(/^\[readStanCsv\] .*bad1\.csv: metric_adaptation = fancy: expected one of stan, gradient-diag, low-rank/);
    writeFileSync(join(dir, 'bad2.csv'), text.replace('earlySwitch=5', 'earlySwitch=five'));
    expect(() => readStanCsv(join(dir, 'bad2.csv'))).toThrow(/^\[readStanCsv\] .*bad2\.csv: warmup_schedule = .*'earlySwitch=five' is not name=number/);
  });

  it('round-trips a 3-d array in column-major file order', () => {
    const fit = syntheticFit({ modelName: 'cube', chains: 1, variables: [{ name: 'x', shape: [2, 3, 2], kind: 'param' }] });
    const [p] = writeStanCsv(fit, dir);
    const header = readFileSync(p!, 'utf8').split('\n').find((l) => l.startsWith('lp__'))!.split(',').slice(7);
    expect(header.slice(0, 4)).toEqual(['x.1.1.1', 'x.2.1.1', 'x.1.2.1', 'x.2.2.1']);
    expect(header[6]).toBe('x.1.1.2');
    expectChainMatches(readStanCsv(p!), fit, 0);
  });
});

describe('incomplete runs', () => {
  it('marks an aborted chain at the top of its file and reads back the draws it has', () => {
    const fit = syntheticFit({ draws: 25, drawsDone: 10 });
    expect(fit.complete).toBe(false);
    const paths = writeStanCsv(fit, dir);
    const text = readFileSync(paths[0]!, 'utf8');
    expect(text.split('\n')[0]).toBe('# INCOMPLETE: sampling was aborted after 10 of 25 draws');
    expect(text).toContain('#     num_samples = 25');
    const read = readStanCsv(paths[0]!);
    expect(read.complete).toBe(false);
    expect(read.incompleteReason).toBe('sampling was aborted after 10 of 25 draws');
    expect(read.values[0]!.length).toBe(10);
    expectChainMatches(read, fit, 0);
  });

  it('marks a chain short of config.draws even when the fit claims to be complete', () => {
    const short = { ...syntheticFit({ draws: 25, drawsDone: 5 }), complete: true };
    const text = readFileSync(writeStanCsv(short, dir)[0]!, 'utf8');
    expect(text.startsWith('# INCOMPLETE: sampling was aborted after 5 of 25 draws\n')).toBe(true);
  });

  it('reads a file cut off mid-row as incomplete, keeping only whole rows', () => {
    const fit = syntheticFit({ chains: 1, draws: 20 });
    const [p] = writeStanCsv(fit, dir);
    const text = readFileSync(p!, 'utf8');
    const rows = text.split('\n');
    const h = rows.findIndex((l) => l.startsWith('lp__'));
    const cut = rows.slice(0, h + 5 + 7).join('\n') + '\n' + rows[h + 5 + 7]!.slice(0, 20);
    writeFileSync(join(dir, 'cut.csv'), cut);
    const read = readStanCsv(join(dir, 'cut.csv'));
    expect(read.complete).toBe(false);
    expect(read.incompleteReason).toMatch(/last line is cut off/);
    expect(read.values[0]!.length).toBe(7);
    expect(exact(read.values[0]!)).toEqual(exact(fit.values[0]![0]!.slice(0, 7)));
    // Whole rows but no timing block: the run did not finish.
    writeFileSync(join(dir, 'notiming.csv'), rows.slice(0, h + 5 + 7).join('\n') + '\n');
    const r2 = readStanCsv(join(dir, 'notiming.csv'));
    expect(r2.complete).toBe(false);
    expect(r2.incompleteReason).toMatch(/no timing block/);
  });
});

describe('readStanCsv on a CmdStan-style file', () => {
  // Laid out as CmdStan 2.3x writes a run with save_warmup = true and a dense metric: 6 significant digits,
  // '(Default)' annotations, stan_version lines, and a column-major matrix.
  const cmdstan = [
    '# stan_version_major = 2', '# stan_version_minor = 36', '# stan_version_patch = 0', '# model = tiny_model',
    '# method = sample (Default)', '#   sample', '#     num_samples = 2', '#     num_warmup = 1', '#     save_warmup = true',
    '#     thin = 1 (Default)', '#     adapt', '#       engaged = true (Default)', '#       delta = 0.9',
    '#     algorithm = hmc (Default)', '#       hmc', '#         engine = nuts (Default)', '#           nuts',
    '#             max_depth = 12', '#         metric = dense_e', '# id = 3', '# random', '#   seed = 4242',
    'lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,m.1.1,m.2.1,m.1.2,m.2.2,sigma',
    '-9.1,0.5,1,1,1,0,10.2,1,2,3,4,0.5',
    '# Adaptation terminated', '# Step size = 0.813694', '# Elements of inverse mass matrix:', '# 1.5, 0.25', '# 0.25, 2',
    '-7.61324,0.953,0.813694,2,3,0,8.00143,0.1,0.2,0.3,0.4,1.25e-05',
    '-6.5,1,0.813694,1,1,1,7.5,-inf,nan,inf,-0.5,2',
    '# ', '#  Elapsed Time: 0.005 seconds (Warm-up)', '#                0.012 seconds (Sampling)',
    '#                0.017 seconds (Total)', '# ', '',
  ].join('\n');

  it('reads draws in row-major FitData order, warmup rows, the dense metric and the configuration', () => {
    const p = join(dir, 'tiny-3.csv');
    writeFileSync(p, cmdstan);
    const r = readStanCsv(p);
    expect(r.columns).toEqual(['m[0,0]', 'm[0,1]', 'm[1,0]', 'm[1,1]', 'sigma']);
    expect(exact(r.values[1]!)).toEqual([0.3, Infinity]);
    expect(exact(r.values[2]!)).toEqual([0.2, 'NaN']);
    expect(exact(r.values[4]!)).toEqual([1.25e-5, 2]);
    expect(exact(r.stats.divergent__)).toEqual([0, 1]);
    expect(r.warmup).not.toBeNull();
    expect(exact(r.warmup!.values[1]!)).toEqual([3]);
    expect(exact(r.warmup!.stats.lp__)).toEqual([-9.1]);
    expect(r.adaptation).toEqual({ stepSize: 0.813694, metric: 'dense', invMetric: Float64Array.from([1.5, 0.25, 0.25, 2]) });
    expect(r.config.metric).toBe('dense');
    expect(r.config.chainId).toBe(3);
    expect(r.config.saveWarmup).toBe(true);
    expect(r.config.targetAccept).toBe(0.9);
    expect(r.config.maxTreeDepth).toBe(12);
    expect(r.config.raw.stan_version_minor).toBe('36');
    expect(r.config.version).toBeNull();
    expect(r.timing).toEqual({ warmupSeconds: 0.005, samplingSeconds: 0.012, totalSeconds: 0.017 });
    expect(r.complete).toBe(true);
  });

  it('says which line is malformed', () => {
    const p = join(dir, 'bad.csv');
    writeFileSync(p, cmdstan.replace('-6.5,1,0.813694', '-6.5,1,zero'));
    expect(() => readStanCsv(p)).toThrow(/^\[readStanCsv\] .*bad\.csv: line 31: 'zero' is not a number/);
    writeFileSync(p, cmdstan.replace('-6.5,1,0.813694,', '-6.5,1,'));
    expect(() => readStanCsv(p)).toThrow(/^\[readStanCsv\] .*line 31: expected 12 values, found 11/);
    writeFileSync(p, '# only comments\n');
    expect(() => readStanCsv(p)).toThrow(/^\[readStanCsv\] .*no header row/);
    writeFileSync(p, cmdstan.replace('accept_stat__,', ''));
    expect(() => readStanCsv(p)).toThrow(/^\[readStanCsv\]/);
    expect(() => readStanCsv(join(dir, 'absent.csv'))).toThrow(/^\[readStanCsv\] cannot read .*absent\.csv/);
  });
});

describe('writeStanCsv refuses bad input and never loses a file', () => {
  it('refuses a directory path that is a file, or that cannot be created', () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'keep me');
    expect(() => writeStanCsv(syntheticFit(), file)).toThrow(/^\[writeStanCsv\] output directory .*plain\.txt exists and is not a directory/);
    expect(() => writeStanCsv(syntheticFit(), join(file, 'sub'))).toThrow(/^\[writeStanCsv\] output directory .*sub cannot be created: .*plain\.txt is a file/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('creates a missing output directory', () => {
    const out = join(dir, 'a', 'b');
    const paths = writeStanCsv(syntheticFit(), out);
    expect(paths.every((p) => existsSync(p))).toBe(true);
  });

  it('refuses to overwrite an existing file, writing nothing, unless overwrite is set', () => {
    const existing = join(dir, 'synthetic-2.csv');
    writeFileSync(existing, 'unrelated');
    expect(() => writeStanCsv(syntheticFit(), dir)).toThrow(/^\[writeStanCsv\] .*synthetic-2\.csv already exists; pass \{ overwrite: true \}/);
    expect(readdirSync(dir)).toEqual(['synthetic-2.csv']);
    expect(readFileSync(existing, 'utf8')).toBe('unrelated');
    const fit = syntheticFit();
    writeStanCsv(fit, dir, { overwrite: true });
    expectChainMatches(readStanCsv(existing), fit, 1);
  });

  it('refuses a target that is a directory, and a leftover .partial file, even before writing chain 1', () => {
    mkdirSync(join(dir, 'synthetic-2.csv'));
    expect(() => writeStanCsv(syntheticFit(), dir, { overwrite: true })).toThrow(/^\[writeStanCsv\] .*synthetic-2\.csv is a directory/);
    expect(existsSync(join(dir, 'synthetic-1.csv'))).toBe(false);
    rmSync(join(dir, 'synthetic-2.csv'), { recursive: true });
    writeFileSync(join(dir, 'synthetic-1.csv.partial'), 'half');
    expect(() => writeStanCsv(syntheticFit(), dir)).toThrow(/^\[writeStanCsv\] .*synthetic-1\.csv\.partial already exists/);
    writeStanCsv(syntheticFit(), dir, { overwrite: true });
    expect(readdirSync(dir).sort()).toEqual(['synthetic-1.csv', 'synthetic-2.csv']);
  });

  it('reports a failure part-way through, keeping the chains already written and removing nothing it did not create', () => {
    // A dangling symlink passes the existence checks but makes the exclusive create of chain 2's .partial fail.
    symlinkSync(join(dir, 'nowhere'), join(dir, 'synthetic-2.csv.partial'));
    const fit = syntheticFit();
    expect(() => writeStanCsv(fit, dir)).toThrow(
      /^\[writeStanCsv\] could not write .*synthetic-2\.csv: .*EEXIST.*\(complete files already written: .*synthetic-1\.csv\)$/,
    );
    expectChainMatches(readStanCsv(join(dir, 'synthetic-1.csv')), fit, 0);
    expect(readdirSync(dir).sort()).toEqual(['synthetic-1.csv', 'synthetic-2.csv.partial']);
  });

  it('refuses column names a Stan CSV header cannot carry, and inconsistent fits', () => {
    const base = syntheticFit({ chains: 1, variables: [{ name: 'mu', shape: [], kind: 'param' }] });
    for (const [name, why] of [['a.b', /'\.' or ':'/], ['x,y', /comma/], ['lp__', /'__'/], ['', /empty/]] as const) {
      expect(() => writeStanCsv({ ...base, columns: [name] }, dir)).toThrow(new RegExp(`^\\[writeStanCsv\\] column name '${name.replace('.', '\\.')}' .*${why.source}`));
    }
    expect(() => writeStanCsv({ ...base, stats: [] }, dir)).toThrow(/^\[writeStanCsv\] values has 1 chains but stats has 0/);
    expect(() => writeStanCsv({ ...base, values: [] , stats: [], adaptation: [] }, dir)).toThrow(/^\[writeStanCsv\] the fit has no chains/);
    expect(() => writeStanCsv({ ...base, config: { ...base.config, draws: 3 } }, dir)).toThrow(/^\[writeStanCsv\] chain 0 has 25 draws, more than config\.draws = 3/);
    const dense = { ...base, adaptation: [{ stepSize: 1, metric: 'dense' as const, invMetric: new Float64Array(3) }] };
    expect(() => writeStanCsv(dense, dir)).toThrow(/^\[writeStanCsv\] chain 0: a dense invMetric needs dim × dim entries, got 3/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('fitToJSON / fitFromJSON', () => {
  const sameFit = (a: FitData, b: FitData): void => {
    const norm = (f: FitData) => ({
      ...f,
      values: f.values.map((ch) => ch.map(exact)),
      stats: f.stats.map((s) => SAMPLER_STATS.map((k) => exact(s[k]))),
      warmupStats: f.warmupStats.map((s) => SAMPLER_STATS.map((k) => exact(s[k]))),
      adaptation: f.adaptation.map((x) => ({ ...x, stepSize: exact([x.stepSize]), invMetric: exact(x.invMetric) })),
      timing: exact([f.timing.warmupSeconds, f.timing.samplingSeconds, f.timing.compileSeconds]),
    });
    expect(norm(b)).toEqual(norm(a));
  };

  it('round-trips exactly through JSON text, awkward numbers, dense metrics and incomplete fits included', () => {
    for (const fit of [syntheticFit({ awkward: true }), syntheticFit({ metric: 'dense', drawsDone: 7, awkward: true })]) {
      const text = JSON.stringify(fitToJSON(fit));
      const back = fitFromJSON(text);
      sameFit(fit, back);
      expect(back.values[0]![0]).toBeInstanceOf(Float64Array);
      expect(fitFromJSON(JSON.parse(text))).toEqual(back);
    }
  });

  it('carries a format and version field and spells non-finite values as strings', () => {
    const j = fitToJSON(syntheticFit({ awkward: true }));
    expect(j.format).toBe('mlx-nuts-fit');
    expect(j.version).toBe(1);
    const k = j.columns.indexOf('L[1,2]');
    expect(j.values[0]![k]!.slice(0, 4)).toEqual(['NaN', 'Infinity', '-Infinity', '-0']);
  });

  it('rejects other versions and malformed fields, naming the field', () => {
    const j = JSON.parse(JSON.stringify(fitToJSON(syntheticFit())));
    expect(() => fitFromJSON({ ...j, version: 2 })).toThrow(/^\[fitFromJSON\] version: this library reads version 1, got 2/);
    expect(() => fitFromJSON({ ...j, format: 'x' })).toThrow(/^\[fitFromJSON\] format:/);
    expect(() => fitFromJSON('{not json')).toThrow(/^\[fitFromJSON\] input: not valid JSON/);
    const bad = JSON.parse(JSON.stringify(j));
    bad.values[1][2][3] = 'oops';
    expect(() => fitFromJSON(bad)).toThrow(/^\[fitFromJSON\] values\[1\]\[2\]\[3\]: expected a number or one of/);
    const short = JSON.parse(JSON.stringify(j));
    short.stats[0].lp__.pop();
    expect(() => fitFromJSON(short)).toThrow(/^\[fitFromJSON\] stats\[0\]\.lp__: expected 25 entries, got 24/);
    expect(() => fitFromJSON({ ...j, config: { ...j.config, metric: 'unit' } })).toThrow(/^\[fitFromJSON\] config\.metric: expected one of 'diag', 'dense'/);
    expect(() => fitFromJSON({ ...j, config: { ...j.config, warmupSchedule: { growth: 'fast' } } })).toThrow(/^\[fitFromJSON\] config\.warmupSchedule\.growth:/);
  });

  it("keeps the warmup's metric estimator and schedule (config.metricAdaptation, config.warmupSchedule)", () => {
    const base = syntheticFit();
    const config = { ...base.config, metricAdaptation: 'gradient-diag' as const, warmupSchedule: { earlyWindow: 0.3, stepSizeWindow: 0.15, earlySwitch: 10, firstWindow: 80, growth: 1.5 } };
    const back = fitFromJSON(JSON.stringify(fitToJSON({ ...base, config })));
    expect(back.config.metricAdaptation).toBe('gradient-diag');
    expect(back.config.warmupSchedule).toEqual(config.warmupSchedule);
  });
});
