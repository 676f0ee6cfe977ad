// The streaming Stan CSV writer: header before sampling, buffered draws flushed on time, adaptation, footer; files
// cut at any byte, or by kill -9 of the writing process, read back as a prefix marked incomplete.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRng, SAMPLER_STATS, type FitConfig, type SamplerStat } from 'mlx-nuts';
import { readStanCsv } from '../src/io/stanCsvRead.ts';
import { StanCsvStream } from '../src/io/stanCsvStream.ts';

const columns = ['mu', 'tau', 'L[0,0]', 'L[1,0]', 'L[0,1]', 'L[1,1]'];
const config = (chains: number, draws: number): FitConfig => ({
  seed: 3, chains, warmup: 10, draws, targetAccept: 0.8, maxTreeDepth: 10, metric: 'diag', backend: 'reference', dtype: 'float64', device: 'cpu',
});

/** Seeded draws, awkward numbers included, per chain: values[c][i] and stats[c][i]. */
function draws(chains: number, n: number) {
  return Array.from({ length: chains }, (_, c) => {
    const rng = makeRng(11, c);
    return Array.from({ length: n }, (_, i) => ({
      values: Float64Array.from(columns, (_, j) => (i === 3 && j === 1 ? -0 : i === 4 && j === 0 ? 1e-310 : rng.normal() * 10 ** (j - 2))),
      stats: Object.fromEntries(SAMPLER_STATS.map((s, k) => [s, s === 'divergent__' ? (i % 7 === 0 ? 1 : 0) : rng.normal() + k])) as Record<SamplerStat, number>,
    }));
  });
}
const adapt = (c: number) => ({ stepSize: 0.25 + c / 10, metric: 'diag' as const, invMetric: Float64Array.from([1, 0.5, 2, 3, 4, 5]) });
const bits = (a: ArrayLike<number>) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : x));

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-stream-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('StanCsvStream', () => {
  it('writes every header at open, then draws, adaptation and a footer that marks the file complete', () => {
    const data = draws(2, 25);
    const s = StanCsvStream.open({ dir, modelName: 'm', columns, config: config(2, 25), compileSeconds: 0.5 });
    expect(s.paths.map((p) => p.slice(dir.length + 1))).toEqual(['m-1.csv', 'm-2.csv']);
    const early = readStanCsv(s.paths[0]!);
    expect(early.values[0]!.length).toBe(0);
    expect(early.complete).toBe(false);
    expect(early.incompleteReason).toMatch(/no timing block/);
    for (let c = 0; c < 2; c++) s.adaptation(c, adapt(c));
    for (let i = 0; i < 25; i++) for (let c = 0; c < 2; c++) s.draw(c, data[c]![i]!.values, data[c]![i]!.stats);
    s.close({ warmupSeconds: 1.5, samplingSeconds: 2.25, clampHits: [0, 4], complete: true });
    expect(s.error).toBeNull();
    for (let c = 0; c < 2; c++) {
      const r = readStanCsv(s.paths[c]!);
      expect(r.complete).toBe(true);
      expect(r.columns).toEqual(['mu', 'tau', 'L[0,0]', 'L[0,1]', 'L[1,0]', 'L[1,1]']);
      const col = (name: string) => columns.indexOf(name);
      r.columns.forEach((name, k) => expect(bits(r.values[k]!)).toEqual(bits(data[c]!.map((d) => d.values[col(name)]!))));
      for (const st of SAMPLER_STATS) expect(bits(r.stats[st])).toEqual(bits(data[c]!.map((d) => d.stats[st])));
      expect(r.adaptation).toEqual(adapt(c));
      expect(r.config.chainId).toBe(c + 1);
      expect(r.config.clampHits).toBe(c === 0 ? 0 : 4);
      expect(r.timing).toEqual({ warmupSeconds: 1.5, samplingSeconds: 2.25, totalSeconds: 3.75 });
    }
  });

  it('a stopped run gets an INCOMPLETE line in its footer, read back with its reason', () => {
    const data = draws(1, 10);
    const s = StanCsvStream.open({ dir, modelName: 'm', columns, config: config(1, 10) });
    s.adaptation(0, adapt(0));
    for (let i = 0; i < 4; i++) s.draw(0, data[0]![i]!.values, data[0]![i]!.stats);
    s.close({ warmupSeconds: 1, samplingSeconds: 1, complete: false, reason: 'interrupted (SIGINT) after 4 of 10 draws' });
    const r = readStanCsv(s.paths[0]!);
    expect(r.complete).toBe(false);
    expect(r.incompleteReason).toBe('interrupted (SIGINT) after 4 of 10 draws');
    expect(r.values[0]!.length).toBe(4);
  });

  it('flushes buffered draws within flushMs without being asked, and at once on flush()', async () => {
    const data = draws(1, 3);
    const s = StanCsvStream.open({ dir, modelName: 'm', columns, config: config(1, 3), flushMs: 40 });
    s.adaptation(0, adapt(0));
    s.draw(0, data[0]![0]!.values, data[0]![0]!.stats);
    expect(readStanCsv(s.paths[0]!).values[0]!.length).toBe(0); // still buffered
    await new Promise((r) => setTimeout(r, 150));
    expect(readStanCsv(s.paths[0]!).values[0]!.length).toBe(1);
    s.draw(0, data[0]![1]!.values, data[0]![1]!.stats);
    s.flush();
    expect(readStanCsv(s.paths[0]!).values[0]!.length).toBe(2);
    s.close({ warmupSeconds: 0, samplingSeconds: 0, complete: false });
  });

  it('keeps warmup draws only with saveWarmup, and refuses a warmup draw otherwise', () => {
    const data = draws(1, 6);
    const s = StanCsvStream.open({ dir, modelName: 'w', columns, config: config(1, 3), saveWarmup: true });
    for (let i = 0; i < 3; i++) s.draw(0, data[0]![i]!.values, data[0]![i]!.stats);
    s.adaptation(0, adapt(0));
    for (let i = 3; i < 6; i++) s.draw(0, data[0]![i]!.values, data[0]![i]!.stats);
    s.close({ warmupSeconds: 0, samplingSeconds: 0, complete: true });
    const r = readStanCsv(s.paths[0]!);
    expect(r.config.saveWarmup).toBe(true);
    expect(bits(r.warmup!.values[0]!)).toEqual(bits(data[0]!.slice(0, 3).map((d) => d.values[0]!)));
    expect(bits(r.values[0]!)).toEqual(bits(data[0]!.slice(3).map((d) => d.values[0]!)));
    expect(r.complete).toBe(true);
    const t = StanCsvStream.open({ dir, modelName: 'n', columns, config: config(1, 3) });
    expect(() => t.draw(0, data[0]![0]!.values, data[0]![0]!.stats)).toThrow(/^\[StanCsvStream\.draw\] chain 0: a draw before adaptation\(\) is a warmup draw/);
    expect(() => t.draw(1, data[0]![0]!.values, data[0]![0]!.stats)).toThrow(/chain must be an integer in \[0, 0\], got 1/);
    t.adaptation(0, adapt(0));
    expect(() => t.draw(0, [1, 2], data[0]![0]!.stats)).toThrow(/2 values, but the header has 6 parameter columns/);
    t.close({ warmupSeconds: 0, samplingSeconds: 0, complete: false });
  });

  it('refuses to overwrite before writing anything, unless overwrite; a reserved column name is refused at open', () => {
    writeFileSync(join(dir, 'm-2.csv'), 'keep');
    expect(() => StanCsvStream.open({ dir, modelName: 'm', columns, config: config(2, 5) }))
      .toThrow(/^\[sample\] output file .*m-2\.csv already exists; pass \{ overwrite: true \} \(on the command line --overwrite\)/);
    expect(existsSync(join(dir, 'm-1.csv'))).toBe(false);
    expect(readFileSync(join(dir, 'm-2.csv'), 'utf8')).toBe('keep');
    const s = StanCsvStream.open({ dir, modelName: 'm', columns, config: config(2, 5), overwrite: true });
    s.close({ warmupSeconds: 0, samplingSeconds: 0, complete: false });
    expect(readFileSync(join(dir, 'm-2.csv'), 'utf8')).toMatch(/^# model = m\n/);
    expect(() => StanCsvStream.open({ dir, modelName: 'x', columns: ['lp__'], config: config(1, 5) })).toThrow(/^\[sample\] column name 'lp__' ends in '__'/);
  });

  it('a write error never throws out of draw or close: it is kept in error and the flushed lines stay readable', () => {
    const data = draws(1, 4);
    const s = StanCsvStream.open({ dir, modelName: 'e', columns, config: config(1, 4) });
    s.adaptation(0, adapt(0));
    s.draw(0, data[0]![0]!.values, data[0]![0]!.stats);
    s.flush();
    closeSync((s as unknown as { fds: number[] }).fds[0]!); // the disk goes away under the writer
    s.draw(0, data[0]![1]!.values, data[0]![1]!.stats);
    expect(() => s.flush()).not.toThrow();
    expect(s.error?.message).toMatch(/^\[sample\] writing .*e-1\.csv failed: EBADF.*the draws in memory are kept/);
    s.draw(0, data[0]![2]!.values, data[0]![2]!.stats);
    expect(() => s.close({ warmupSeconds: 0, samplingSeconds: 0, complete: true })).not.toThrow();
    expect(s.draws).toEqual([3]);
    const r = readStanCsv(s.paths[0]!);
    expect(r.values[0]!.length).toBe(1);
    expect(r.complete).toBe(false);
  });

  it('a file cut at any byte after its header reads as the whole draws before the cut, marked incomplete', () => {
    const n = 12;
    const data = draws(1, n);
    const s = StanCsvStream.open({ dir, modelName: 'cut', columns, config: { ...config(1, n), metric: 'dense' } });
    s.adaptation(0, { stepSize: 0.5, metric: 'dense', invMetric: Float64Array.from({ length: 36 }, (_, k) => (k % 7 === 0 ? 1 : 0.1)) });
    for (let i = 0; i < n; i++) s.draw(0, data[0]![i]!.values, data[0]![i]!.stats);
    s.close({ warmupSeconds: 1, samplingSeconds: 1, complete: true });
    const full = readFileSync(s.paths[0]!, 'utf8');
    const headerEnd = full.indexOf('\n', full.indexOf('\nlp__') + 1) + 1;
    const rng = makeRng(5, 0);
    const cuts = [headerEnd, full.length - 1, ...Array.from({ length: 60 }, () => headerEnd + Math.floor(rng.uniform() * (full.length - headerEnd)))];
    for (const cut of cuts) {
      const text = full.slice(0, cut);
      const p = join(dir, 'cut-copy.csv');
      writeFileSync(p, text);
      const r = readStanCsv(p);
      const whole = text.slice(headerEnd).split('\n').slice(0, -1).filter((l) => !l.startsWith('#')).length;
      expect(r.values[0]!.length, `cut at ${cut}`).toBe(whole);
      expect(bits(r.values[0]!)).toEqual(bits(data[0]!.slice(0, whole).map((d) => d.values[0]!)));
      expect(r.complete, `cut at ${cut}`).toBe(false);
    }
  });

  it('kill -9 of the writing process at seeded moments leaves files that read as a prefix of the draws', async () => {
    const script = resolve('test/fixtures/streamChild.ts');
    // node itself with tsx's loader (the tsx command would run node as a grandchild, which SIGKILL would not reach)
    for (const [k, afterMs] of [150, 420, 900].entries()) {
      const out = join(dir, `run${k}`);
      const child = spawn(process.execPath, ['--import', 'tsx', script, out], { stdio: ['ignore', 'pipe', 'inherit'] });
      let started = false;
      await new Promise<void>((res, rej) => {
        child.stdout.on('data', (b: Buffer) => {
          if (!started && b.toString().includes('streaming')) {
            started = true;
            setTimeout(() => child.kill('SIGKILL'), afterMs);
          }
        });
        child.on('exit', () => res());
        child.on('error', rej);
      });
      expect(child.signalCode).toBe('SIGKILL');
      for (const c of [0, 1]) {
        const r = readStanCsv(join(out, `child-${c + 1}.csv`));
        expect(r.complete).toBe(false);
        const n = r.values[0]!.length;
        expect(n, `run ${k}, chain ${c}`).toBeGreaterThan(0);
        // the child writes draw i of chain c as mu = 1000·c + i
        expect(Array.from(r.values[0]!)).toEqual(Array.from({ length: n }, (_, i) => 1000 * c + i));
      }
    }
  });
});
