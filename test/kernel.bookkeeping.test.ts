// NUTS tree bookkeeping checked on every transition-kernel implementation behind the seam (src/kernel/seam.ts): the
// TypeScript transition over the reference and the MLX densities, the fused C++ kernel, and the fused CUDA kernel's
// body run on the CPU. Models stand in for test/nuts.tree.test.ts's mock densities, so that the generated kernels run
// them too.
import { describe, expect, test } from 'vitest';
import { logDensity } from '../src/backend/logDensity.ts';
import type { ModelDensity } from '../src/backend/modelDensity.ts';
import { unitMetric } from '../src/kernel/metric.ts';
import type { KernelRun, TransitionKernel } from '../src/kernel/seam.ts';
import { Flat, model, Normal, Uniform, type Model } from '../src/index.ts';
import { typescriptKernel } from '../src/nuts/transitionKernel.ts';
import { setFusedCudaBindingForTests } from '../src/backend/fusedGpu.ts';
import { EmulatedCudaModel } from './cudaEmulation.ts';

const KERNELS: { name: string; make: (m: Model, seed: number, chains: number, depth: number) => Promise<[ModelDensity, TransitionKernel]> }[] = [
  {
    name: 'typescript over the reference density',
    make: async (m, seed, chains, depth) => {
      const d = await logDensity(m, { backend: 'reference' });
      return [d, typescriptKernel(d, seed, Array.from({ length: chains }, (_, c) => c), depth)];
    },
  },
  {
    name: 'typescript over MLX (float64)',
    make: async (m, seed, chains, depth) => {
      const d = await logDensity(m, { backend: 'mlx', dtype: 'float64' });
      return [d, typescriptKernel(d, seed, Array.from({ length: chains }, (_, c) => c), depth)];
    },
  },
  {
    name: 'fused C++',
    make: async (m, seed, chains, depth) => {
      const d = await logDensity(m, { backend: 'fused', dtype: 'float64' });
      return [d, d.kernel!(seed, Array.from({ length: chains }, (_, c) => c), depth)];
    },
  },
  {
    name: 'fused CUDA, its kernel body run on the CPU (test/cudaEmulation.ts)',
    make: async (m, seed, chains, depth) => {
      setFusedCudaBindingForTests(EmulatedCudaModel);
      try {
        const d = await logDensity(m, { backend: 'fused', device: 'gpu', dtype: 'float64' });
        return [d, d.kernel!(seed, Array.from({ length: chains }, (_, c) => c), depth)];
      } finally {
        setFusedCudaBindingForTests(null);
      }
    },
  },
];

/** `count` transitions of `chains` chains from q0 (the same point for each) with one step size. */
async function run(d: ModelDensity, k: TransitionKernel, q0: number[], eps: number, chains: number, count = 1): Promise<KernelRun> {
  const dim = d.dim;
  const q = new Float64Array(chains * dim);
  for (let c = 0; c < chains; c++) q.set(q0, c * dim);
  const logp = new Float64Array(chains);
  const grad = new Float64Array(chains * dim);
  d.logpGradBatch(q, chains, logp, grad);
  const metrics = Array.from({ length: chains }, () => unitMetric('diag', dim));
  return k.run({ chains, dim, q, logp, grad }, { stepSizes: new Float64Array(chains).fill(eps), metrics }, 0, count);
}

/** Cause and position of chain c's first transition, from either form a kernel reports them in (src/kernel/seam.ts). */
function divergenceOf(r: KernelRun, c: number, dim: number): { cause: number; at: Float64Array } {
  if (r.divergence) return { cause: r.divergence[c * (1 + dim)]!, at: r.divergence.subarray(c * (1 + dim) + 1, (c + 1) * (1 + dim)) };
  const rows = r.divergenceRows ?? new Float64Array(0);
  for (let o = 0; o < rows.length; o += 3 + dim) {
    if (rows[o] === c && rows[o + 1] === 0) return { cause: rows[o + 2]!, at: rows.subarray(o + 3, o + 3 + dim) };
  }
  return { cause: 0, at: new Float64Array(dim) };
}

const flat = model('bookkeeping_flat', (m) => {
  m.param('x', Flat(), { shape: [2] });
});
// Finite only for −9.5 < x < 0.5 (the datum 0.5 must lie in (x, x + 10)).
const wall = model('bookkeeping_wall', (m) => {
  const x = m.param('x', Normal(0, 3));
  m.observe(Uniform(x, x.add(10)), [0.5]);
});
const normal = model('bookkeeping_normal', (m) => {
  m.param('x', Normal(0, 1), { shape: [3] });
});

for (const K of KERNELS) {
  describe(`tree bookkeeping: ${K.name}`, () => {
    test('a flat density never U-turns: depth = max depth, 2^depth − 1 leapfrogs, accept statistic 1', async () => {
      for (const depth of [1, 3, 6]) {
        const [d, k] = await K.make(flat, 3, 2, depth);
        const r = await run(d, k, [0, 0], 0.1, 2);
        for (let c = 0; c < 2; c++) {
          expect(r.stats.treeDepth[c]).toBe(depth);
          expect(r.stats.nLeapfrog[c]).toBe(2 ** depth - 1);
          expect(r.stats.acceptStat[c]).toBe(1);
          expect(r.stats.divergent[c]).toBe(0);
        }
        d.dispose();
      }
    });

    test('a first leaf outside the support stops the tree: one leapfrog, depth 0, divergent, the start kept', async () => {
      const [d, k] = await K.make(wall, 1, 3, 10);
      // from x = 0.4 a step of 50 lands far outside (−9.5, 0.5) in either direction
      const r = await run(d, k, [0.4], 50, 3);
      for (let c = 0; c < 3; c++) {
        expect(r.stats.divergent[c]).toBe(1);
        expect(r.stats.nLeapfrog[c]).toBe(1);
        expect(r.stats.treeDepth[c]).toBe(0);
        expect(r.q[c]).toBe(0.4);
        const div = divergenceOf(r, c, 1);
        expect(div.cause).toBe(2); // non-finite
        const at = div.at[0]!; // where it diverged: one leapfrog step away, outside (−9.5, 0.5)
        expect(at <= -9.5 || at >= 0.5).toBe(true);
      }
      d.dispose();
    });

    test('a smooth density: 2^depth − 1 ≤ leapfrogs ≤ 2^(depth+1) − 1, accept statistic in [0, 1], no divergence', async () => {
      const [d, k] = await K.make(normal, 5, 4, 10);
      const r = await run(d, k, [0.3, -1.2, 0.8], 0.4, 4, 20);
      for (let i = 0; i < 80; i++) {
        const depth = r.stats.treeDepth[i]!;
        expect(r.stats.nLeapfrog[i]).toBeGreaterThanOrEqual(2 ** depth - 1);
        expect(r.stats.nLeapfrog[i]).toBeLessThanOrEqual(2 ** (depth + 1) - 1);
        expect(r.stats.acceptStat[i]).toBeGreaterThanOrEqual(0);
        expect(r.stats.acceptStat[i]).toBeLessThanOrEqual(1);
        expect(r.stats.divergent[i]).toBe(0);
      }
      d.dispose();
    });
  });
}
