// The NUTS transition in the common dialect: Stan's multinomial NUTS exactly as src/nuts/kernel.ts and tree.ts
// have it, written iteratively with O(max_depth × dim) memory per chain. Its vectors (positions, momenta, gradients,
// the spans' momenta) are mn_v, the model's real type: float in float32 libraries, which halves the bytes a leaf
// touches (on the GPU they live in local memory, and the kernel waits on it: bench/results/2026-11-30g-gpu-h200.md);
// scalars (log densities, energies, log-sum-weights, sums and dot products) are double whatever the type.
import { MAX_DELTA_H } from '../base/defaults.ts';
import { metricSource } from './metricSource.ts';
import { uturnSource } from './uturnSource.ts';
import { warmUpdateSource } from './warmUpdateSource.ts';
import { lit } from './prelude.ts';

/** Arrays of length dim per chain in scratch besides the nodes: z (3, above Z_IN_WORK_MAX), ends 6, sample 3, span 5, tmp, v, w. */
const FIXED_ARRAYS = 20;
/** Up to this dimension z's arrays are members of the chain's working state (MnWork), not scratch. */
const Z_IN_WORK_MAX = 64;
/** Arrays per tree node: proposal q, grad and the span's pBeg, pEnd, p♯Beg, p♯End, ρ (momentum: only its kinetic energy). */
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
${uturnSource()}
DEVICE double mn_log_add_exp(double a, double b) {
  if (a == -MN_INF) return b;
  if (b == -MN_INF) return a;
  double m = a > b ? a : b;
  return m + mn_log(mn_exp(a - m) + mn_exp(b - m));
}
struct MnPoint { mn_v* q; mn_v* p; mn_v* g; double logp; };
/* d's position, momentum and gradient from s (pointers read once: a store through one could otherwise, for all the
   compiler knows, change the struct that holds them, and each element would reload them) */
DEVICE void mn_copy3(MnPoint& d, const MnPoint& s) {
  mn_v* MN_RESTRICT dq = d.q; mn_v* MN_RESTRICT dp = d.p; mn_v* MN_RESTRICT dg = d.g;
  const mn_v* MN_RESTRICT sq = s.q; const mn_v* MN_RESTRICT sp = s.p; const mn_v* MN_RESTRICT sg = s.g;
  for (int i = 0; i < MN_DIM; ++i) { dq[i] = sq[i]; dp[i] = sp[i]; dg[i] = sg[i]; }
}
struct MnCtx { const MnChainArgs* a; const R* D; const int* I; R* W; mn_v* v; mn_v* tmp; mn_v* w; };
/* Under a diagonal metric the half step and the drift are one pass (each element's arithmetic as the separate loops
   had it: the velocity rounded to mn_v), with no velocity array written and read back. */
DEVICE void mn_leapfrog(const MnCtx& c, MnPoint& z, double eps) {
  if (!c.a->dense) {
    const double* im = c.a->inv_metric;
    mn_v* MN_RESTRICT q = z.q; mn_v* MN_RESTRICT p = z.p; const mn_v* MN_RESTRICT g = z.g;
    for (int i = 0; i < MN_DIM; ++i) {
      p[i] += 0.5 * eps * g[i];
      const mn_v v = MN_LDG(im + i) * p[i];
      q[i] += eps * v;
    }
  } else {
    for (int i = 0; i < MN_DIM; ++i) z.p[i] += 0.5 * eps * z.g[i];
    mn_velocity(c.a, z.p, c.v, c.w);
    for (int i = 0; i < MN_DIM; ++i) z.q[i] += eps * c.v[i];
  }
  z.logp = mn_model_v(z.q, z.g, c.D, c.I, c.W);
  { mn_v* MN_RESTRICT p = z.p; const mn_v* MN_RESTRICT g = z.g; for (int i = 0; i < MN_DIM; ++i) p[i] += 0.5 * eps * g[i]; }
}
struct MnCounters { int nLeapfrog; double sumMetroProb; int divergent; double* div; /* the row of out_div, or null */ };
/* A leaf's span begins where it ends: its pBeg and psBeg are never written, and this view reads pEnd and psEnd for
   them (the level-0 node holds only leaves; every merged node has all five). */
