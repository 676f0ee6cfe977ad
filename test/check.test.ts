// check(): every model and distribution case on every engine here, a planted fault named, NaN and jumps reported, the CLI.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { check, checkEngineFactories, gt, log, model, Normal, registerCheckEngine, where, type CheckEngine } from 'mlx-nuts';
import { plantedDerivativeFault } from '../src/backend/reference/backward.ts';
import { buildFusedSync, FusedDensity } from '../src/backend/fused.ts';
import { nodeOffsets } from '../src/codegen/emitModel.ts';
import { ReferenceCheckEngine } from '../src/check/referenceEngine.ts';
import { MODELS } from '../models/index.ts';
import { caseModel, FAMILIES, loadCases } from './distributions.cases.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every engine variant available on this machine ('mlx float32 cpu', …): the MLX ones must be there. */
const available = checkEngineFactories().flatMap((f) => {
  const v = f.variants();
  return typeof v === 'string' ? [] : v.map((x) => `${f.name} ${x.dtype} ${x.device}`);
});

const timings: string[] = [];

describe.each(Object.entries(MODELS))('model %s', (name, { model: m }) => {
  test('check passes: gradient against finite differences, every engine against the reference, node by node', () => {
    expect(available).toEqual(expect.arrayContaining(['mlx float32 cpu', 'mlx float64 cpu']));
    const r = check(m, { nodeCheck: 'always' });
    timings.push(`${name.padEnd(24)} ${r.seconds.toFixed(2)} s`);
    expect(r.failures()).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.points.map((p) => p.label)).toEqual(['initial', 'random 1', 'random 2']);
    expect(r.points.every((p) => p.gradient!.rows.length === r.dim)).toBe(true);
    // every available engine was compared at every point, one call per point and all points in one batch
    for (const e of available) {
      expect(r.engines.filter((c) => c.engine === e && c.mode === 'single')).toHaveLength(3);
      expect(r.engines.filter((c) => c.engine === e && c.mode === 'batch')).toHaveLength(1);
    }
    // node by node, every engine agrees with the reference at every point
    expect(r.engines.filter((c) => c.mode === 'single').map((c) => c.divergence)).toEqual(r.engines.filter((c) => c.mode === 'single').map(() => null));
    expect(r.toString()).toContain('RESULT: ok');
  });
});

const cases = loadCases().filter((c) => FAMILIES[c.id]);

describe.each(Object.keys(FAMILIES).filter((id) => cases.some((c) => c.id === id)))('distribution %s', (id) => {
  // compiles two MLX densities per fixture point: minutes on a cold JIT kernel cache (first run on a machine)
  test('check passes at every fixture point on every engine', { timeout: 1_800_000 }, () => {
    const bad: string[] = [];
    for (const c of cases.filter((k) => k.id === id)) {
      const { model: m, q } = caseModel(c);
      // x on the support's edge (xScale 0) or a kink (fd false) has no central difference. The fixture's extreme
      // points (σ = 1e-3, p = 1e-8, x 1e-9 from the edge) need a step below CmdStan's 1e-6: 1e-5 of the smallest
      // coordinate, and 1e-3 of the distance to the edge
      const finiteDiff = c.fd !== false && c.xScale !== 0;
      const small = Math.min(1, ...Array.from(q).filter((v) => v !== 0).map(Math.abs));
      const epsilon = Math.min(1e-6, 1e-5 * small, c.xScale ? c.xScale * 1e-3 : 1);
      const r = check(m, { points: [q], finiteDiff, epsilon });
      if (!r.ok) bad.push(`params=${JSON.stringify(c.params)} x=${JSON.stringify(c.x)}:\n${r.failures().join('\n')}`);
      expect(r.engines.map((e) => e.engine)).toEqual(expect.arrayContaining(available));
    }
    expect(bad).toEqual([]);
  });
});

