// The workflow around a fit: zero-draw fits, one set of warnings and number formats, CSV and JSON round trips with the
// model passed again, and the log density at a named constrained point.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Fit, fitFromStanCsv, HalfNormal, log, logDensityAt, logDensitySync, model, Normal, reportHtml, sample, StanCsvStream, Uniform, writeStanCsv } from 'mlx-nuts';
import { eightSchools } from '../models/eight_schools.ts';
import { syntheticFit } from './fixtures/syntheticFit.ts';
import { fitWarnings, summaryRows } from '../src/fit/warnings.ts';

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-workflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ref = { backend: 'reference', chains: 2, seed: 11 } as const;

describe('a fit with no post-warmup draws is a valid result', () => {
  test('draws: 0 — summary, warnings, table and report say so instead of throwing', async () => {
    const fit = await sample(eightSchools, 0, { ...ref, warmup: 30 });
    expect(fit.numDraws).toBe(0);
    expect(fit.summary()).toEqual([]);
    expect(fit.noDraws).toMatch(/^no draws: draws = 0 was asked for/);
    expect(fit.warnings()).toEqual([expect.stringMatching(/^No draws: draws = 0 was asked for \(warmup only, 30 iterations\)/)]);
    expect(fit.summaryTable().split('\n')[1]).toMatch(/^\(no draws: draws = 0/);
    const html = reportHtml(fit);
    expect(html).toMatch(/<p class="nodraws">no draws: draws = 0 was asked for .*: the plots of draws are left out; the warmup view shows how far adaptation got\.<\/p>/);
    expect(html).not.toContain('id="plot-trace"');
    expect(html).toContain('id="plot-warmup"');
  });

  test('stopped during warmup (an already-aborted signal) — "no draws: stopped during warmup"', async () => {
    const ac = new AbortController();
    ac.abort();
    const fit = await sample(eightSchools, 50, { ...ref, warmup: 100, signal: ac.signal });
    expect(fit.complete).toBe(false);
    expect(fit.numDraws).toBe(0);
    expect(fit.noDraws).toMatch(/^no draws: stopped during warmup, after \d+ of 100 iterations$/);
    expect(fit.warnings()).toHaveLength(1);
    expect(fit.summaryTable()).toMatch(/\(no draws: stopped during warmup/);
    expect(() => reportHtml(fit.data)).not.toThrow();
  });

  test('the same holds for a hand-made FitData with empty chains', () => {
    const f = syntheticFit({ chains: 2, draws: 0, warmup: 40 });
    const fit = new Fit({ ...f, config: { ...f.config, draws: 50 }, complete: false });
    expect(fit.noDraws).toBe('no draws: stopped at the end of warmup, before the first draw');
    expect(reportHtml(fit)).toContain('no draws: stopped at the end of warmup');
  });
});

describe('warnings and number formats', () => {
  test('a deterministic that becomes non-finite is a warning naming it, the chain and the draw', async () => {
    const m = model('logmu', (b) => {
      const mu = b.param('mu', Normal(0, 1));
      b.deterministic('log_mu', log(mu));
    });
    const fit = await sample(m, 200, { ...ref, warmup: 100 });
    const w = fit.warningList().find((x) => x.kind === 'nonfinite');
    expect(w?.message).toMatch(/^Deterministic 'log_mu' is not finite in \d+ of 400 values \(first: chain \d, draw \d+, log_mu = NaN\); its summary shows NA/);
    expect(fit.summaryTable()).toMatch(/log_mu +NA +NA/);
  });

  test('the summary is made once per draw count: a second call gives equal rows, and changing the array changes nothing', () => {
    const fit = new Fit(syntheticFit({ chains: 4, draws: 200 }));
    const a = fit.summary();
    const want = summaryRows(fit.data);
    expect(a).toEqual(want);
    a.splice(0, 1);
    expect(fit.summary()).toEqual(want);
    expect(fit.warnings()).toEqual(fitWarnings(fit.data).map((w) => w.message));
  });

  test('R-hat prints with 3 decimals and ESS as whole numbers, in the table and the report', () => {
    const fit = new Fit(syntheticFit({ chains: 4, draws: 200 }));
    const rows = fit.summaryTable().split('\n').slice(1);
    for (const r of rows) {
      const cells = r.trim().split(/\s+/);
      expect(cells[7]).toMatch(/^\d+$/);
      expect(cells[8]).toMatch(/^\d+$/);
      expect(cells[9]).toMatch(/^\d\.\d{3}$/);
    }
    const html = reportHtml(fit.data);
    const firstRow = /<tbody>\n<tr>(.*?)<\/tr>/.exec(html)![1]!;
    const cells = [...firstRow.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]!);
    expect(cells[0]).toBe('mu');
    expect(cells[7]).toMatch(/^\d+$/);
    expect(cells[9]).toMatch(/^\d\.\d{3}$/);
  });

  test('the report lists exactly fit.warnings(), chains numbered from 0 in both', () => {
    const f = syntheticFit({ chains: 4, draws: 200, chainShift: 3, divergeEvery: 50 });
    const stats = f.stats.map((s, c) => (c === 2 ? { ...s, energy__: Float64Array.from(s.energy__, (_, i) => i) } : s));
    const fit = new Fit({ ...f, stats });
    const messages = fit.warnings();
    expect(messages.some((m) => m.startsWith('Chain 2: E-BFMI'))).toBe(true);
    const html = reportHtml(fit);
    const listed = [...html.matchAll(/<li data-kind="[a-z]+">(.*?)<\/li>/g)].map((m) => m[1]!.replace(/&#39;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))));
    expect(listed).toEqual(messages);
  });
});

describe('round trips with the model passed again', () => {
  test('fitFromStanCsv reads written files back into an equal fit; summary and warnings agree', async () => {
    const fit = await sample(eightSchools, 60, { ...ref, warmup: 60 });
    const paths = writeStanCsv(fit.data, join(dir, 'csv'));
    const back = fitFromStanCsv(paths, { model: eightSchools });
    expect(back.columns).toEqual(fit.columns);
    expect(Array.from(back.flat('theta[3]'))).toEqual(Array.from(fit.flat('theta[3]')));
    expect(Array.from(back.flat('divergent__'))).toEqual(Array.from(fit.flat('divergent__')));
    expect(back.summaryTable()).toBe(fit.summaryTable());
    expect(back.warnings()).toEqual(fit.warnings());
    expect(back.data.variables.map((v) => `${v.name}[${v.shape}]`)).toEqual(['mu[]', 'tau[]', 'theta_tilde[8]', 'theta[8]']);
    expect(back.data.adaptation[1]!.stepSize).toBe(fit.data.adaptation[1]!.stepSize);
    const pp = back.posteriorPredictive({ seed: 5 });
    expect(Array.from(pp['y']![1]!)).toEqual(Array.from(fit.posteriorPredictive({ seed: 5 })['y']![1]!));
  });

  test('fitFromStanCsv reads streamed files of a stopped run as an incomplete fit', () => {
    const cfg = { seed: 1, chains: 2, warmup: 5, draws: 10, targetAccept: 0.8, maxTreeDepth: 10, metric: 'diag' as const, backend: 'reference', dtype: 'float64', device: 'cpu' };
    const s = StanCsvStream.open({ dir: join(dir, 'stream'), modelName: 'st', columns: ['a', 'b[0]', 'b[1]'], config: cfg });
    const stats = { lp__: -1, accept_stat__: 0.9, stepsize__: 0.5, treedepth__: 2, n_leapfrog__: 3, divergent__: 0, energy__: 1 };
    for (const c of [0, 1]) s.adaptation(c, { stepSize: 0.5, metric: 'diag', invMetric: Float64Array.from([1, 1, 1]) });
    for (let i = 0; i < 4; i++) for (const c of [0, 1]) s.draw(c, [i, c, i * c], { ...stats, lp__: -i });
    s.close({ warmupSeconds: 1, samplingSeconds: 1, complete: false, reason: 'interrupted' });
    const fit = fitFromStanCsv([...s.paths].reverse());
    expect(fit.complete).toBe(false);
    expect(fit.numDraws).toBe(4);
    expect(Array.from(fit.draws('b[1]')[1]!)).toEqual([0, 1, 2, 3]);
    expect(fit.warnings().some((w) => /aborted: 4 of 10/.test(w))).toBe(true);
    expect(() => fitFromStanCsv([])).toThrow(/^\[fitFromStanCsv\] no files given/);
  });

  test('a fit loaded from JSON runs posterior predictive checks when the model is passed again', async () => {
    const fit = await sample(eightSchools, 30, { ...ref, warmup: 40 });
    const text = JSON.stringify(fit.toJSON());
    expect(() => Fit.fromJSON(text).posteriorPredictive()).toThrow(/^\[Fit\.posteriorPredictive\] this fit does not carry its model .*pass it again, posteriorPredictive\(\{ model \}\)/);
    const a = Fit.fromJSON(text, { model: eightSchools }).posteriorPredictive({ seed: 2 });
    const b = Fit.fromJSON(text).posteriorPredictive({ seed: 2, model: eightSchools });
    const c = fit.posteriorPredictive({ seed: 2 });
    expect(Array.from(a['y']![0]!)).toEqual(Array.from(c['y']![0]!));
    expect(Array.from(b['y']![1]!)).toEqual(Array.from(c['y']![1]!));
    const other = model('other', (m) => { m.param('mu', Normal(0, 1), { shape: [2] }); });
    expect(() => Fit.fromJSON(text, { model: other })).toThrow(/^\[Fit\.fromJSON\] the model's parameter 'mu' has shape \[2\], the fit's has \[\]/);
  });
});

describe('logDensityAt(model, values)', () => {
  const normalLp = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

  test('is log p(θ) + log p(y | θ) on the constrained scale; with jacobian it is the sampler\'s lp__', () => {
    const m = model('pt', (b) => {
      const mu = b.param('mu', Normal(0, 2));
      const s = b.param('s', HalfNormal(1));
      b.observe(Normal(mu, s), [0.5, -1, 2], 'y');
    });
    const expected = normalLp(0.3, 0, 2) + Math.log(2) + normalLp(1.5, 0, 1) + [0.5, -1, 2].reduce((a, y) => a + normalLp(y, 0.3, 1.5), 0);
    expect(logDensityAt(m, { mu: 0.3, s: 1.5 })).toBeCloseTo(expected, 12);
    const d = logDensitySync(m, { backend: 'reference' });
    expect(logDensityAt(m, { mu: 0.3, s: 1.5 }, { jacobian: true })).toBeCloseTo(d.logpGrad(Float64Array.from([0.3, Math.log(1.5)])).logp, 12);
  });

  test('errors name the parameter: missing, unknown, wrong shape, outside the support', () => {
    expect(() => logDensityAt(eightSchools, { mu: 1, tau: 2 })).toThrow(/^\[logDensityAt\] no value for parameter 'theta_tilde' \(shape \[8\]\)/);
    const point = { mu: 1, tau: 2, theta_tilde: new Array(8).fill(0) };
    expect(Number.isFinite(logDensityAt(eightSchools, point))).toBe(true);
    expect(() => logDensityAt(eightSchools, { ...point, theta: 1 })).toThrow(/^\[logDensityAt\] 'theta' is a deterministic, not a parameter/);
    expect(() => logDensityAt(eightSchools, { ...point, tau: -1 })).toThrow(/^\[logDensityAt\] tau is outside its support \(positive, transform log\): init value -1 at position 0 is outside the support \(x > 0\)/);
    expect(() => logDensityAt(eightSchools, { ...point, theta_tilde: [[0, 0, 0, 0], [0, 0, 0, 0]] })).toThrow(/^\[logDensityAt\] theta_tilde has shape \[2, ?4\], but the parameter is declared with shape \[8\]/);
    expect(() => logDensityAt(eightSchools, { ...point, mu: '1' })).toThrow(/^\[logDensityAt\] mu must be a number or an array of numbers, got the string "1"/);
    const u = model('u', (b) => { b.param('x', Uniform(0, 1)); });
    expect(logDensityAt(u, { x: 0.25 })).toBeCloseTo(0, 12);
  });
});
