// The command line as a user runs it: options that say what they got, output checked before sampling, --overwrite,
// Ctrl-C during warmup or sampling (exit 130 with a summary, CSV files and a report), a model's own stack, `summary`.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from './cliRun.ts';
import { readStanCsv } from 'mlx-nuts';

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI from its sources; `interrupt` sends SIGINT once stderr contains the text (after `delayMs`). */
function cli(args: string[], interrupt?: { when: string; delayMs: number }) {
  return runCli(args, interrupt?.when, (c) => setTimeout(() => c.kill('SIGINT'), interrupt!.delayMs));
}

const quick = ['--backend', 'reference', '--chains', '2', '--seed', '3'];

describe('option parsing says what it received', () => {
  test.each([
    [['--seed', ''], /seed must be an integer, got an empty string/],
    [['--seed', '4.5'], /seed must be an integer, got '4\.5'/],
    [['--target-accept', 'abc'], /target-accept must be a number, got 'abc'/],
    [['--target-accept', '1.5'], /target-accept must be in \[0\.1, 1\), got 1\.5/],
    [['--chains', '0'], /chains must be at least 1, got 0/],
    [['--backend', 'stan'], /backend must be 'fused' or 'mlx' or 'reference', got 'stan'/],
    [['--metric-adaptation', 'nutpie'], /metric-adaptation must be 'gradient-diag' or 'low-rank' or 'stan', got 'nutpie'/],
    [['--adaptation', 'rank'], /adaptation must be 'chain' or 'pooled', got 'rank'/],
    [['--gather', 'summary'], /--gather summary applies to runs spread over processes \(--processes or --hostfile\)/],
  ])('%j', async (args, message) => {
    const r = await cli(['sample', 'models/eight_schools.ts', ...args]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toContain('sampling eight_schools');
  });
});

describe('output', () => {
  test('a path under /proc is refused before sampling starts', async () => {
    const r = await cli(['sample', 'models/eight_schools.ts', ...quick, '--out', '/proc/mlx-nuts-out']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^\[sample\] output directory \/proc\/mlx-nuts-out is under \/proc/m);
    expect(r.err).not.toContain('sampling eight_schools');
  });

  test('a report path that cannot be written is refused before sampling starts', async () => {
    const r = await cli(['sample', 'models/eight_schools.ts', ...quick, '--report', '/sys/mlx-nuts/r.html']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^\[sample\] output directory \/sys\/mlx-nuts is under \/sys/m);
    expect(r.err).not.toContain('sampling eight_schools');
  });

  test('existing CSV files stop the run before sampling unless --overwrite; `summary` reads them back', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'eight_schools-2.csv'), 'old');
    const refused = await cli(['sample', 'models/eight_schools.ts', ...quick, '--warmup', '60', '--draws', '40', '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/output file .*eight_schools-2\.csv already exists; pass \{ overwrite: true \} \(on the command line --overwrite\)/);
    expect(refused.err).not.toContain('sampling eight_schools');
    expect(readFileSync(join(out, 'eight_schools-2.csv'), 'utf8')).toBe('old');
    const ok = await cli(['sample', 'models/eight_schools.ts', ...quick, '--warmup', '60', '--draws', '40', '--out', out, '--overwrite']);
    expect(ok.code).toBe(0);
    expect(readStanCsv(join(out, 'eight_schools-2.csv')).values[0]!.length).toBe(40);
    const s = await cli(['summary', join(out, 'eight_schools-1.csv'), join(out, 'eight_schools-2.csv'), '--report', join(dir, 'summary.html')]);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^eight_schools: 2 chains × 40 draws \(warmup 60\), from 2 files\n/);
    expect(s.out).toMatch(/\ntheta\[7\] +-?\d+\.\d{3} /);
    expect(s.out).toMatch(/ess_bulk +ess_tail +rhat\n/);
    expect(existsSync(join(dir, 'summary.html'))).toBe(true);
  });
});

