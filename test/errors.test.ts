// The error classes: each kind of failure throws its class with its code and the function that raised it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  EngineError, FileError, logDensity, MlxNutsError, model, ModelError, Normal, NumericalError, OptionError, readStanCsv,
  sample, Uniform,
} from '../src/index.ts';

const simple = model('errors_simple', (m) => {
  const mu = m.param('mu', Normal(0, 1));
  m.observe(Normal(mu, 1), [0.1, -0.3]);
});

/** Runs f, expecting it to throw; returns what it threw. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

describe('error classes', () => {
  const savedCxx = process.env['CXX'];
  afterEach(() => {
    if (savedCxx === undefined) delete process.env['CXX'];
    else process.env['CXX'] = savedCxx;
  });

  test('a bad option is an OptionError with code ERR_OPTION, naming the function', async () => {
    const e = await thrown(() => sample(simple, 10, { backend: 'reference', chains: 0 }));
    expect(e).toBeInstanceOf(OptionError);
    expect(e).toBeInstanceOf(MlxNutsError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ code: 'ERR_OPTION', fn: 'sample', name: 'OptionError' });
    expect((e as Error).message).toMatch(/^\[sample\] chains must be an integer ≥ 1, got 0/);
    const bad = await thrown(() => sample(simple, 10, { backend: 'reference', targetAccept: 1.5 }));
    expect(bad).toMatchObject({ code: 'ERR_OPTION', fn: 'sample' });
  });

  test('a model that cannot be built is a ModelError', async () => {
    const twice = model('errors_twice', (m) => {
      m.param('mu', Normal(0, 1));
      m.param('mu', Normal(0, 1));
    });
    const e = await thrown(() => twice.trace('float64'));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'ERR_MODEL', fn: 'param' });
    const badScale = await thrown(() => model('errors_scale', (m) => m.param('x', Normal(0, -1))).trace('float64'));
    expect(badScale).toBeInstanceOf(ModelError);
    expect(badScale).not.toBeInstanceOf(OptionError);
  });

  test('an unreadable or malformed file is a FileError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-errors-'));
    const missing = await thrown(() => readStanCsv(join(dir, 'none.csv')));
    expect(missing).toBeInstanceOf(FileError);
    expect(missing).toMatchObject({ code: 'ERR_FILE', fn: 'readStanCsv' });
    writeFileSync(join(dir, 'bad.csv'), '# not a Stan CSV\n');
    expect(await thrown(() => readStanCsv(join(dir, 'bad.csv')))).toBeInstanceOf(FileError);
    writeFileSync(join(dir, 'taken'), 'a file where the output directory should be');
    const out = await thrown(() => sample(simple, 10, { backend: 'reference', chains: 1, output: join(dir, 'taken') }));
    expect(out).toBeInstanceOf(FileError);
  });

  test('no finite initial point is a NumericalError', async () => {
    // The data lie outside Uniform(0, 1) whatever the parameter: every initial point has log density −∞.
    const impossible = model('errors_init', (m) => {
      const a = m.param('a', Normal(0, 1));
      m.observe(Uniform(a.mul(0), 1), [2]);
    });
    const e = await thrown(() => sample(impossible, 10, { backend: 'reference', chains: 1, warmup: 10 }));
    expect(e).toBeInstanceOf(NumericalError);
    expect(e).toMatchObject({ code: 'ERR_NUMERICAL', fn: 'sample' });
    expect((e as Error).message).toMatch(/initialisation failed/);
  });

  test('an engine that cannot run here is an EngineError (a missing C++ compiler)', async () => {
    process.env['CXX'] = '/nonexistent/c++';
    const e = await thrown(() => logDensity(simple, { backend: 'fused' }));
    expect(e).toBeInstanceOf(EngineError);
    expect(e).toMatchObject({ code: 'ERR_ENGINE', fn: 'fused' });
    expect((e as Error).message).toMatch(/could not be run/);
  });
});
