// Emits the graph with chains as a leading batch axis (instead of vmap, whose matmul rule broadcasts and copies
// constant matrices per chain): every value is either unbatched (constants) or batched [C, …its shape].
#include <stdexcept>

#include "graph.h"

namespace mx = mlx::core;

namespace mlxnuts {

namespace {

struct Val {
  mx::array a;
  bool batched;
  int rank() const { return a.ndim() - (batched ? 1 : 0); }  // rank of the per-chain value
};

// A batched value of per-chain rank r lifted to per-chain rank `target` by inserting unit axes after the batch
// axis, so that numpy broadcasting against unbatched values of rank `target` lines up.
mx::array lift(const Val& v, int target) {
  if (!v.batched || v.rank() >= target) return v.a;
  mx::Shape s = v.a.shape();
  s.insert(s.begin() + 1, target - v.rank(), 1);
  return mx::reshape(v.a, s);
}

// Inputs of an elementwise op, aligned for broadcasting.
std::vector<mx::array> aligned(const std::vector<Val>& xs) {
  int r = 0;
  for (const auto& x : xs) r = std::max(r, x.rank());
  std::vector<mx::array> out;
  for (const auto& x : xs) out.push_back(lift(x, r));
  return out;
}

bool anyBatched(const std::vector<Val>& xs) {
  for (const auto& x : xs)
    if (x.batched) return true;
  return false;
}

mx::array batchedAll(const Val& v, int chains) {
  if (v.batched) return v.a;
  mx::Shape s = v.a.shape();
  s.insert(s.begin(), chains);
  return mx::broadcast_to(mx::expand_dims(v.a, 0), s);
}

mx::array matmulBatched(const Val& a, const Val& b) {
  if (!a.batched && !b.batched) return mx::matmul(a.a, b.a);
  const bool aVec = a.rank() == 1, bVec = b.rank() == 1;
  // vectors become matrices: a row on the left, a column on the right; squeeze them back afterwards
  mx::array A = aVec ? mx::expand_dims(a.a, a.batched ? 1 : 0) : a.a;
  mx::array B = bVec ? mx::expand_dims(b.a, -1) : b.a;
  if (!a.batched && b.batched && bVec && !aVec) {
    // constant matrix × per-chain vector: [C, k] @ Aᵀ [k, n] = [C, n] — one GEMM, no per-chain copies of A
    return mx::matmul(b.a, mx::transpose(a.a));
  }
  mx::array r = mx::matmul(A, B);  // batch axes broadcast
  if (bVec) r = mx::squeeze(r, -1);
  if (aVec) r = mx::squeeze(r, -2 + (bVec ? 1 : 0));
  return r;
}

}  // namespace

mx::array emitLogpBatched(const Graph& g, const std::vector<mx::array>& params, const std::vector<mx::array>& consts,
                          mx::Dtype dtype, int chains) {
  std::vector<Val> v;
  v.reserve(g.nodes.size());
  size_t nextParam = 0, nextConst = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::vector<Val> in;
    for (int k : n.inputs) in.push_back(v[k]);
    Val r{mx::array(0.0f), anyBatched(in)};
    if (n.op == "param") {
      r = {params.at(nextParam++), true};
    } else if (n.op == "const") {
      const mx::array& c = consts.at(nextConst++);
      r = {c, false};
    } else if (n.op == "sum" || n.op == "mean" || n.op == "logSumExp" || n.op == "max") {
      r.a = reduceAxes(n, in[0].a, in[0].batched);
    } else if (n.op == "where") {
      auto x = aligned(in);
      r.a = mx::where(x[0], x[1], x[2]);
    } else if (n.op == "clamp") {
      auto x = aligned(in);
      auto shape = mx::broadcast_shapes(mx::broadcast_shapes(x[0].shape(), x[1].shape()), x[2].shape());
      auto lo = mx::broadcast_to(x[1], shape), hi = mx::broadcast_to(x[2], shape), xx = mx::broadcast_to(x[0], shape);
      r.a = mx::where(mx::less(xx, lo), lo, mx::where(mx::greater(xx, hi), hi, xx));
    } else if (n.op == "cumsum") {
      int ax = n.axis < 0 ? n.axis + in[0].rank() : n.axis;
      r.a = mx::cumsum(in[0].a, ax + (in[0].batched ? 1 : 0), n.reverse, true);
    } else if (n.op == "matmul") {
      r.a = matmulBatched(in[0], in[1]);
    } else if (n.op == "take") {
      int ax = n.axis < 0 ? n.axis + in[0].rank() : n.axis;
      r.a = mx::take(in[0].a, in[1].a, ax + (in[0].batched ? 1 : 0));
      r.batched = in[0].batched;
    } else if (n.op == "concat" || n.op == "stack") {
      std::vector<mx::array> xs;
      for (const auto& x : in) xs.push_back(r.batched ? batchedAll(x, chains) : x.a);
      int ax = n.axis + (r.batched ? 1 : 0);
      r.a = n.op == "concat" ? mx::concatenate(xs, ax) : mx::stack(xs, ax);
    } else if (n.op == "reshape" || n.op == "broadcastTo") {
      mx::Shape s = toShape(n.shape);
      if (r.batched) s.insert(s.begin(), chains);
      r.a = n.op == "reshape" ? mx::reshape(in[0].a, s) : mx::broadcast_to(lift(in[0], static_cast<int>(n.shape.size())), s);
    } else if (n.op == "transpose") {
      std::vector<int> perm = n.axes;
      if (r.batched) {
        for (auto& p : perm) p += 1;
        perm.insert(perm.begin(), 0);
      }
      r.a = mx::transpose(in[0].a, perm);
    } else if (n.op == "slice") {
      mx::Shape b = toShape(n.begin), e = toShape(n.end);
      if (r.batched) {
        b.insert(b.begin(), 0);
        e.insert(e.begin(), chains);
      }
      r.a = mx::slice(in[0].a, b, e);
    } else if (n.inputs.size() == 1) {
      r.a = unary(n.op, in[0].a);
    } else if (n.inputs.size() == 2) {
      auto x = aligned(in);
      r.a = binary(n.op, x[0], x[1]);
    } else {
      throw std::invalid_argument("[mlx-nuts native] graph node " + std::to_string(i) + " (" + n.op + "): cannot emit");
    }
    mx::Shape want = toShape(n.shape);
    if (r.batched) want.insert(want.begin(), chains);
    if (r.a.shape() != want) {
      std::string got, w;
      for (int d : r.a.shape()) got += std::to_string(d) + ",";
      for (int d : want) w += std::to_string(d) + ",";
      throw std::invalid_argument("[mlx-nuts native] graph node " + std::to_string(i) + " (" + n.op +
                                  ", batched): shape [" + got + "] does not match [" + w + "]");
    }
    v.push_back(std::move(r));
  }
  const Val& out = v[g.output];
  return out.batched ? out.a : mx::broadcast_to(out.a, {chains});
}

}  // namespace mlxnuts