describe('warmup metric estimator', () => {
  test("the CSV header names it: gradient-diag by default, Stan's with --metric-adaptation stan (no line), low-rank's schedule", async () => {
    const header = async (name: string, extra: string[]) => {
      const out = join(dir, `ma-${name}`);
      const r = await cli(['sample', 'models/eight_schools.ts', ...quick, '--warmup', '40', '--draws', '10', '--out', out, ...extra]);
      expect(r.code, r.err).toBe(0);
      return readStanCsv(join(out, 'eight_schools-1.csv')).config;
    };
    expect((await header('default', [])).metricAdaptation).toBe('gradient-diag');
    expect((await header('stan', ['--metric-adaptation', 'stan'])).metricAdaptation).toBeNull();
    const lr = await header('low-rank', ['--metric-adaptation', 'low-rank']);
    expect(lr.metricAdaptation).toBe('low-rank');
    expect(lr.warmupSchedule).toEqual({ earlyWindow: 0.3, stepSizeWindow: 0.15, earlySwitch: 10, firstWindow: 80, growth: 1.5 });
  });

  test('--adaptation pooled: every chain ends warmup with one metric; chain (the CPU default): each its own', async () => {
    const metrics = async (extra: string[]) => {
      const out = join(dir, `adapt-${extra.join('')}`);
      const r = await cli(['sample', 'models/eight_schools.ts', ...quick, '--warmup', '60', '--draws', '10', '--out', out, ...extra]);
      expect(r.code, r.err).toBe(0);
      return [1, 2].map((c) => Array.from(readStanCsv(join(out, `eight_schools-${c}.csv`)).adaptation!.invMetric));
    };
    const [p1, p2] = await metrics(['--adaptation', 'pooled']);
    expect(p2).toEqual(p1);
    expect(p1.some((x) => x !== 1)).toBe(true);
    const [c1, c2] = await metrics([]);
    expect(c2).not.toEqual(c1);
    expect(await metrics(['--adaptation', 'chain'])).toEqual([c1, c2]);
  });
});

describe('Ctrl-C', () => {
  test('during warmup: exit code 130, "no draws: stopped during warmup", incomplete CSV files and a report', async () => {
    const out = join(dir, 'int-warmup');
    const r = await cli(['sample', 'models/eight_schools.ts', ...quick, '--warmup', '100000', '--draws', '10', '--out', out, '--report', join(out, 'r.html')],
      { when: 'sampling eight_schools', delayMs: 600 });
    expect(r.code).toBe(130);
    expect(r.err).toContain('interrupted: stopping after the current iteration');
    expect(r.out).toMatch(/\(no draws: stopped during warmup, after \d+ of 100000 iterations\)/);
    expect(r.out).toMatch(/report written to .*r\.html/);
    expect(readFileSync(join(out, 'r.html'), 'utf8')).toContain('no draws: stopped during warmup');
    const csv = readStanCsv(join(out, 'eight_schools-1.csv'));
    expect(csv.complete).toBe(false);
    expect(csv.values[0]!.length).toBe(0);
  });

  test('during sampling: exit code 130, the summary of the draws so far, marked aborted', async () => {
    const out = join(dir, 'int-sampling');
    const r = await cli(['sample', 'models/eight_schools.ts', ...quick, '--warmup', '50', '--draws', '1000000', '--out', out],
      { when: 'warmup done', delayMs: 500 });
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/\nmu +-?\d+\.\d{3} /);
    expect(r.out).toMatch(/warning: Sampling was aborted: \d+ of 1000000 draws per chain/);
    const csv = readStanCsv(join(out, 'eight_schools-2.csv'));
    expect(csv.complete).toBe(false);
    expect(csv.values[0]!.length).toBeGreaterThan(0);
  });
});

describe('errors from a user model', () => {
  test('an exception the model throws prints with its stack, naming the file and line', async () => {
    const r = await cli(['sample', 'test/fixtures/cli/throws.ts', ...quick]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error in the model \(.*throws\.ts\): Error: oops in model\n\s+at helper \(.*test\/fixtures\/cli\/throws\.ts:5:9\)/);
  });

  test("a library error raised inside the model says where in the model", async () => {
    const r = await cli(['sample', 'test/fixtures/cli/badScale.ts', ...quick]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\[Normal\] sigma must be positive and finite, got -2.*\n {2}in the model at .*test\/fixtures\/cli\/badScale\.ts:6:\d+/);
  });
});
