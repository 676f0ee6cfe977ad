// The command line's --resume (continue an interrupted run bit-identically) and --init (inits, or a warm start from an
// earlier run's CSV files).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from './cliRun.ts';
import { readStanCsv, SAMPLER_STATS } from 'mlx-nuts';

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-cli-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI from its sources; `interruptAfterMs` sends SIGINT that long after sampling is announced. */
function cli(args: string[], interruptAfterMs?: number) {
  return runCli(args, interruptAfterMs === undefined ? undefined : 'sampling eight_schools', (c) => setTimeout(() => c.kill('SIGINT'), interruptAfterMs));
}

const run = ['sample', 'models/eight_schools.ts', '--backend', 'reference', '--chains', '2', '--seed', '3', '--warmup', '150', '--draws', '800', '--no-progress'];
const files = (d: string) => [1, 2].map((c) => readStanCsv(join(d, `eight_schools-${c}.csv`)));

describe('--resume', () => {
  test('an interrupted run continued with --resume has the uninterrupted run\'s draws; another seed is refused', async () => {
    const full = join(dir, 'full');
    expect((await cli([...run, '--out', full])).code).toBe(0);
    const part = join(dir, 'part');
    const stopped = await cli([...run, '--out', part], 400);
    expect(stopped.code, stopped.err).toBe(130);
    expect(files(part).every((f) => !f.complete)).toBe(true);
    const other = await cli([...run.map((a, i) => (run[i - 1] === '--seed' ? '4' : a)), '--resume', part]);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/^\[sample\] resume: the run in .* was made differently: seed is 4, the checkpoint's 3/m);
    const resumed = await cli([...run, '--resume', part]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/Stan CSV files written to .*part as sampling ran \(resumed\) \(2 files\)/);
    const [a, b] = [files(full), files(part)];
    for (const c of [0, 1]) {
      expect(b[c]!.complete).toBe(true);
      b[c]!.values.forEach((v, j) => expect(Array.from(v), `chain ${c} ${b[c]!.columns[j]}`).toEqual(Array.from(a[c]!.values[j]!)));
      for (const s of SAMPLER_STATS) expect(Array.from(b[c]!.stats[s]), s).toEqual(Array.from(a[c]!.stats[s]));
      expect(b[c]!.adaptation).toEqual(a[c]!.adaptation);
    }
  }, 120_000);
});

describe('--init', () => {
  test('a directory of an earlier run\'s CSV files warm-starts the run from its adaptation; JSON gives inits; bad files are named', async () => {
    const first = join(dir, 'first');
    expect((await cli(['sample', 'models/eight_schools.ts', '--chains', '2', '--seed', '1', '--warmup', '300', '--draws', '50', '--no-progress', '--out', first])).code).toBe(0);
    const warm = join(dir, 'warm');
    const r = await cli(['sample', 'models/eight_schools.ts', '--chains', '2', '--seed', '2', '--warmup', '0', '--draws', '50', '--no-progress', '--init', first, '--out', warm]);
    expect(r.code, r.err).toBe(0);
    const [a, b] = [files(first), files(warm)];
    for (const c of [0, 1]) {
      expect(b[c]!.adaptation!.stepSize).toBe(a[c]!.adaptation!.stepSize);
      expect(Array.from(b[c]!.adaptation!.invMetric)).toEqual(Array.from(a[c]!.adaptation!.invMetric));
    }
    const json = join(dir, 'init.json');
    writeFileSync(json, JSON.stringify({ mu: 1, tau: 2, theta_tilde: [0, 0, 0, 0, 0, 0, 0, 0] }));
    expect((await cli(['sample', 'models/eight_schools.ts', '--chains', '1', '--warmup', '20', '--draws', '20', '--no-progress', '--init', json])).code).toBe(0);
    writeFileSync(json, '{ "mu": ');
    const bad = await cli(['sample', 'models/eight_schools.ts', '--init', json]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^\[sample\] --init .*init\.json: not valid JSON/m);
    const missing = await cli(['sample', 'models/eight_schools.ts', '--init', join(dir, 'nope.csv')]);
    expect(missing.err).toMatch(/^\[sample\] --init .*nope\.csv: .*nope\.csv does not exist/m);
  }, 120_000);
});