DEVICE MnSpan mn_leaf_span(const MnSpan& s) { MnSpan v = s; v.pBeg = s.pEnd; v.psBeg = s.psEnd; return v; }
/* One leaf of the subtree of 'depth' doublings being built from z: its t-th leapfrog step, then the merges that leaf
   completes (nodes[slot[level]] holds the left half of each level under way; nodes[curSlot] receives the merged subtree). False when
   the trajectory diverged or a merge found a U-turn: the subtree is invalid. The leaf writes as little as it can,
   since on the GPU every array is local memory that the kernel waits on: no pBeg/psBeg (mn_leaf_span), and no
   position or gradient when the merge with its left neighbour (odd t) keeps the neighbour's sample. */
DEVICE bool mn_subtree_leaf(const MnCtx& c, MnPoint& z, double eps, int depth, int t, double H0, MnNode* nodes, unsigned char* slot,
                            int& curSlot, MnCounters& ctr, mn_u32 iteration) {
  MnNode& cur = nodes[curSlot];
  const MnChainArgs* a = c.a;
  mn_leapfrog(c, z, eps);
  /* the kinetic energy, and (diagonal metric) the leaf's span in the same pass: p as both its end and its momentum sum
     (its p♯ is made from p where a merge needs it; written even when the leaf then diverges: the subtree is dropped) */
  double kin;
  const bool diag = !a->dense;
  if (diag) {
    const double* im = a->inv_metric;
    const mn_v* MN_RESTRICT zp = z.p;
    mn_v* MN_RESTRICT pEnd = cur.s.pEnd; mn_v* MN_RESTRICT rho = cur.s.rho;
    double s = 0;
    for (int i = 0; i < MN_DIM; ++i) {
      const mn_v p = zp[i];
      s += MN_LDG(im + i) * p * p;
      pEnd[i] = p; rho[i] = p;
    }
    kin = 0.5 * s;
  } else {
    kin = mn_kinetic(a, z.p);
  }
  double h = -z.logp + kin;
  { const mn_v* g = z.g; for (int i = 0; i < MN_DIM; ++i) if (!mn_isfinite(g[i])) h = MN_INF; }
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
  if (!diag) { mn_copy(cur.s.pEnd, z.p); mn_copy(cur.s.rho, z.p); mn_velocity(a, z.p, cur.s.psEnd, c.w); }
  int level = 0;
  bool right = true;
  double lsw = 0;
  if (t & 1) { /* the first merge's choice before the copies (its draw is addressed by counter, not by order) */
    lsw = mn_log_add_exp(nodes[slot[0]].lsw, w);
    right = w > lsw ||
      mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_SUBTREE_MERGE, (mn_u32)depth, (mn_u32)t) < mn_exp(w - lsw);
  }
  if (right) {
    mn_v* MN_RESTRICT cq = cur.q; mn_v* MN_RESTRICT cg = cur.g; const mn_v* MN_RESTRICT zq = z.q; const mn_v* MN_RESTRICT zg = z.g;
    for (int i = 0; i < MN_DIM; ++i) { cq[i] = zq[i]; cg[i] = zg[i]; }
  }
  while ((t >> level) & 1) {
    MnNode& left = nodes[slot[level]];
    if (level > 0) {
      lsw = mn_log_add_exp(left.lsw, cur.lsw);
      const mn_u32 mid = (mn_u32)(t - (1 << level) + 1);
      right = cur.lsw > lsw ||
        mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_SUBTREE_MERGE, (mn_u32)depth, mid) < mn_exp(cur.lsw - lsw);
    }
    /* the merged span's momentum sum into cur (its arrays are the right half's; the swaps below keep it) */
    bool valid = level == 0 ? mn_merge(a, mn_leaf_span(left.s), mn_leaf_span(cur.s), cur.s.rho) : mn_merge(a, left.s, cur.s, cur.s.rho);
    if (!right) { mn_swap(cur.q, left.q); mn_swap(cur.g, left.g); cur.kin = left.kin; cur.logp = left.logp; }
    cur.lsw = lsw;
    if (level == 0) { mn_swap(cur.s.pBeg, left.s.pEnd); if (!diag) mn_swap(cur.s.psBeg, left.s.psEnd); }
    else { mn_swap(cur.s.pBeg, left.s.pBeg); if (!diag) mn_swap(cur.s.psBeg, left.s.psBeg); }
    if (!valid) return false;
    ++level;
  }
  if (level < depth) { const int held = slot[level]; slot[level] = (unsigned char)curSlot; curSlot = held; }
  return true;
}
DEVICE void mn_carve_node(MnNode& n, mn_v*& s) {
  n.q = s; s += MN_DIM; n.g = s; s += MN_DIM;
  n.s.pBeg = s; s += MN_DIM; n.s.pEnd = s; s += MN_DIM; n.s.psBeg = s; s += MN_DIM; n.s.psEnd = s; s += MN_DIM;
  n.s.rho = s; s += MN_DIM;
}
#define MN_MAX_TREE_DEPTH_LIMIT 30
${warmUpdateSource()}
enum { MN_Z_FWD = 1, MN_Z_BCK = 2, MN_Z_BOTH = 3 }; /* which end of the trajectory z is (MnWork zEnd) */
/* A chain's working state through its transitions: the trajectory's ends, the sample, the tree's span and nodes. */
struct MnWork {
  MnCtx c;
  MnPoint z, fwd, bck;
  int zEnd;
#if MN_DIM <= ${Z_IN_WORK_MAX}
  /* z's own arrays, never swapped (mn_begin_subtree copies z to and from the trajectory's ends): fixed places the compiler may keep in
     registers for the leapfrog (in scratch for larger models, which a thread's stack would not hold) */
  mn_v zq[MN_DIM], zp[MN_DIM], zg[MN_DIM];
#endif
  mn_v* sq; mn_v* sg; mn_v* sp; double logp;
  double kin; /* the sample's kinetic energy */
  MnSpan top;
  /* the tree's nodes, named by index: slot[level] holds the left half of each level under way, curSlot the subtree
     being built; a level's node changes hands by swapping indices (swapping the nodes themselves, 80 bytes of local
     memory each, was a twentieth of the kernel's stalls) */
  MnNode nodes[MN_MAX_TREE_DEPTH_LIMIT + 2];
  unsigned char slot[MN_MAX_TREE_DEPTH_LIMIT + 1];
  int curSlot;
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
  int l = 0;
  for (; l <= a->max_depth && l <= MN_MAX_TREE_DEPTH_LIMIT; ++l) { mn_carve_node(k.nodes[l], s); k.slot[l] = (unsigned char)l; }
  mn_carve_node(k.nodes[l], s);
  k.curSlot = l;
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
      sp[i] = mn_normal_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_MOMENTUM, 0u, (mn_u32)i) / mn_sqrt(MN_LDG(im + i));
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
  {
    /* z starts as both ends of the trajectory (mn_begin_subtree saves the end it leaves behind) */
    mn_v* MN_RESTRICT zq = k.z.q; mn_v* MN_RESTRICT zp = k.z.p; mn_v* MN_RESTRICT zg = k.z.g;
    mn_v* MN_RESTRICT tB = k.top.pBeg; mn_v* MN_RESTRICT tE = k.top.pEnd; mn_v* MN_RESTRICT tR = k.top.rho;
    const mn_v* MN_RESTRICT sq = k.sq; const mn_v* MN_RESTRICT sg = k.sg; const mn_v* MN_RESTRICT sp0 = sp;
    for (int i = 0; i < MN_DIM; ++i) {
      zq[i] = sq[i]; zp[i] = sp0[i]; zg[i] = sg[i];
      tB[i] = sp0[i]; tE[i] = sp0[i]; tR[i] = sp0[i];
    }
  }
  k.z.logp = k.logp;
  k.zEnd = MN_Z_BOTH;
  if (a->dense) { mn_velocity(a, sp, k.top.psBeg, k.c.w); mn_copy(k.top.psEnd, k.top.psBeg); }
  k.lsw = 0;
  k.depth = 0;
  k.ctr.nLeapfrog = 0; k.ctr.sumMetroProb = 0; k.ctr.divergent = 0;
  k.ctr.div = a->out_div ? a->out_div + (long long)it * (1 + MN_DIM) : (double*)0;
  if (k.ctr.div && MN_DIV_DENSE) k.ctr.div[0] = 0.0; /* the GPU's readers go by the divergent statistic: its pages stay untouched */
}
/* Subtree d begins: its direction (true: forward), and z at that end of the trajectory; returns the signed step. z is
   always one end already (k.zEnd; both at a transition's start), so the ends are copied only when the direction turns:
   the end z leaves is saved, and the other loaded. Copying z into its end at every join and back at every subtree was
   the kernel's largest stall after the merges (bench/results/2026-11-30h-gpu-h200.md). */
