// MvNormal(mu, cov): log p(x) = −½k log 2π − Σ_i log L_ii − ½‖L⁻¹(x − μ)‖², Σ = LLᵀ (or ½ log|Λ| − ½ dᵀΛd).
import { ModelError } from '../base/errors.ts';
import { constant, type Expr, matmul, type Operand } from '../graph/expr.ts';
import { log, square, sum, where } from '../graph/ops.ts';
import { fmtShape, sizeOf } from '../graph/shape.ts';
import { cholesky } from '../math/cholesky.ts';
import { isOptions, oneOf, real, type Distribution } from './distribution.ts';
import { HALF_LOG_2PI } from '../math/constants.ts';
import { choleskyFactor, diagonal, lowerInverse, solveLowerRows, solveUpperTransposed } from './linalg.ts';
import { eventDraws } from './sampling.ts';

type Form = 'cov' | 'cholesky' | 'precision';

function checkConstMatrix(form: Form, c: Float64Array, k: number): Float64Array {
  const F = `[MvNormal] ${form}`;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const a = c[i * k + j]!;
      if (form === 'cholesky') {
        if (j > i && a !== 0) throw new ModelError(`${F} must be lower triangular, but entry [${i}, ${j}] is ${a}`);
        if (j === i && !(a > 0)) throw new ModelError(`${F} must have a positive diagonal, but entry [${i}, ${i}] is ${a}`);
      } else if (Math.abs(a - c[j * k + i]!) > 1e-10 * Math.max(1, Math.abs(a))) {
        throw new ModelError(`${F} must be symmetric, but entries [${i}, ${j}] and [${j}, ${i}] differ`);
      }
    }
  }
  if (form === 'cholesky') return c;
  const l = cholesky(c, k);
  if (!l) throw new ModelError(`${F} must be positive definite`);
  return l;
}

/**
 * MvNormal(μ, Σ) (Stan's multi_normal), MvNormal(μ, { cholesky: L }) (multi_normal_cholesky, Σ = LLᵀ) or
 * MvNormal(μ, { precision: Λ }) (multi_normal_prec). μ has shape [..., k] (leading axes are a batch), the matrix
 * [k, k]. A constant matrix is factored once on the host; a matrix that depends on parameters is factored in the
 * graph by an unrolled, differentiable Cholesky (O(k) nodes; a covariance that is not positive definite gives −∞).
 */
export function MvNormal(mu: Operand, cov: Operand | { cov: Operand } | { cholesky: Operand } | { precision: Operand }): Distribution {
  const m = real('MvNormal', 'mu', mu);
  if (m.ndim < 1) throw new ModelError('[MvNormal] mu must be a vector (shape [k] or [..., k])');
  const k = m.shape[m.ndim - 1]!;
  const opts = (isOptions(cov) ? cov : { cov }) as Record<string, unknown>;
  const form = oneOf('MvNormal', opts, ['cov', 'cholesky', 'precision']) as Form;
  const A = real('MvNormal', form, opts[form] as Operand);
  if (A.ndim !== 2 || A.shape[0] !== k || A.shape[1] !== k) {
    throw new ModelError(`[MvNormal] ${form} must have shape [${k}, ${k}] to match mu's last axis, got ${fmtShape(A.shape)}`);
  }
  const c = A.constValue;
  const hostL = c ? checkConstMatrix(form, c, k) : null;
  const batchShape = m.shape.slice(0, -1);
  // the whitening map W (rows: z = d·W), the log-determinant term and the validity flag
  let W: Expr;
  let logDetTerm: Expr | number;
  let ok: Expr | null = null;
  if (hostL) {
    let ld = 0;
    for (let i = 0; i < k; i++) ld += Math.log(hostL[i * k + i]!);
    if (form === 'precision') {
      W = constant(A.g, hostL, '[MvNormal] factor').reshape([k, k]);
      logDetTerm = ld;
    } else {
      const inv = lowerInverse(hostL, k);
      const invT = new Float64Array(k * k).map((_, idx) => inv[(idx % k) * k + Math.floor(idx / k)]!);
      W = constant(A.g, invT, '[MvNormal] inverse factor').reshape([k, k]);
      logDetTerm = -ld;
    }
  } else {
    W = A; // placeholder: the graph forms are resolved per call below
    logDetTerm = 0;
  }
  const quadAndDet = (d: Expr): { quad: Expr; det: Expr | number } => {
    if (hostL) return { quad: sum(square(matmul(d, W)), 1), det: logDetTerm };
    if (form === 'precision') {
      const f = choleskyFactor(A);
      ok = f.ok;
      return { quad: sum(matmul(d, A).mul(d), 1), det: sum(log(f.diag)) };
    }
    const L = form === 'cov' ? choleskyFactor(A) : { L: A, diag: diagonal(A), ok: null };
    ok = L.ok;
    return { quad: sum(square(solveLowerRows(L.L, d)), 1), det: sum(log(L.diag)).neg() };
  };
  return {
    name: 'MvNormal',
    support: { kind: 'real' },
    batchShape,
    eventShape: [k],
    logProb(x: Expr) {
      if (x.ndim < 1 || x.shape[x.ndim - 1] !== k) throw new ModelError(`[MvNormal] values must have a last axis of length ${k}, got ${fmtShape(x.shape)}`);
      const d = x.sub(m);
      const outBatch = d.shape.slice(0, -1);
      const { quad, det } = quadAndDet(d.reshape([sizeOf(outBatch), k]));
      const lp = quad.mul(-0.5).add(det).sub(k * HALF_LOG_2PI).reshape(outBatch);
      return ok ? where(ok, lp, -Infinity) : lp;
    },
    sample: (rng, at, shape) => eventDraws('MvNormal', rng, at, batchShape, [k], [m, A], [1, 2], shape, (r, [mv, av]) => {
      const eps = r.normals(new Float64Array(k));
      const x = new Float64Array(k);
      const L = form === 'cholesky' ? av! : cholesky(av!, k);
      if (!L) throw new ModelError(`[MvNormal] ${form} is not positive definite at this draw`);
      if (form === 'precision') {
        const y = solveUpperTransposed(L, k, eps);
        for (let i = 0; i < k; i++) x[i] = mv![i]! + y[i]!;
      } else {
        for (let i = 0; i < k; i++) {
          let s = mv![i]!;
          for (let j = 0; j <= i; j++) s += L[i * k + j]! * eps[j]!;
          x[i] = s;
        }
      }
      return x;
    }),
  };
}