describe('a planted fault', () => {
  const eight = MODELS.eight_schools!.model;
  const expIds = eight.trace('float64').ir.nodes.flatMap((n, i) => (n.op === 'exp' ? [i] : []));

  test('a wrong derivative of exp in the reference is named as the first divergence of every engine', () => {
    expect(expIds).toHaveLength(1); // tau = exp(log tau): the one exp node
    plantedDerivativeFault.op = 'exp';
    try {
      const r = check(eight);
      expect(r.ok).toBe(false);
      // the finite differences side with the engines: the reference's gradient is off in tau (log) only
      for (const p of r.points) expect(p.gradient!.rows.filter((row) => !row.ok).map((row) => row.name)).toEqual(['tau (log)']);
      const single = r.engines.filter((c) => c.mode === 'single');
      expect(single.length).toBeGreaterThanOrEqual(6);
      for (const c of single) {
        expect(c.ok).toBe(false);
        expect(c.gradError).toBeGreaterThan(c.tolerance);
        if (c.engine.startsWith('fused')) {
          // the fused engine reports adjoints, not per-edge cotangents: the first wrong adjoint is exp's input,
          // and the report names exp (node expIds[0]) as the consumer whose rule differs
          expect(c.divergence).toMatchObject({ kind: 'adjoint', node: eight.trace('float64').ir.nodes[expIds[0]!]!.inputs[0] });
          continue;
        }
        expect(c.divergence).toMatchObject({ kind: 'derivative', node: expIds[0], op: 'exp', input: 0 });
        expect(c.divergence!.src).toMatch(/^models\/eight_schools\.ts:9:\d+$/); // const tau = m.param('tau', HalfCauchy(5))
        const d = c.divergence!;
        expect(d.engine![0]! / d.reference[0]!).toBeCloseTo(1 / 1.5, 3);
      }
      const text = r.toString();
      expect(text).toContain(`first divergence: the derivative of node ${expIds[0]} (exp, shape []) with respect to its input 0`);
      expect(text).toContain("created at models/eight_schools.ts:9:");
      expect(text).toContain("m.param('tau', HalfCauchy(5))");
      expect(text).toMatch(/RESULT: FAILED/);
    } finally {
      plantedDerivativeFault.op = null;
    }
    expect(check(eight, { randomPoints: 0 }).ok).toBe(true);
  });

  test('an engine that computes one op wrongly is named at the value of that node', () => {
    // a test-only engine: the reference interpreter on a copy of the graph whose first `exp` became `expm1`
    const unregister = registerCheckEngine({
      name: 'miscompiled',
      variants: () => [{ dtype: 'float64', device: 'cpu' }],
      create({ ir }): CheckEngine {
        const bad = { ...ir, nodes: ir.nodes.map((n) => (n.op === 'exp' ? { ...n, op: 'expm1' as const } : n)) };
        const inner = new ReferenceCheckEngine(bad);
        return { name: 'miscompiled', dtype: 'float64', device: 'cpu', ir, logpGrad: (q) => inner.logpGrad(q), nodes: (q) => inner.nodes(q) };
      },
    });
    let r;
    try {
      r = check(eight, { engines: ['miscompiled'], randomPoints: 1 });
    } finally {
      unregister();
    }
    expect(checkEngineFactories().map((f) => f.name)).not.toContain('miscompiled');
    expect(r.engines.map((c) => c.engine)).toEqual(['miscompiled float64 cpu', 'miscompiled float64 cpu']);
    for (const c of r.engines) {
      expect(c.ok).toBe(false);
      expect(c.divergence).toMatchObject({ kind: 'value', node: expIds[0], op: 'exp' });
      expect(c.divergence!.engine![0]).toBeCloseTo(c.divergence!.reference[0]! - 1, 12);
    }
    expect(r.toString()).toContain(`first divergence: the value of node ${expIds[0]} (exp, shape [])`);
  });
});

describe('the fused engine in check()', () => {
  const eight = MODELS.eight_schools!.model;
  const expIds = eight.trace('float64').ir.nodes.flatMap((n, i) => (n.op === 'exp' ? [i] : []));

  test('a derivative fault planted in the generated code is named at the adjoint of that op', () => {
    // the fused engine built from a library whose exp derivative is scaled by 3 (emitModel's test-only fault)
    const unregister = registerCheckEngine({
      name: 'fused-faulty',
      variants: () => [{ dtype: 'float64', device: 'cpu' }],
      create(t): CheckEngine {
        const d = new FusedDensity(t, buildFusedSync(t, 'float64', { op: 'exp', scale: 3 }, true));
        const nodes = (q: Float64Array) => {
          const r = d.debugNodes(q);
          const offs = nodeOffsets(t.ir);
          const size = (k: number) => t.ir.nodes[k]!.shape.reduce((a, b) => a * b, 1);
          return {
            logp: r.logp, grad: r.grad, values: t.ir.nodes.map((_, k) => r.vals.slice(offs[k], offs[k]! + size(k))),
            adjoints: t.ir.nodes.map((_, k) => { const a = r.adjs.slice(offs[k], offs[k]! + size(k)); return a.every(Number.isNaN) ? null : a; }),
          };
        };
        return { name: 'fused-faulty', dtype: 'float64', device: 'cpu', ir: t.ir, logpGrad: (q) => d.logpGrad(q), nodes };
      },
    });
    let r;
    try {
      r = check(eight, { engines: ['fused-faulty'], randomPoints: 1 });
    } finally {
      unregister();
    }
    // the engine gives adjoints (not per-edge cotangents): the first wrong adjoint is exp's input, and the report
    // names exp as the consumer whose derivative rule is wrong
    for (const c of r.engines) {
      expect(c.ok).toBe(false);
      expect(c.divergence).toMatchObject({ kind: 'adjoint', node: eight.trace('float64').ir.nodes[expIds[0]!]!.inputs[0] });
    }
    expect(r.toString()).toContain(`the derivative rule of one of its consumers (node ${expIds[0]}) is wrong`);
  });

  test('the real fused engine agrees with the reference on every benchmark model, float64 exactly at the initial point', () => {
    for (const [name, { model: m }] of Object.entries(MODELS)) {
      const r = check(m, { engines: ['fused'], randomPoints: 1, finiteDiff: false });
      expect(r.ok, `${name}\n${r.toString()}`).toBe(true);
    }
  });
});

