// Reduction regions (src/codegen/regions.ts): the fused likelihood loops give the unfused code's log density and
// gradient, bit for bit, on every model here (every region fused against none), and they do take the per-observation
// arrays away; the C++ target fuses only the regions that recompute cheaply.
import { describe, expect, test } from 'vitest';
import { Bernoulli, model, Normal, type Model } from 'mlx-nuts';
import { FusedDensity } from '../src/backend/fused.ts';
import { compileLibrarySync } from '../src/codegen/compile.ts';
import { generateLibrary } from '../src/codegen/library.ts';
import { findRegions, singlePassable } from '../src/codegen/regions.ts';
import { ancestors, gradNodes, planLayout } from '../src/codegen/layout.ts';
import { MODELS } from '../models/index.ts';
import ark from '../models/ark.ts';
import earnings from '../models/earnings.ts';
import gpPoisRegr from '../models/gp_pois_regr.ts';
import kidiq from '../models/kidiq.ts';
import kilpisjarvi from '../models/kilpisjarvi_mod.ts';
import mesquite from '../models/mesquite.ts';
import sblrc from '../models/sblrc.ts';
import type { Dtype } from '../src/base/types.ts';

const models: [string, Model][] = [
  ...Object.entries(MODELS).map(([k, e]) => [k, e.model] as [string, Model]),
  ['ark', ark], ['earnings', earnings], ['gp_pois_regr', gpPoisRegr], ['kidiq', kidiq], ['kilpisjarvi_mod', kilpisjarvi],
  ['mesquite', mesquite], ['sblrc', sblrc],
];

function density(m: Model, dtype: Dtype, regions: boolean): FusedDensity {
  const t = m.trace(dtype);
  const named = [...t.params.map((p) => p.node), ...t.deterministics.map((d) => d.node)];
  const lib = generateLibrary(t.ir, named, dtype, 'cpp', undefined, false, regions ? 'all' : 'none');
  return new FusedDensity(t, { lib, compiled: compileLibrarySync(lib.fullSource) });
}

// logSigmoid's shared exp(-|x|) (opRules.ts UNARY_SHARED) against its two-exponential formulas at the edges: logits of
// ±0, ±1e30 (±inf in float32, huge in float64), where exp(-|x|) underflows, and either side of 0
const edgeLogits = [0, -0, 1e30, -1e30, 1e-30, -1e-30, 1, -1, 30, -30, 120, -120, 800, -800];
const logSigmoidEdges = model('logSigmoid_edges', (m) => {
  const b = m.param('b', Normal(0, 1));
  m.observe(Bernoulli({ logits: b.mul(edgeLogits) }), edgeLogits.map((_, i) => i % 2), 'y');
});
models.push(['logSigmoid edges', logSigmoidEdges]);

describe.each(models)('%s', (name, m) => {
  test.each(['float64', 'float32'] as const)('%s: regions on and off give the same logp and gradient at 12 points', (dtype) => {
    const on = density(m, dtype, true);
    const off = density(m, dtype, false);
    try {
      const dim = on.dim;
      for (let p = 0; p < 12; p++) {
        const q = Float64Array.from({ length: dim }, (_, i) => Math.sin(1.3 * i + 0.7 * p) * (0.2 + 0.15 * p));
        const a = on.logpGrad(q);
        const b = off.logpGrad(q);
        expect(Object.is(a.logp, b.logp) || a.logp === b.logp).toBe(true);
        expect([...a.grad]).toEqual([...b.grad]);
      }
    } finally {
      on.dispose();
      off.dispose();
    }
  }, 120_000);
});