DEVICE double mn_begin_subtree(MnWork& k, int d, mn_u32 iteration, double step, bool& forward) {
  const MnChainArgs* a = k.c.a;
  forward = mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_DIRECTION, 0u, (mn_u32)d) > 0.5;
  const int want = forward ? MN_Z_FWD : MN_Z_BCK;
  if (k.zEnd != want) {
    MnPoint& left = k.zEnd == MN_Z_FWD || (k.zEnd == MN_Z_BOTH && !forward) ? k.fwd : k.bck;
    mn_copy3(left, k.z);
    left.logp = k.z.logp;
    if (k.zEnd != MN_Z_BOTH) {
      const MnPoint& end = forward ? k.fwd : k.bck;
      mn_copy3(k.z, end);
      k.z.logp = end.logp;
    }
    k.zEnd = want;
  }
  return forward ? step : -step;
}
/* A valid subtree d (in k.nodes[k.curSlot]) joins the trajectory: a proposal from it by its weight, z as the trajectory's new end
   (where it is), and the whole tree's U-turn check; false when the tree stops. */
DEVICE bool mn_join_subtree(MnWork& k, int d, mn_u32 iteration, bool forward) {
  const MnChainArgs* a = k.c.a;
  MnNode& cur = k.nodes[k.curSlot];
  ++k.depth;
  if (cur.lsw > k.lsw ||
      mn_uniform_at(a->key0, a->key1, a->chain, iteration, MN_PURPOSE_TOP_MERGE, 0u, (mn_u32)d) < mn_exp(cur.lsw - k.lsw)) {
    mn_swap(k.sq, cur.q); mn_swap(k.sg, cur.g); k.kin = cur.kin; k.logp = cur.logp;
  }
  k.lsw = mn_log_add_exp(k.lsw, cur.lsw);
  bool more; /* z, the new end, stays where it is (mn_begin_subtree) */
  const MnSpan cs = d == 0 ? mn_leaf_span(cur.s) : cur.s; /* subtree 0 is one leaf */
  /* the whole trajectory's momentum sum into top.rho (float addition commutes: the same sum either way) */
  if (forward) {
    more = mn_merge(a, k.top, cs, k.top.rho);
    mn_swap(k.top.pEnd, cur.s.pEnd); if (a->dense) mn_swap(k.top.psEnd, cur.s.psEnd);
  } else {
    MnSpan rev; rev.pBeg = cs.pEnd; rev.pEnd = cs.pBeg; rev.psBeg = cs.psEnd; rev.psEnd = cs.psBeg; rev.rho = cs.rho;
    more = mn_merge(a, rev, k.top, k.top.rho);
    mn_swap(k.top.pBeg, cur.s.pEnd); if (a->dense) mn_swap(k.top.psBeg, cur.s.psEnd);
  }
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
  if (a->clamp) {
    bool hit = false;
    for (int i = 0; i < MN_DIM; ++i) hit = hit || (a->clamp[1 + i] != 0.0 && mn_fabs((double)k.sq[i]) >= a->clamp[0]);
    if (hit) *a->clamp_hits += 1.0;
  }
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
      for (int t = 0; t < (1 << d) && valid; ++t) valid = mn_subtree_leaf(k.c, k.z, eps, d, t, k.H0, k.nodes, k.slot, k.curSlot, k.ctr, iteration);
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
        valid = mn_subtree_leaf(k.c, k.z, eps, d, t, k.H0, k.nodes, k.slot, k.curSlot, k.ctr, iteration);
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