describe('models that misbehave are reported, not crashed on', () => {
  test('a NaN-producing term: the point, the node and its line', () => {
    const nanModel = model('nan_term', (m) => {
      const x = m.param('x', Normal(0, 1));
      m.factor(log(x)); // NaN for x < 0
    });
    const r = check(nanModel, { points: [Float64Array.of(0.5), Float64Array.of(-0.5)] });
    expect(r.ok).toBe(false);
    expect(r.points[0]!.nonFinite).toBeNull();
    const f = r.points[1]!.nonFinite!;
    expect(f).toMatchObject({ kind: 'nonFiniteValue', op: 'log', element: 0 });
    expect(f.src).toMatch(/^test\/check\.test\.ts:\d+:\d+$/);
    expect(Number.isNaN(f.reference[0])).toBe(true);
    const text = r.toString();
    expect(text).toContain('Point: given 1: the log density or its gradient is not finite');
    expect(text).toMatch(/first non-finite value: node \d+ \(log, shape \[\]\) makes nan out of finite inputs/);
    expect(text).toContain('m.factor(log(x))');
    // the engines agree with the reference there (NaN is NaN): the point is the problem, not an engine
    expect(r.engines.every((c) => c.ok)).toBe(true);
  });

  test('a discontinuous term: the finite difference across the jump fails, by name', () => {
    const jump = model('jump', (m) => {
      const x = m.param('x', Normal(0, 1));
      m.factor(where(gt(x, 0), 0, -10));
    });
    const r = check(jump, { points: [Float64Array.of(3e-7), Float64Array.of(0.8)] });
    expect(r.ok).toBe(false);
    const [near, far] = r.points;
    expect(near!.gradient!.rows[0]).toMatchObject({ name: 'x', ok: false });
    expect(near!.gradient!.rows[0]!.finiteDiff).toBeCloseTo(10 / 2e-6, -2); // the jump of 10 over a step of 2ε
    expect(far!.gradient!.ok).toBe(true);
    expect(r.failures()).toEqual(['given 0: 1 gradient entry differs from finite differences (x)']);
    expect(r.toString()).toMatch(/FAIL/);
  });

  test('a model float32 cannot hold: an error of the float32 engines, the others still compared', () => {
    const big = model('big', (m) => {
      const mu = m.param('mu', Normal(0, 1));
      m.observe(Normal(mu, 1), [1e39], 'y');
    });
    const r = check(big, { randomPoints: 0 });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.engine)).toEqual(['mlx float32 cpu', 'fused float32 cpu']);
    for (const e of r.errors) expect(e.message).toMatch(/^cannot build the model: .*float32/);
    expect(r.engines.map((c) => [c.engine, c.ok])).toEqual([['mlx float64 cpu', true], ['fused float64 cpu', true]]);
    expect(r.toString()).toContain('mlx float32 cpu: ERROR cannot build the model');
  });
});

describe('source locations', () => {
  test('each node knows the model line that created it, and graphs serialise without it', () => {
    const t = MODELS.eight_schools!.model.trace();
    const srcs = t.ir.nodes.map((n) => n.src);
    expect(srcs.filter((s) => s?.startsWith('models/eight_schools.ts:')).length).toBeGreaterThan(t.ir.nodes.length / 2);
    expect(srcs[t.ir.output]).toBeUndefined(); // the sum of the terms is the library's
    expect(JSON.stringify(t.ir.nodes[0])).not.toContain('src');
  });
});

describe('the command line', () => {
  const run = promisify(execFile);
  const cli = ['--import', 'tsx', 'src/cli/main.ts', 'check'];

  test('check models/eight_schools.ts prints the gradient tables and the engine comparison, and exits 0', async () => {
    const { stdout } = await run(process.execPath, [...cli, 'models/eight_schools.ts'], { cwd: root });
    expect(stdout).toContain('TEST GRADIENT MODE');
    expect(stdout).toMatch(/param idx\s+name\s+value\s+model\s+finite diff\s+error/);
    expect(stdout).toContain('ENGINES AGAINST THE FLOAT64 REFERENCE');
    expect(stdout).toMatch(/mlx float32 cpu\s+single\s+initial/);
    expect(stdout).toContain('RESULT: ok');
  });

  test('a model that fails exits 1 and says why', async () => {
    const err = await run(process.execPath, [...cli, 'test/fixtures/check/nan_model.ts', '--engines', 'mlx:float64'], { cwd: root })
      .then(() => null, (e: { code: number; stdout: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stdout).toContain('RESULT: FAILED');
    expect(err?.stdout).toMatch(/first non-finite value: node \d+ \(log/);
    expect(err?.stdout).toContain('test/fixtures/check/nan_model.ts:');
  });
});

afterAll(() => {
  if (timings.length) console.log(`check() wall time per benchmark model (3 points, node check on every engine):\n${timings.join('\n')}`);
});