describe('what the regions take in', () => {
  test('logistic: the Bernoulli sum takes the matmul and every per-row node; no workspace is left', () => {
    const t = MODELS['logistic']!.model.trace('float32');
    const live = ancestors(t.ir, [t.ir.output]);
    const plan = findRegions(t.ir, planLayout(t.ir, [t.ir.output]), live);
    const rowNodes = live.filter((k) => t.ir.nodes[k]!.shape.length === 1 && t.ir.nodes[k]!.shape[0] === 500 &&
      t.ir.nodes[k]!.op !== 'const' && t.ir.nodes[k]!.inputs.some((i) => t.ir.nodes[i]!.op === 'param' || plan.members.has(i)));
    expect(rowNodes.length).toBeGreaterThan(4);
    for (const k of rowNodes) expect(plan.members.has(k)).toBe(true);
    expect(live.some((k) => t.ir.nodes[k]!.op === 'matmul' && plan.members.has(k))).toBe(true);
    const named = t.params.map((p) => p.node);
    expect(generateLibrary(t.ir, named, 'float32', 'cpp', undefined, false, 'all').work).toBe(0);
    expect(generateLibrary(t.ir, named, 'float32', 'cpp', undefined, false, 'none').work).toBeGreaterThan(7000);
    // the defaults: every region on the GPU; on the CPU this one too, because it runs in one pass (no adjoint loop
    // recomputing the dot products; with two passes it is not cheap: a matmul)
    expect(generateLibrary(t.ir, named, 'float32', 'cuda').work).toBe(0);
    expect(generateLibrary(t.ir, named, 'float32', 'cpp').work).toBe(0);
    const likelihood = [...plan.byRoot.values()].find((r) => r.members.includes(rowNodes[0]!))!;
    expect(singlePassable(t.ir, live, gradNodes(t.ir, live), likelihood)).toBe(true);
    expect(singlePassable(t.ir, live, gradNodes(t.ir, live), likelihood, { op: 'add' })).toBe(false); // a planted fault on add: two passes
    expect(findRegions(t.ir, planLayout(t.ir, [t.ir.output]), live, 'cheap').members.has(rowNodes[0]!)).toBe(true);
  });

  test('logistic: the likelihood is one loop (value and adjoint in one pass) in which each row computes only the branch its y takes (log σ(x) for y = 1, log σ(−x) for y = 0)', () => {
    const t = MODELS['logistic']!.model.trace('float32');
    const src = generateLibrary(t.ir, t.params.map((p) => p.node), 'float32', 'cpp', undefined, false, 'all').fullSource;
    const lines = src.split('\n');
    const depth = (l: string) => l.length - l.trimStart().length;
    const loops = lines.map((l, i) => [l, i] as const).filter(([l]) => /node \d+: matmul \(region of/.test(l));
    expect(loops.length).toBe(1); // no adjoint loop recomputing the rows
    expect(lines.filter((l) => /value and adjoint in one pass/.test(l)).length).toBe(1);
    expect(lines.filter((l) => /from its single pass/.test(l)).length).toBe(1);
    // the priors' region is two passes: alpha and beta are read again after it (by the likelihood)
    expect(lines.filter((l) => /adjoint of node \d+: sum \(region of \d+ nodes\)/.test(l)).length).toBe(1);
    const [l0, i0] = loops[0]!;
    const body = lines.slice(i0, lines.findIndex((l, i) => i > i0 && /acc = mn_lane_sum/.test(l)));
    const sig = body.filter((l) => /node \d+: logSigmoid \(region of/.test(l));
    expect(sig.length).toBe(2);
    for (const l of sig) expect(depth(l)).toBeGreaterThan(depth(l0));
    expect(body.some((l) => /^\s*} else {$/.test(l))).toBe(true);
    expect(body.some((l) => /adjoint of node \d+: logSigmoid/.test(l))).toBe(true);
  });

  test('medium: the grouped likelihood (take of the group means by index) is one region', () => {
    const t = MODELS['medium']!.model.trace('float64');
    const live = ancestors(t.ir, [t.ir.output]);
    const plan = findRegions(t.ir, planLayout(t.ir, [t.ir.output]), live);
    const take = live.find((k) => t.ir.nodes[k]!.op === 'take')!;
    expect(plan.members.has(take)).toBe(true);
    expect(findRegions(t.ir, planLayout(t.ir, [t.ir.output]), live, 'cheap').members.has(take)).toBe(true); // also on the CPU
  });
});
