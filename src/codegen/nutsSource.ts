// The NUTS transition in the common dialect: Stan's multinomial NUTS exactly as src/nuts/kernel.ts and tree.ts
// have it, written iteratively with O(max_depth × dim) memory per chain. Everything here is float64.
import { MAX_DELTA_H } from '../base/defaults.ts';
import { lit } from './prelude.ts';

/** Arrays of length dim per chain besides the tree's nodes: z (3), two ends (6), sample (3), span (5), tmp, v, w. */
const FIXED_ARRAYS = 20;
/** Arrays per tree node: proposal q, grad, p and the span's pBeg, pEnd, p♯Beg, p♯End, ρ. */
const NODE_ARRAYS = 8;

/** Doubles of NUTS scratch per chain (the model's workspace comes on top). */
export function nutsScratchArrays(maxDepth: number): number {
  return FIXED_ARRAYS + NODE_ARRAYS * (maxDepth + 2);
}

export function nutsSource(): string {
  return `
#define MN_FIXED_ARRAYS ${FIXED_ARRAYS}
#define MN_NODE_ARRAYS ${NODE_ARRAYS}
struct MnSpan { double* pBeg; double* pEnd; double* psBeg; double* psEnd; double* rho; };
struct MnNode { MnSpan s; double* q; double* g; double* p; double logp; double lsw; };
template <class T> DEVICE void mn_swap(T& a, T& b) { T t = a; a = b; b = t; }
DEVICE void mn_copy(double* d, const double* s) { for (int i = 0; i < MN_DIM; ++i) d[i] = s[i]; }
/* The low-rank metric (dense = 2): a->chol holds rank, sigma (dim), U (rank x dim), lambda - 1, lambda^-1/2 - 1 (rank each),
 * applied in src/kernel/lowRankMetric.ts's operation order. */
DEVICE double mn_lr_kinetic(const double* L, const double* p) {
  const int r = (int)L[0]; const double* sg = L + 1; const double* U = sg + MN_DIM; const double* lm1 = U + r * MN_DIM;
  double s = 0;
  for (int i = 0; i < MN_DIM; ++i) { double y = sg[i] * p[i]; s += y * y; }
  for (int k = 0; k < r; ++k) {
    double c = 0;
    for (int i = 0; i < MN_DIM; ++i) c += U[k * MN_DIM + i] * (sg[i] * p[i]);
    s += lm1[k] * c * c;
  }
  return 0.5 * s;
}
DEVICE void mn_lr_velocity(const double* L, const double* p, double* out, double* w) {
  const int r = (int)L[0]; const double* sg = L + 1; const double* U = sg + MN_DIM; const double* lm1 = U + r * MN_DIM;
  for (int i = 0; i < MN_DIM; ++i) out[i] = sg[i] * p[i];
  for (int k = 0; k < r; ++k) {
    double c = 0;
    for (int i = 0; i < MN_DIM; ++i) c += U[k * MN_DIM + i] * out[i];
    w[k] = lm1[k] * c;
  }
  for (int i = 0; i < MN_DIM; ++i) {
    double s = out[i];
    for (int k = 0; k < r; ++k) s += U[k * MN_DIM + i] * w[k];
    out[i] = sg[i] * s;
  }
}
DEVICE void mn_lr_momentum(const double* L, const double* z, double* out, double* w) {
  const int r = (int)L[0]; const double* sg = L + 1; const double* U = sg + MN_DIM; const double* lis = U + r * MN_DIM + r;
  for (int k = 0; k < r; ++k) {
    double c = 0;
    for (int i = 0; i < MN_DIM; ++i) c += U[k * MN_DIM + i] * z[i];
    w[k] = lis[k] * c;
  }
  for (int i = 0; i < MN_DIM; ++i) {
    double s = z[i];
    for (int k = 0; k < r; ++k) s += U[k * MN_DIM + i] * w[k];
    out[i] = s / sg[i];
  }
}
DEVICE double mn_kinetic(const MnChainArgs* a, const double* p) {
  const double* im = a->inv_metric;
  const int dense = a->dense;
  if (dense == 2) return mn_lr_kinetic(a->chol, p);
  double s = 0;
  if (!dense) {
    for (int i = 0; i < MN_DIM; ++i) s += im[i] * p[i] * p[i];
  } else {
    for (int i = 0; i < MN_DIM; ++i) {
      double r = 0;
      for (int j = 0; j < MN_DIM; ++j) r += im[i * MN_DIM + j] * p[j];
      s += p[i] * r;
    }
  }
  return 0.5 * s;
}
DEVICE void mn_velocity(const MnChainArgs* a, const double* p, double* out, double* w) {
  const double* im = a->inv_metric;
  const int dense = a->dense;
  if (dense == 2) { mn_lr_velocity(a->chol, p, out, w); return; }
  if (!dense) {
    for (int i = 0; i < MN_DIM; ++i) out[i] = im[i] * p[i];
  } else {
    for (int i = 0; i < MN_DIM; ++i) {
      double s = 0;
      for (int j = 0; j < MN_DIM; ++j) s += im[i * MN_DIM + j] * p[j];
      out[i] = s;
    }
  }
}
DEVICE bool mn_criterion(const double* psMinus, const double* psPlus, const double* rho) {
  double a = 0, b = 0;
  for (int i = 0; i < MN_DIM; ++i) { a += psPlus[i] * rho[i]; b += psMinus[i] * rho[i]; }
  return a > 0 && b > 0;
}
/* Stan's three checks when span B follows span A (stan PR #2800). */
DEVICE bool mn_merge_continues(const MnSpan& A, const MnSpan& B, double* tmp) {
  for (int i = 0; i < MN_DIM; ++i) tmp[i] = A.rho[i] + B.rho[i];
  if (!mn_criterion(A.psBeg, B.psEnd, tmp)) return false;
  for (int i = 0; i < MN_DIM; ++i) tmp[i] = A.rho[i] + B.pBeg[i];
  if (!mn_criterion(A.psBeg, B.psBeg, tmp)) return false;
  for (int i = 0; i < MN_DIM; ++i) tmp[i] = A.pEnd[i] + B.rho[i];
  return mn_criterion(A.psEnd, B.psEnd, tmp);
}
DEVICE double mn_log_add_exp(double a, double b) {
  if (a == -MN_INF) return b;
  if (b == -MN_INF) return a;
  double m = a > b ? a : b;
  return m + mn_log(mn_exp(a - m) + mn_exp(b - m));
}
struct MnPoint { double* q; double* p; double* g; double logp; };
struct MnCtx { const MnChainArgs* a; const R* D; const int* I; R* W; double* v; double* tmp; double* w; };
DEVICE void mn_leapfrog(const MnCtx& c, MnPoint& z, double eps) {
  for (int i = 0; i < MN_DIM; ++i) z.p[i] += 0.5 * eps * z.g[i];
  mn_velocity(c.a, z.p, c.v, c.w);
  for (int i = 0; i < MN_DIM; ++i) z.q[i] += eps * c.v[i];
  z.logp = mn_model(z.q, z.g, c.D, c.I, c.W);
  for (int i = 0; i < MN_DIM; ++i) z.p[i] += 0.5 * eps * z.g[i];
}
struct MnCounters { int nLeapfrog; double sumMetroProb; int divergent; double* div; /* the row of out_div, or null */ };
/* Builds the subtree of 'depth' doublings from z (z ends at its last state); cur receives it. False when invalid. */
DEVICE bool mn_build_subtree(const MnCtx& c, MnPoint& z, double eps, int depth, double H0, MnNode* stack, MnNode& cur,
                             MnCounters& ctr, mn_u32 iteration) {
  const MnChainArgs* a = c.a;
  const int leaves = 1 << depth;
  for (int t = 0; t < leaves; ++t) {
    mn_leapfrog(c, z, eps);
    double h = -z.logp + mn_kinetic(a, z.p);
    for (int i = 0; i < MN_DIM; ++i) if (!mn_isfinite(z.g[i])) h = MN_INF;
    if (mn_isnan(h)) h = MN_INF;
    ctr.nLeapfrog++;
    double w = H0 - h;
    ctr.sumMetroProb += w > 0 ? 1.0 : mn_exp(w);
    if (h - H0 > ${lit(MAX_DELTA_H)}) {
      ctr.divergent = 1;
      if (ctr.div) { ctr.div[0] = h == MN_INF ? 2.0 : 1.0; for (int i = 0; i < MN_DIM; ++i) ctr.div[1 + i] = z.q[i]; }
      return false;
    }
    mn_copy(cur.q, z.q); mn_copy(cur.g, z.g); mn_copy(cur.p, z.p); cur.logp = z.logp; cur.lsw = w;
    mn_copy(cur.s.pBeg, z.p); mn_copy(cur.s.pEnd, z.p); mn_copy(cur.s.rho, z.p);
    mn_velocity(a, z.p, cur.s.psBeg, c.w); mn_copy(cur.s.psEnd, cur.s.psBeg);
    int level = 0;
    while ((t >> level) & 1) {
      MnNode& left = stack[level];
      double lsw = mn_log_add_exp(left.lsw, cur.lsw);
      const mn_u32 mid = (mn_u32)(t - (1 << level) + 1);
      bool right = cur.lsw > lsw ||
        mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_SUBTREE_MERGE, (mn_u32)depth, mid) < mn_exp(cur.lsw - lsw);
      bool valid = mn_merge_continues(left.s, cur.s, c.tmp);
      if (!right) { mn_swap(cur.q, left.q); mn_swap(cur.g, left.g); mn_swap(cur.p, left.p); cur.logp = left.logp; }
      cur.lsw = lsw;
      mn_swap(cur.s.pBeg, left.s.pBeg); mn_swap(cur.s.psBeg, left.s.psBeg);
      for (int i = 0; i < MN_DIM; ++i) cur.s.rho[i] = left.s.rho[i] + cur.s.rho[i];
      if (!valid) return false;
      ++level;
    }
    if (level < depth) mn_swap(stack[level], cur);
  }
  return true;
}
DEVICE void mn_carve_node(MnNode& n, double*& s) {
  n.q = s; s += MN_DIM; n.g = s; s += MN_DIM; n.p = s; s += MN_DIM;
  n.s.pBeg = s; s += MN_DIM; n.s.pEnd = s; s += MN_DIM; n.s.psBeg = s; s += MN_DIM; n.s.psEnd = s; s += MN_DIM;
  n.s.rho = s; s += MN_DIM;
}
#define MN_MAX_TREE_DEPTH_LIMIT 30
/* One chain, a->count transitions. */
DEVICE void mn_transitions(const MnChainArgs* a, const R* D, const int* I, R* W) {
  double* s = a->scratch;
  MnCtx c; c.a = a; c.D = D; c.I = I; c.W = W;
  MnPoint z, fwd, bck;
  z.q = s; s += MN_DIM; z.p = s; s += MN_DIM; z.g = s; s += MN_DIM;
  fwd.q = s; s += MN_DIM; fwd.p = s; s += MN_DIM; fwd.g = s; s += MN_DIM;
  bck.q = s; s += MN_DIM; bck.p = s; s += MN_DIM; bck.g = s; s += MN_DIM;
  double* sq = s; s += MN_DIM; double* sg = s; s += MN_DIM; double* sp = s; s += MN_DIM;
  MnSpan top; top.pBeg = s; s += MN_DIM; top.pEnd = s; s += MN_DIM; top.psBeg = s; s += MN_DIM; top.psEnd = s; s += MN_DIM;
  top.rho = s; s += MN_DIM;
  c.tmp = s; s += MN_DIM; c.v = s; s += MN_DIM; c.w = s; s += MN_DIM;
  MnNode stack[MN_MAX_TREE_DEPTH_LIMIT + 1];
  for (int l = 0; l <= a->max_depth && l <= MN_MAX_TREE_DEPTH_LIMIT; ++l) mn_carve_node(stack[l], s);
  MnNode cur; mn_carve_node(cur, s);
  const double* im = a->inv_metric;
  double logp = *a->logp;
  mn_copy(sq, a->q); mn_copy(sg, a->grad);
  for (int it = 0; it < a->count; ++it) {
    const mn_u32 iteration = a->iteration + (mn_u32)it;
    /* momentum: diagonal p_i = z_i / sqrt(M^-1_ii); dense p = L^-T z; low rank as mn_lr_momentum */
    if (a->dense == 2) {
      for (int i = 0; i < MN_DIM; ++i) c.tmp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i);
      mn_lr_momentum(a->chol, c.tmp, sp, c.w);
    } else if (!a->dense) {
      for (int i = 0; i < MN_DIM; ++i)
        sp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i) / mn_sqrt(im[i]);
    } else {
      for (int i = 0; i < MN_DIM; ++i) c.tmp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i);
      const double* L = a->chol;
      for (int i = MN_DIM - 1; i >= 0; --i) {
        double acc = c.tmp[i];
        for (int k = i + 1; k < MN_DIM; ++k) acc -= L[k * MN_DIM + i] * sp[k];
        sp[i] = acc / L[i * MN_DIM + i];
      }
    }
    const double H0 = -logp + mn_kinetic(a, sp);
    mn_copy(fwd.q, sq); mn_copy(fwd.p, sp); mn_copy(fwd.g, sg); fwd.logp = logp;
    mn_copy(bck.q, sq); mn_copy(bck.p, sp); mn_copy(bck.g, sg); bck.logp = logp;
    mn_copy(top.pBeg, sp); mn_copy(top.pEnd, sp); mn_copy(top.rho, sp);
    mn_velocity(a, sp, top.psBeg, c.w); mn_copy(top.psEnd, top.psBeg);
    double lsw = 0;
    int depth = 0;
    MnCounters ctr; ctr.nLeapfrog = 0; ctr.sumMetroProb = 0; ctr.divergent = 0;
    ctr.div = a->out_div ? a->out_div + (long long)it * (1 + MN_DIM) : (double*)0;
    if (ctr.div && MN_DIV_DENSE) ctr.div[0] = 0.0; /* the GPU's readers go by the divergent statistic: its pages stay untouched */
    for (int d = 0; d < a->max_depth; ++d) {
      const bool forward = mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_DIRECTION, 0u, (mn_u32)d) > 0.5;
      MnPoint& end = forward ? fwd : bck;
      mn_copy(z.q, end.q); mn_copy(z.p, end.p); mn_copy(z.g, end.g); z.logp = end.logp;
      const double eps = forward ? a->step_size : -a->step_size;
      if (!mn_build_subtree(c, z, eps, d, H0, stack, cur, ctr, iteration)) break;
      ++depth;
      if (cur.lsw > lsw ||
          mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_TOP_MERGE, 0u, (mn_u32)d) < mn_exp(cur.lsw - lsw)) {
        mn_swap(sq, cur.q); mn_swap(sg, cur.g); mn_swap(sp, cur.p); logp = cur.logp;
      }
      lsw = mn_log_add_exp(lsw, cur.lsw);
      mn_swap(end.q, z.q); mn_swap(end.p, z.p); mn_swap(end.g, z.g); end.logp = z.logp;
      bool more;
      if (forward) {
        more = mn_merge_continues(top, cur.s, c.tmp);
        mn_swap(top.pEnd, cur.s.pEnd); mn_swap(top.psEnd, cur.s.psEnd);
      } else {
        MnSpan rev; rev.pBeg = cur.s.pEnd; rev.pEnd = cur.s.pBeg; rev.psBeg = cur.s.psEnd; rev.psEnd = cur.s.psBeg; rev.rho = cur.s.rho;
        more = mn_merge_continues(rev, top, c.tmp);
        mn_swap(top.pBeg, cur.s.pEnd); mn_swap(top.psBeg, cur.s.psEnd);
      }
      for (int i = 0; i < MN_DIM; ++i) top.rho[i] = top.rho[i] + cur.s.rho[i];
      if (!more) break;
    }
    if (a->out_stats) {
      double* st = a->out_stats + (long long)it * MN_STATS;
      st[0] = logp;
      st[1] = ctr.nLeapfrog > 0 ? ctr.sumMetroProb / ctr.nLeapfrog : 0.0;
      st[2] = depth;
      st[3] = ctr.nLeapfrog;
      st[4] = ctr.divergent;
      st[5] = -logp + mn_kinetic(a, sp);
    }
    if (a->out_q) for (int i = 0; i < MN_DIM; ++i) a->out_q[(long long)it * MN_DIM + i] = sq[i];
    if (a->out_columns) mn_constrain(sq, a->out_columns + (long long)it * MN_COLUMNS, D, I, W);
  }
  mn_copy(a->q, sq); mn_copy(a->grad, sg); *a->logp = logp;
}
`;
}
