// The NUTS transition in the common dialect: Stan's multinomial NUTS exactly as src/nuts/kernel.ts and tree.ts
// have it, written iteratively with O(max_depth × dim) memory per chain. Its vectors (positions, momenta, gradients,
// the spans' momenta) are mn_v, the model's real type: float in float32 libraries, which halves the bytes a leaf
// touches (on the GPU they live in local memory, and the kernel waits on it: bench/results/2026-11-30g-gpu-h200.md);
// scalars (log densities, energies, log-sum-weights, sums and dot products) are double whatever the type.
import { MAX_DELTA_H } from '../base/defaults.ts';
import { metricSource } from './metricSource.ts';
import { lit } from './prelude.ts';

/**
 * Arrays of length dim per chain in scratch besides the tree's nodes: z (3; used only above Z_IN_WORK_MAX), two ends
 * (6), sample (3), span (5), tmp, v, w.
 */
const FIXED_ARRAYS = 20;
/** Up to this dimension z's arrays are members of the chain's working state (MnWork), not scratch. */
const Z_IN_WORK_MAX = 64;
/**
 * Arrays per tree node: proposal q, grad and the span's pBeg, pEnd, p♯Beg, p♯End, ρ (the proposal's momentum is
 * needed only for its kinetic energy, kept as a scalar).
 */
const NODE_ARRAYS = 7;

/** Doubles of NUTS scratch per chain for vectors of `vecBytes` bytes (the model's workspace comes on top). */
export function nutsScratchDoubles(maxDepth: number, dim: number, vecBytes: number): number {
  return Math.ceil(((FIXED_ARRAYS + NODE_ARRAYS * (maxDepth + 2)) * dim * vecBytes) / 8);
}

