// Plot specs: vega-lite compiles each without warnings, each carries the data it should, SVG/PNG render non-empty.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import {
  autocorrelationPlot,
  benchmarkPlot,
  benchmarkRatios,
  chainEbfmi,
  energyPlot,
  forestPlot,
  pairPlot,
  posteriorPlot,
  rankPlot,
  reportHtml,
  toPNG,
  toSVG,
  tracePlot,
  VEGA_LITE_SCHEMA,
  warmupPlot,
  writeReport,
  type BenchmarkRecord,
  type VegaLiteSpec,
} from '../src/plots/index.ts';
import { fitWarnings } from '../src/fit/warnings.ts';
import type { FitData } from '../src/io/fitData.ts';
import { syntheticFit } from './fixtures/syntheticFit.ts';

type Row = Record<string, unknown>;

/** Compiles with vega-lite directly, recording everything its logger receives. */
function compileMessages(spec: VegaLiteSpec): string[] {
  const messages: string[] = [];
  const logger = {
    level(l?: number) {
      return l === undefined ? 4 : logger;
    },
    error: (...a: unknown[]) => (messages.push(`error: ${a.join(' ')}`), logger),
    warn: (...a: unknown[]) => (messages.push(`warn: ${a.join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  compile(spec as unknown as TopLevelSpec, { logger: logger as never });
  return messages;
}

/** The rows a spec draws: inline values or a named dataset, with a top-level flatten applied. */
function rowsOf(spec: VegaLiteSpec, dataset?: string): Row[] {
  const raw = dataset !== undefined ? (spec['datasets'] as Record<string, Row[]>)[dataset]! : ((spec['data'] as { values: Row[] }).values);
  const flatten = ((spec['transform'] as { flatten?: string[] }[] | undefined) ?? []).find((t) => t.flatten)?.flatten;
  if (!flatten) return raw;
  return raw.flatMap((r) => (r[flatten[0]!] as unknown[]).map((_, i) => ({ ...r, ...Object.fromEntries(flatten.map((f) => [f, (r[f] as unknown[])[i]])) })));
}

function divergentPairs(fit: FitData): string[] {
  const out: string[] = [];
  fit.stats.forEach((s, c) => s.divergent__.forEach((d, i) => d > 0 && out.push(`${c}:${i}`)));
  return out.sort();
}

const fit = syntheticFit({ chains: 4, draws: 240, warmup: 120, divergeEvery: 29 });

describe('each plot compiles without vega-lite warnings and renders to SVG', () => {
  const records: BenchmarkRecord[] = [];
  for (const model of ['eight_schools', 'funnel']) {
    for (const [sampler, backend, dtype, ess] of [
      ['stan', 'cmdstan', 'float64', 100],
      ['mlx-nuts', 'mlx', 'float32', 250],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        records.push({ model, config: 'default', sampler, backend, dtype, chains: 4, seed, samplingSeconds: 2, minEssBulk: ess * 2, essPerSecond: ess * seed, divergences: 0, gradientEvaluations: 5000 });
      }
    }
  }
  const cases: [string, () => VegaLiteSpec][] = [
    ['tracePlot', () => tracePlot(fit)],
    ['rankPlot', () => rankPlot(fit)],
    ['posteriorPlot density', () => posteriorPlot(fit)],
    ['posteriorPlot histogram', () => posteriorPlot(fit, { kind: 'histogram' })],
    ['pairPlot 2', () => pairPlot(fit, { params: ['mu', 'tau'] })],
    ['pairPlot 4', () => pairPlot(fit, { params: ['mu', 'tau', 'theta[0]', 'theta[1]'] })],
    ['energyPlot', () => energyPlot(fit)],
    ['forestPlot', () => forestPlot(fit)],
    ['autocorrelationPlot', () => autocorrelationPlot(fit)],
    ['warmupPlot', () => warmupPlot(fit)],
    ['benchmarkPlot', () => benchmarkPlot(records)],
  ];
  it('the logger check is live: a spec with a dropped channel is reported', () => {
    const spec = { $schema: VEGA_LITE_SCHEMA, data: { values: [{ a: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'nominal' } } };
    expect(compileMessages(spec).length).toBeGreaterThan(0);
  });
  for (const [name, make] of cases) {
    it(name, async () => {
      const spec = make();
      expect(spec.$schema).toBe(VEGA_LITE_SCHEMA);
      expect(compileMessages(spec)).toEqual([]);
      // Plain JSON: survives a round trip unchanged (no typed arrays, no NaN).
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
      const svg = await toSVG(spec);
      expect(svg.startsWith('<svg')).toBe(true);
      // vega's SVG renderer puts data marks in <g class="mark-… role-mark …"> groups; at least one is non-empty.
      expect(svg).toMatch(/class="mark-[a-z]+ role-mark[^"]*"[^>]*>\s*<(path|line|rect|circle)/);
    });
  }
});

describe('plot data', () => {
  it('pair plot: the divergent points are exactly the divergent draws, with their values', () => {
    const spec = pairPlot(fit, { params: ['mu', 'tau'], maxPoints: 80 });
    const rows = rowsOf(spec, 'draws');
    const div = rows.filter((r) => r['divergent'] === true);
    expect(div.map((r) => `${r['chain']}:${r['draw']}`).sort()).toEqual(divergentPairs(fit));
    expect(divergentPairs(fit).length).toBeGreaterThan(20);
    for (const r of div) {
      const c = Number(r['chain']);
      const i = r['draw'] as number;
      expect(r['p0']).toBeCloseTo(fit.values[c]![0]![i]!, 4);
      expect(r['p1']).toBeCloseTo(fit.values[c]![1]![i]!, 4);
    }
    // Thinned: at most maxPoints non-divergent points, none of them a divergent draw.
    const rest = rows.filter((r) => r['divergent'] === false);
    expect(rest.length).toBeLessThanOrEqual(80);
    const divSet = new Set(divergentPairs(fit));
    for (const r of rest) expect(divSet.has(`${r['chain']}:${r['draw']}`)).toBe(false);
  });

  it('trace plot: every chain and parameter, thinned, with every divergent draw flagged', () => {
    const big = syntheticFit({ chains: 3, draws: 2000, divergeEvery: 101 });
    const spec = tracePlot(big, { params: ['mu', 'theta'], maxDraws: 100 });
    const rows = rowsOf(spec);
    const params = [...new Set(rows.map((r) => r['param']))];
    expect(params).toEqual(['mu', 'theta[0]', 'theta[1]', 'theta[2]']);
    for (const p of params) {
      for (const c of ['0', '1', '2']) {
        const mine = rows.filter((r) => r['param'] === p && r['chain'] === c);
        expect(mine.length).toBeLessThanOrEqual(100 + 20);
        expect(mine.length).toBeGreaterThanOrEqual(100);
      }
    }
    const flagged = rows.filter((r) => r['param'] === 'mu' && r['div'] === 1).map((r) => `${r['chain']}:${r['draw']}`);
    expect(flagged.sort()).toEqual(divergentPairs(big));
  });

  it('rank plot: each chain’s rank counts add up to its draws', () => {
    const rows = rowsOf(rankPlot(fit, { params: ['mu'], bins: 10 }));
    for (const c of ['0', '1', '2', '3']) {
      const mine = rows.filter((r) => r['chain'] === c);
      expect(mine).toHaveLength(10);
      expect(mine.reduce((a, r) => a + (r['count'] as number), 0)).toBe(240);
    }
  });

  it('posterior plot: interval and median from the pooled draws; histogram densities integrate to 1', () => {
    const pooled = fit.values.flatMap((c) => Array.from(c[0]!)).sort((a, b) => a - b);
    const q = (p: number) => {
      const h = (pooled.length - 1) * p;
      const lo = Math.floor(h);
      return pooled[lo]! + (h - lo) * (pooled[lo + 1]! - pooled[lo]!);
    };
    const interval = rowsOf(posteriorPlot(fit, { params: ['mu'], prob: 0.8 })).find((r) => r['part'] === 'interval')!;
    expect(interval['lo']).toBeCloseTo(q(0.1), 4);
    expect(interval['hi']).toBeCloseTo(q(0.9), 4);
    expect(interval['median']).toBeCloseTo(q(0.5), 4);
    const bins = rowsOf(posteriorPlot(fit, { params: ['mu'], kind: 'histogram', bins: 20 })).filter((r) => r['part'] === 'bin');
    expect(bins).toHaveLength(20);
    const mass = bins.reduce((a, r) => a + (r['density'] as number) * ((r['x2'] as number) - (r['x'] as number)), 0);
    expect(mass).toBeCloseTo(1, 3);
  });

  it('forest plot: one row per parameter and chain plus the pooled row', () => {
    const rows = rowsOf(forestPlot(fit, { params: ['mu', 'tau'] }));
    expect(rows).toHaveLength(2 * 5);
    const r = rows.find((x) => x['param'] === 'tau' && x['chain'] === '1')!;
    const sorted = Array.from(fit.values[1]![1]!).sort((a, b) => a - b);
    expect(r['median']).toBeCloseTo((sorted[119]! + sorted[120]!) / 2, 4);
    expect(r['lo'] as number).toBeLessThan(r['ilo'] as number);
    expect(r['ihi'] as number).toBeLessThan(r['hi'] as number);
  });

  it('energy plot: E-BFMI per chain in the title, matching a direct computation', () => {
    const e = fit.stats[0]!.energy__;
    const m = e.reduce((a, b) => a + b, 0) / e.length;
    let num = 0;
    let den = 0;
    e.forEach((x, i) => {
      den += (x - m) ** 2;
      if (i > 0) num += (x - e[i - 1]!) ** 2;
    });
    expect(chainEbfmi(fit)[0]).toBeCloseTo(num / den, 12);
    const spec = energyPlot(fit);
    expect(spec['title']).toContain(`E-BFMI per chain: ${chainEbfmi(fit).map((v) => v.toFixed(2)).join(', ')}`);
    const kinds = new Set(rowsOf(spec).map((r) => r['kind']));
    expect(kinds.size).toBe(2);
  });

  it('autocorrelation plot: lag 0 is 1, lags up to maxLag', () => {
    const rows = rowsOf(autocorrelationPlot(fit, { params: ['mu'], maxLag: 15 }));
    expect(rows).toHaveLength(4 * 16);
    for (const r of rows.filter((x) => x['lag'] === 0)) expect(r['acf']).toBe(1);
  });

  it('warmup plot: step size, tree depth and accept stat of every chain', () => {
    const rows = rowsOf(warmupPlot(fit));
    expect(new Set(rows.map((r) => r['stat']))).toEqual(new Set(['stepsize__', 'treedepth__', 'accept_stat__']));
    expect(rows.filter((r) => r['stat'] === 'treedepth__' && r['chain'] === '2')).toHaveLength(120);
    const first = rows.find((r) => r['stat'] === 'stepsize__' && r['chain'] === '0' && r['iter'] === 0)!;
    expect(first['value']).toBeCloseTo(fit.warmupStats[0]!.stepsize__[0]!, 4);
    expect(() => warmupPlot({ ...fit, warmupStats: [] })).toThrow(/^\[warmupPlot\] fit.warmupStats/);
  });

  it('benchmark chart: median ESS/s over seeds relative to the baseline of the same model', () => {
    const recs: BenchmarkRecord[] = [1, 2, 3].flatMap((seed) => [
      { model: 'm', config: 'c', sampler: 'stan', backend: 'cmdstan', dtype: 'float64', chains: 4, seed, samplingSeconds: 1, minEssBulk: 10, essPerSecond: 10 * seed, divergences: 0, gradientEvaluations: 100 },
      { model: 'm', config: 'c', sampler: 'mlx-nuts', backend: 'mlx', dtype: 'float32', chains: 4, seed, samplingSeconds: 1, minEssBulk: 10, essPerSecond: 30 * seed, divergences: 1, gradientEvaluations: 100 },
    ]);
    const { baseline, rows } = benchmarkRatios(recs);
    expect(baseline).toBe('stan (cmdstan, float64)');
    const med = rows.filter((r) => r['kind'] === 'median');
    expect(med.find((r) => r['label'] === baseline)!['ratio']).toBe(1);
    expect(med.find((r) => r['label'] === 'mlx-nuts (mlx, float32)')!['ratio']).toBe(3);
    expect(rows.filter((r) => r['kind'] === 'seed')).toHaveLength(6);
    expect(() => benchmarkPlot(recs, { baseline: 'nope' })).toThrow(/^\[benchmarkPlot\] baseline/);
  });
});

describe('errors and rendering', () => {
  it('names the function and the parameter', () => {
    expect(() => tracePlot(fit, { params: ['nope'] })).toThrow(/^\[tracePlot\] params: no column or variable named 'nope'/);
    expect(() => pairPlot(fit, { params: ['mu'] })).toThrow(/^\[pairPlot\] params/);
    expect(() => posteriorPlot(fit, { prob: 1.5 })).toThrow(/^\[posteriorPlot\] prob/);
    expect(() => rankPlot(fit, { bins: 0 })).toThrow(/^\[rankPlot\] bins/);
  });

  it('PNG: a real image, the same bytes every time', async () => {
    const spec = tracePlot(fit, { params: ['mu'] });
    const a = await toPNG(spec);
    const b = await toPNG(spec);
    expect(Array.from(a.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(a.length).toBeGreaterThan(10_000);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('report', () => {
  it('is self-contained: vega, vega-lite and vega-embed inlined, no external resource', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-report-'));
    try {
      const path = await writeReport(fit, join(dir, 'sub', 'report.html'));
      const html = readFileSync(path, 'utf8');
      expect(html.match(/<script data-lib="(vega|vega-lite|vega-embed)">/g)).toHaveLength(3);
      expect(html).not.toMatch(/<script[^>]+src=/i);
      expect(html).not.toMatch(/<link[^>]+href=/i);
      expect(html).toContain("default-src 'none'");
      expect(html.length).toBeLessThan(2_000_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns like Stan: divergences, tree depth, E-BFMI, R-hat', () => {
    const bad = syntheticFit({ chains: 4, draws: 200, chainShift: 3, divergeEvery: 50 });
    // A slowly wandering energy gives a low E-BFMI.
    const stats = bad.stats.map((s) => {
      const energy = new Float64Array(s.energy__.length);
      for (let i = 1; i < energy.length; i++) energy[i] = energy[i - 1]! + (i % 7 === 0 ? 1 : -0.05) + Math.sin(i / 9);
      return { ...s, energy__: energy };
    });
    const kinds = fitWarnings({ ...bad, stats }).map((w) => w.kind);
    expect(kinds).toEqual(expect.arrayContaining(['divergences', 'treedepth', 'ebfmi', 'rhat']));
    const clean = syntheticFit({ divergeEvery: 0 });
    const cleanKinds = fitWarnings({ ...clean, config: { ...clean.config, maxTreeDepth: 10 } }).map((w) => w.kind);
    expect(cleanKinds).toEqual([]);
    expect(reportHtml({ ...clean, config: { ...clean.config, maxTreeDepth: 10 } })).toContain('No warnings');
  });

  it('rejects a bad path', async () => {
    await expect(writeReport(fit, '')).rejects.toThrow(/^\[writeReport\] path/);
  });
});
