// Every benchmark model: gradients against finite differences, MLX against the reference, batches against singles.
import { describe, expect, test } from 'vitest';
import { logDensitySync, precision } from 'mlx-nuts';
import { MODELS } from '../models/index.ts';
import { fdGrad, maxRelErrVec, norm, relErr, testPoint } from './helpers.ts';

const { TOLERANCE } = precision;

describe.each(Object.entries(MODELS))('model %s', (name, { model, meta }) => {
  test('dimension matches MODELS.md', () => {
    expect(logDensitySync(model, { backend: 'reference' }).dim).toBe(meta.dim);
  });

  test('reference gradient matches central finite differences', () => {
    const d = logDensitySync(model, { backend: 'reference' });
    const q = testPoint(d.dim);
    expect(maxRelErrVec(d.logpGrad(q).grad, fdGrad(d, q), 1e-2)).toBeLessThan(TOLERANCE.finiteDifference);
  });

  test('MLX float64 and float32 match the reference', () => {
    const ref = logDensitySync(model, { backend: 'reference' });
    const m64 = logDensitySync(model, { backend: 'mlx', dtype: 'float64' });
    const m32 = logDensitySync(model, { backend: 'mlx', dtype: 'float32' });
    for (const phase of [1, 0.37]) {
      const q = testPoint(ref.dim, phase);
      const r = ref.logpGrad(q);
      const a = m64.logpGrad(q);
      const b = m32.logpGrad(q);
      expect(relErr(a.logp, r.logp)).toBeLessThan(TOLERANCE.float64VsReference);
      expect(maxRelErrVec(a.grad, r.grad, 1)).toBeLessThan(TOLERANCE.float64VsReference);
      expect(relErr(b.logp, r.logp)).toBeLessThan(TOLERANCE.float32VsReference);
      expect(relErr(norm(b.grad), norm(r.grad))).toBeLessThan(TOLERANCE.float32VsReference);
    }
  });

  test('a batch of 64 chains equals 64 single calls', () => {
    const d = logDensitySync(model, { backend: 'mlx', dtype: 'float32' });
    const chains = 64;
    const Q = new Float64Array(chains * d.dim);
    for (let c = 0; c < chains; c++) Q.set(testPoint(d.dim, 0.1 + c * 0.05), c * d.dim);
    const { logp, grad } = d.logpGradBatch(Q, chains);
    for (let c = 0; c < chains; c++) {
      const one = d.logpGrad(Q.slice(c * d.dim, (c + 1) * d.dim));
      expect(relErr(logp[c]!, one.logp)).toBeLessThan(1e-6);
      expect(maxRelErrVec(grad.subarray(c * d.dim, (c + 1) * d.dim), one.grad, 1e-3)).toBeLessThan(1e-5);
    }
  });
});