export function nutsSource(): string {
  return `
#define MN_FIXED_ARRAYS ${FIXED_ARRAYS}
#define MN_NODE_ARRAYS ${NODE_ARRAYS}
typedef R mn_v;
/* doubles of NUTS scratch for trees of 'depth' doublings */
#define MN_NUTS_DOUBLES(depth) (((long long)(MN_FIXED_ARRAYS + MN_NODE_ARRAYS * ((depth) + 2)) * MN_DIM * (long long)sizeof(mn_v) + 7) / 8)
struct MnSpan { mn_v* pBeg; mn_v* pEnd; mn_v* psBeg; mn_v* psEnd; mn_v* rho; };
/* kin: the kinetic energy of the proposal's momentum (the energy statistic's part) */
struct MnNode { MnSpan s; mn_v* q; mn_v* g; double logp; double lsw; double kin; };
template <class T> DEVICE void mn_swap(T& a, T& b) { T t = a; a = b; b = t; }
DEVICE void mn_copy(mn_v* d, const mn_v* s) { for (int i = 0; i < MN_DIM; ++i) d[i] = s[i]; }
${metricSource()}
DEVICE bool mn_criterion(const mn_v* psMinus, const mn_v* psPlus, const mn_v* rho) {
  double a = 0, b = 0;
  for (int i = 0; i < MN_DIM; ++i) { a += psPlus[i] * rho[i]; b += psMinus[i] * rho[i]; }
  return a > 0 && b > 0;
}
/* Stan's three checks when span B follows span A (stan PR #2800). */
DEVICE bool mn_merge_continues(const MnSpan& A, const MnSpan& B, mn_v* tmp) {
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
struct MnPoint { mn_v* q; mn_v* p; mn_v* g; double logp; };
struct MnCtx { const MnChainArgs* a; const R* D; const int* I; R* W; mn_v* v; mn_v* tmp; mn_v* w; };
DEVICE void mn_leapfrog(const MnCtx& c, MnPoint& z, double eps) {
  for (int i = 0; i < MN_DIM; ++i) z.p[i] += 0.5 * eps * z.g[i];
  mn_velocity(c.a, z.p, c.v, c.w);
  for (int i = 0; i < MN_DIM; ++i) z.q[i] += eps * c.v[i];
  z.logp = mn_model_v(z.q, z.g, c.D, c.I, c.W);
  for (int i = 0; i < MN_DIM; ++i) z.p[i] += 0.5 * eps * z.g[i];
}
struct MnCounters { int nLeapfrog; double sumMetroProb; int divergent; double* div; /* the row of out_div, or null */ };
/* A leaf's span begins where it ends: its pBeg and psBeg are never written, and this view reads pEnd and psEnd for
   them (stack[0] holds only leaves; every merged node has all five). */
DEVICE MnSpan mn_leaf_span(const MnSpan& s) { MnSpan v = s; v.pBeg = s.pEnd; v.psBeg = s.psEnd; return v; }
/* One leaf of the subtree of 'depth' doublings being built from z: its t-th leapfrog step, then the merges that leaf
   completes (stack[level] holds the left half of each level under way; cur receives the merged subtree). False when
   the trajectory diverged or a merge found a U-turn: the subtree is invalid. The leaf writes as little as it can,
   since on the GPU every array is local memory that the kernel waits on: no pBeg/psBeg (mn_leaf_span), and no
   position or gradient when the merge with its left neighbour (odd t) keeps the neighbour's sample. */
DEVICE bool mn_subtree_leaf(const MnCtx& c, MnPoint& z, double eps, int depth, int t, double H0, MnNode* stack, MnNode& cur,
                            MnCounters& ctr, mn_u32 iteration) {
  const MnChainArgs* a = c.a;
  mn_leapfrog(c, z, eps);
  const double kin = mn_kinetic(a, z.p);
  double h = -z.logp + kin;
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
  cur.kin = kin; cur.logp = z.logp; cur.lsw = w;
  mn_copy(cur.s.pEnd, z.p); mn_copy(cur.s.rho, z.p);
  mn_velocity(a, z.p, cur.s.psEnd, c.w);
  int level = 0;
  bool right = true;
  double lsw = 0;
  if (t & 1) { /* the first merge's choice before the copies (its draw is addressed by counter, not by order) */
    lsw = mn_log_add_exp(stack[0].lsw, w);
    right = w > lsw ||
      mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_SUBTREE_MERGE, (mn_u32)depth, (mn_u32)t) < mn_exp(w - lsw);
  }
  if (right) { mn_copy(cur.q, z.q); mn_copy(cur.g, z.g); }
  while ((t >> level) & 1) {
    MnNode& left = stack[level];
    if (level > 0) {
      lsw = mn_log_add_exp(left.lsw, cur.lsw);
      const mn_u32 mid = (mn_u32)(t - (1 << level) + 1);
      right = cur.lsw > lsw ||
        mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_SUBTREE_MERGE, (mn_u32)depth, mid) < mn_exp(cur.lsw - lsw);
    }
    bool valid = level == 0 ? mn_merge_continues(mn_leaf_span(left.s), mn_leaf_span(cur.s), c.tmp) : mn_merge_continues(left.s, cur.s, c.tmp);
    if (!right) { mn_swap(cur.q, left.q); mn_swap(cur.g, left.g); cur.kin = left.kin; cur.logp = left.logp; }
    cur.lsw = lsw;
    if (level == 0) { mn_swap(cur.s.pBeg, left.s.pEnd); mn_swap(cur.s.psBeg, left.s.psEnd); }
    else { mn_swap(cur.s.pBeg, left.s.pBeg); mn_swap(cur.s.psBeg, left.s.psBeg); }
    for (int i = 0; i < MN_DIM; ++i) cur.s.rho[i] = left.s.rho[i] + cur.s.rho[i];
    if (!valid) return false;
    ++level;
  }
  if (level < depth) mn_swap(stack[level], cur);
  return true;
}
DEVICE void mn_carve_node(MnNode& n, mn_v*& s) {
  n.q = s; s += MN_DIM; n.g = s; s += MN_DIM;
  n.s.pBeg = s; s += MN_DIM; n.s.pEnd = s; s += MN_DIM; n.s.psBeg = s; s += MN_DIM; n.s.psEnd = s; s += MN_DIM;
  n.s.rho = s; s += MN_DIM;
}
#define MN_MAX_TREE_DEPTH_LIMIT 30
/* Pooled warmup's work after each transition of a chain (mode 3 of the CUDA kernel, src/codegen/cuda.ts): sc holds δ,
   γ and, per transition, the host's η, √m, m^-κ and whether it is in a slow window; E is the chain's [ε, s̄, x̄, μ,
   Welford n], wmean/wm2 its Welford moments, out count × (MN_STATS + 1) statistics (the last: the ε used). The
   arithmetic of src/nuts/pooledWarmup.ts dualUpdateAll and src/nuts/windows.ts welfordAdd. */
struct MnWarm { const double* sc; double* E; double* wmean; double* wm2; MN_STAT_T* out; };
DEVICE void mn_warm_update(const MnWarm* wu, int it, const double* st, const mn_v* q) {
  double* E = wu->E;
  MN_STAT_T* o = wu->out + (long long)it * (MN_STATS + 1);
  for (int j = 0; j < MN_STATS; ++j) o[j] = (MN_STAT_T)st[j];
  o[MN_STATS] = (MN_STAT_T)E[0];
  const double delta = wu->sc[0], gamma = wu->sc[1];
  const double* k = wu->sc + 2 + 4 * it;
  const double acc = st[1] > 1 ? 1.0 : st[1];
  const double sBar = (1 - k[0]) * E[1] + k[0] * (delta - acc);
  const double x = E[3] - (sBar * k[1]) / gamma;
  E[1] = sBar;
  E[2] = k[2] * x + (1 - k[2]) * E[2];
  E[0] = mn_exp(x);
  if (k[3] != 0.0) {
    E[4] += 1.0;
    for (int i = 0; i < MN_DIM; ++i) {
      const double dq = q[i] - wu->wmean[i];
      wu->wmean[i] += dq / E[4];
      wu->wm2[i] += dq * (q[i] - wu->wmean[i]);
    }
  }
}
/* A chain's working state through its transitions: the trajectory's ends, the sample, the tree's span and nodes. */
struct MnWork {
  MnCtx c;
  MnPoint z, fwd, bck;
#if MN_DIM <= ${Z_IN_WORK_MAX}
  /* z's own arrays, never swapped (a join copies z into the trajectory's end): fixed places the compiler may keep in
     registers for the leapfrog (in scratch for larger models, which a thread's stack would not hold) */
  mn_v zq[MN_DIM], zp[MN_DIM], zg[MN_DIM];
#endif
  mn_v* sq; mn_v* sg; mn_v* sp; double logp;
  double kin; /* the sample's kinetic energy */
  MnSpan top;
  MnNode stack[MN_MAX_TREE_DEPTH_LIMIT + 1];
  MnNode cur;
  double H0, lsw;
  int depth; /* the transition's valid subtrees so far */
  MnCounters ctr;
};
DEVICE void mn_work_init(MnWork& k, const MnChainArgs* a, const R* D, const int* I, R* W) {
  mn_v* s = (mn_v*)a->scratch;
  k.c.a = a; k.c.D = D; k.c.I = I; k.c.W = W;
#if MN_DIM <= ${Z_IN_WORK_MAX}
  k.z.q = k.zq; k.z.p = k.zp; k.z.g = k.zg;
#else
  k.z.q = s; s += MN_DIM; k.z.p = s; s += MN_DIM; k.z.g = s; s += MN_DIM;
#endif
  k.fwd.q = s; s += MN_DIM; k.fwd.p = s; s += MN_DIM; k.fwd.g = s; s += MN_DIM;
  k.bck.q = s; s += MN_DIM; k.bck.p = s; s += MN_DIM; k.bck.g = s; s += MN_DIM;
  k.sq = s; s += MN_DIM; k.sg = s; s += MN_DIM; k.sp = s; s += MN_DIM;
  k.top.pBeg = s; s += MN_DIM; k.top.pEnd = s; s += MN_DIM; k.top.psBeg = s; s += MN_DIM; k.top.psEnd = s; s += MN_DIM;
  k.top.rho = s; s += MN_DIM;
  k.c.tmp = s; s += MN_DIM; k.c.v = s; s += MN_DIM; k.c.w = s; s += MN_DIM;
  for (int l = 0; l <= a->max_depth && l <= MN_MAX_TREE_DEPTH_LIMIT; ++l) mn_carve_node(k.stack[l], s);
  mn_carve_node(k.cur, s);
  k.logp = *a->logp;
  for (int i = 0; i < MN_DIM; ++i) { k.sq[i] = (mn_v)a->q[i]; k.sg[i] = (mn_v)a->grad[i]; }
}
/* Transition 'it' begins: its momentum (diagonal p_i = z_i / sqrt(M^-1_ii); dense p = L^-T z; low rank as
   mn_lr_momentum), the initial energy, both ends of the trajectory at the current sample, the counters. */
DEVICE void mn_begin_transition(MnWork& k, int it, mn_u32 iteration) {
  const MnChainArgs* a = k.c.a;
  const double* im = a->inv_metric;
  mn_v* sp = k.sp;
  if (a->dense == 2) {
    for (int i = 0; i < MN_DIM; ++i) k.c.tmp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i);
    mn_lr_momentum(a->chol, k.c.tmp, sp, k.c.w);
  } else if (!a->dense) {
    for (int i = 0; i < MN_DIM; ++i)
      sp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i) / mn_sqrt(im[i]);
  } else {
    for (int i = 0; i < MN_DIM; ++i) k.c.tmp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i);
    const double* L = a->chol;
    for (int i = MN_DIM - 1; i >= 0; --i) {
      double acc = k.c.tmp[i];
      for (int j = i + 1; j < MN_DIM; ++j) acc -= L[j * MN_DIM + i] * sp[j];
      sp[i] = acc / L[i * MN_DIM + i];
    }
  }
  k.kin = mn_kinetic(a, sp);
  k.H0 = -k.logp + k.kin;
  mn_copy(k.fwd.q, k.sq); mn_copy(k.fwd.p, sp); mn_copy(k.fwd.g, k.sg); k.fwd.logp = k.logp;
  mn_copy(k.bck.q, k.sq); mn_copy(k.bck.p, sp); mn_copy(k.bck.g, k.sg); k.bck.logp = k.logp;
  mn_copy(k.top.pBeg, sp); mn_copy(k.top.pEnd, sp); mn_copy(k.top.rho, sp);
  mn_velocity(a, sp, k.top.psBeg, k.c.w); mn_copy(k.top.psEnd, k.top.psBeg);
  k.lsw = 0;
  k.depth = 0;
  k.ctr.nLeapfrog = 0; k.ctr.sumMetroProb = 0; k.ctr.divergent = 0;
  k.ctr.div = a->out_div ? a->out_div + (long long)it * (1 + MN_DIM) : (double*)0;
  if (k.ctr.div && MN_DIV_DENSE) k.ctr.div[0] = 0.0; /* the GPU's readers go by the divergent statistic: its pages stay untouched */
}
/* Subtree d begins: its direction (true: forward), and z at that end of the trajectory; returns the signed step. */
DEVICE double mn_begin_subtree(MnWork& k, int d, mn_u32 iteration, double step, bool& forward) {
  const MnChainArgs* a = k.c.a;
  forward = mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_DIRECTION, 0u, (mn_u32)d) > 0.5;
  const MnPoint& end = forward ? k.fwd : k.bck;
  mn_copy(k.z.q, end.q); mn_copy(k.z.p, end.p); mn_copy(k.z.g, end.g); k.z.logp = end.logp;
  return forward ? step : -step;
}
/* A valid subtree d (in k.cur) joins the trajectory: a proposal from it by its weight, z as the trajectory's new end,
   and the whole tree's U-turn check; false when the tree stops. */
DEVICE bool mn_join_subtree(MnWork& k, int d, mn_u32 iteration, bool forward) {
  const MnChainArgs* a = k.c.a;
  MnNode& cur = k.cur;
  ++k.depth;
  if (cur.lsw > k.lsw ||
      mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_TOP_MERGE, 0u, (mn_u32)d) < mn_exp(cur.lsw - k.lsw)) {
    mn_swap(k.sq, cur.q); mn_swap(k.sg, cur.g); k.kin = cur.kin; k.logp = cur.logp;
  }
  k.lsw = mn_log_add_exp(k.lsw, cur.lsw);
  MnPoint& end = forward ? k.fwd : k.bck;
  mn_copy(end.q, k.z.q); mn_copy(end.p, k.z.p); mn_copy(end.g, k.z.g); end.logp = k.z.logp;
  bool more;
  const MnSpan cs = d == 0 ? mn_leaf_span(cur.s) : cur.s; /* subtree 0 is one leaf */
  if (forward) {
    more = mn_merge_continues(k.top, cs, k.c.tmp);
    mn_swap(k.top.pEnd, cur.s.pEnd); mn_swap(k.top.psEnd, cur.s.psEnd);
  } else {
    MnSpan rev; rev.pBeg = cs.pEnd; rev.pEnd = cs.pBeg; rev.psBeg = cs.psEnd; rev.psEnd = cs.psBeg; rev.rho = cs.rho;
    more = mn_merge_continues(rev, k.top, k.c.tmp);
    mn_swap(k.top.pBeg, cur.s.pEnd); mn_swap(k.top.psBeg, cur.s.psEnd);
  }
  for (int i = 0; i < MN_DIM; ++i) k.top.rho[i] = k.top.rho[i] + cur.s.rho[i];
  return more;
}
/* Transition 'it' is done: its statistics, draw and constrained values out, then warm's update when given. */
DEVICE void mn_end_transition(MnWork& k, int it, const MnWarm* warm) {
  const MnChainArgs* a = k.c.a;
  double st[MN_STATS];
  st[0] = k.logp;
  st[1] = k.ctr.nLeapfrog > 0 ? k.ctr.sumMetroProb / k.ctr.nLeapfrog : 0.0;
  st[2] = k.depth;
  st[3] = k.ctr.nLeapfrog;
  st[4] = k.ctr.divergent;
  st[5] = -k.logp + k.kin;
  if (a->out_stats) for (int j = 0; j < MN_STATS; ++j) a->out_stats[(long long)it * MN_STATS + j] = (MN_STAT_T)st[j];
  if (warm) mn_warm_update(warm, it, st, k.sq);
  if (a->out_q) for (int i = 0; i < MN_DIM; ++i) a->out_q[(long long)it * MN_DIM + i] = k.sq[i];
  if (a->out_columns) mn_constrain_v(k.sq, a->out_columns + (long long)it * MN_COLUMNS, k.c.D, k.c.I, k.c.W);
}
DEVICE void mn_work_out(MnWork& k, const MnChainArgs* a) {
  for (int i = 0; i < MN_DIM; ++i) { a->q[i] = k.sq[i]; a->grad[i] = k.sg[i]; }
  *a->logp = k.logp;
}
/* One chain, a->count transitions, as nested loops over transitions, subtrees and leaves (the CPU engine: a chain
   runs alone on its thread, and the nested loops are the faster code there). */
DEVICE void mn_transitions(const MnChainArgs* a, const R* D, const int* I, R* W, const MnWarm* warm) {
  MnWork k;
  mn_work_init(k, a, D, I, W);
  for (int it = 0; it < a->count; ++it) {
    const mn_u32 iteration = a->iteration + (mn_u32)it;
    const double step = warm ? warm->E[0] : a->step_size;
    mn_begin_transition(k, it, iteration);
    for (int d = 0; d < a->max_depth; ++d) {
      bool forward;
      const double eps = mn_begin_subtree(k, d, iteration, step, forward);
      bool valid = true;
      for (int t = 0; t < (1 << d) && valid; ++t) valid = mn_subtree_leaf(k.c, k.z, eps, d, t, k.H0, k.stack, k.cur, k.ctr, iteration);
      if (!valid || !mn_join_subtree(k, d, iteration, forward)) break;
    }
    mn_end_transition(k, it, warm);
  }
  mn_work_out(k, a);
}
/* The same transitions (each followed by warm's update when given) as one loop of passes (the GPU engine), so that a
   chain whose tree has ended starts its next one while the rest of its warp still steps. A pass is either a leaf
   pass, where every chain inside a subtree takes one leapfrog step, or a boundary pass, where every chain between
   subtrees joins the one it finished and begins the next (its next transition when the tree stopped: the momentum
   draw, the statistics and the draw out). The two kinds are never mixed in one pass: the warp pays for a boundary
   pass only when at least the fraction MN_GATE of its live chains wait at a boundary (or none has a leaf to take),
   where doing both in every pass made the cheap models pay the boundary's work about once per leapfrog (eight_schools'
   device time doubled on the H200, bench/results/2026-11-30f-gpu-h200.md). The warp runs about as long as its chain
   with the most steps in the launch, where the nested loops made every chain wait, at each loop's end, for the warp's
   slowest tree: summed over a warp, 2.6× fewer leapfrogs in warmup for stress and 2.4× for eight_schools, 14 % fewer
   in sampling (bench/warmupLockstep.ts's statistics, 512 chains on the CPU engine). The batching point of Radul et al.
   2020, "Automatically batching control-flow-heavy programs with application to NUTS". A chain that waits does
   nothing, so each chain's arithmetic is the nested loops' in the same order: their draws bit for bit. mask: the
   warp's threads that run chains (MN_WARP_COUNT counts a predicate over them; 1 and the predicate itself on a CPU). */
DEVICE void mn_run(const MnChainArgs* a, const R* D, const int* I, R* W, const MnWarm* warm, unsigned mask) {
  MnWork k;
  mn_work_init(k, a, D, I, W);
  double step = warm ? warm->E[0] : a->step_size;
  int it = 0, d = 0, t = 0;
  bool atBoundary = true, joinPending = false, valid = true, forward = true;
  double eps = 0;
  mn_u32 iteration = a->iteration;
  for (;;) {
    const bool live = it < a->count;
    const unsigned leaves = MN_WARP_COUNT(mask, live && !atBoundary);
    const unsigned bounds = MN_WARP_COUNT(mask, live && atBoundary);
    if (leaves + bounds == 0) break;
    if (leaves > 0 && (double)bounds < MN_GATE * (double)(leaves + bounds)) {
      /* a leaf pass: every chain inside a subtree takes its next leapfrog step */
      if (live && !atBoundary) {
        valid = mn_subtree_leaf(k.c, k.z, eps, d, t, k.H0, k.stack, k.cur, k.ctr, iteration);
        ++t;
        if (!valid || t == (1 << d)) { atBoundary = true; joinPending = true; }
      }
      continue;
    }
    /* a boundary pass: every chain between subtrees joins the one it finished, ends its transition when the tree
       stops, and begins its next subtree (or transition) */
    if (!(live && atBoundary)) continue;
    for (;;) {
      if (joinPending) {
        joinPending = false;
        const bool more = valid && mn_join_subtree(k, d, iteration, forward);
        ++d;
        if (more && d < a->max_depth) break;
        mn_end_transition(k, it, warm);
        if (warm) step = warm->E[0];
        ++it;
      }
      if (it >= a->count) break;
      iteration = a->iteration + (mn_u32)it;
      mn_begin_transition(k, it, iteration);
      d = 0;
      if (a->max_depth > 0) break;
      mn_end_transition(k, it, warm); /* no tree at all: the transition keeps its sample */
      if (warm) step = warm->E[0];
      ++it;
    }
    if (it < a->count) { eps = mn_begin_subtree(k, d, iteration, step, forward); t = 0; atBoundary = false; }
  }
  mn_work_out(k, a);
}
`;
}
