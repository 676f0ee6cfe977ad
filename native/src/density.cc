// CompiledDensity: compile(value_and_grad(sum ∘ logp)) over a batch of chains (a leading axis), built once per graph.
#include "density.h"

#include <chrono>
#include <stdexcept>

#include "hostcopy.h"
#include "mlx/graph_utils.h"
#include <cstdlib>
#include <iostream>
#include <unordered_set>

namespace mx = mlx::core;

namespace mlxnuts {

CompiledDensity::CompiledDensity(Graph graph, mx::Dtype dtype, mx::Device device)
    : graph_(std::move(graph)), dtype_(dtype), device_(device), owner_(std::this_thread::get_id()) {
  if (device.type == mx::Device::gpu && dtype == mx::float64)
    throw std::invalid_argument("[logDensity] dtype 'float64' is not supported on the GPU: use 'float32' or device 'cpu'");
  consts_ = makeConstants(graph_, dtype_);
  for (size_t i = 0; i < graph_.nodes.size(); ++i)
    if (graph_.nodes[i].op == "param") paramIds_.push_back(static_cast<int>(i));
  const Graph* g = &graph_;
  mx::Dtype dt = dtype_;
  const size_t P = paramIds_.size();
  // Each parameter is its own input (no slicing of one long vector, no SliceUpdate in the gradient):
  // inputs = [param_0 … param_{P−1}, constants …].
  auto single = [g, dt, P](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    std::vector<mx::array> params(in.begin(), in.begin() + P);
    std::vector<mx::array> consts(in.begin() + P, in.end());
    return {emitLogp(*g, params, consts, dt)};
  };
  std::vector<int> argnums(P);
  for (size_t k = 0; k < P; ++k) argnums[k] = static_cast<int>(k);
  // Chains as a leading batch axis, emitted directly (no vmap); the sum over chains has per-chain gradients
  // because chains never mix; the per-chain logp is an aux output.
  auto total = [g, dt, P](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    std::vector<mx::array> params(in.begin(), in.begin() + P);
    std::vector<mx::array> consts(in.begin() + P, in.end());
    int chains = params.empty() ? 1 : params[0].shape(0);
    auto lp = emitLogpBatched(*g, params, consts, dt, chains);
    return {mx::sum(lp), lp};
  };
  auto pack = [](int which) {
    return [which](const std::pair<std::vector<mx::array>, std::vector<mx::array>>& r) {
      std::vector<mx::array> out{r.first[which]};
      out.insert(out.end(), r.second.begin(), r.second.end());
      return out;
    };
  };
  // One chain: the same graph without vmap (fewer primitives per call).
  auto vg1 = mx::value_and_grad(single, argnums);
  auto pack0 = pack(0);
  compiled1_ = mx::compile([vg1, pack0](const std::vector<mx::array>& in) { return pack0(vg1(in)); });
  auto vg = mx::value_and_grad(total, argnums);
  auto pack1 = pack(1);
  compiled_ = mx::compile([vg, pack1](const std::vector<mx::array>& in) { return pack1(vg(in)); });
  // Trace once now so that graph errors surface at compile time, not at the first draw.
  std::vector<double> zeros(graph_.dim, 0.0);
  std::vector<double> lp(1), gr(graph_.dim);
  logpGrad(zeros.data(), 1, lp.data(), gr.data());
}

// Arrays with a primitive reachable from `out` (unevaluated), each counted once.
double CompiledDensity::countPrimitives(const std::vector<mx::array>& out) {
  std::unordered_set<std::uintptr_t> seen;
  std::vector<mx::array> stack(out.begin(), out.end());
  double n = 0;
  while (!stack.empty()) {
    mx::array a = stack.back();
    stack.pop_back();
    if (!seen.insert(a.id()).second || !a.has_primitive()) continue;
    n += 1;
    for (const auto& s : a.siblings()) seen.insert(s.id());
    for (const auto& in : a.inputs()) stack.push_back(in);
  }
  return n;
}

void CompiledDensity::checkThread() const {
  if (std::this_thread::get_id() != owner_)
    throw std::runtime_error("[mlx-nuts native] a compiled density must be used on the thread that created it (MLX streams are thread-affine)");
}

void CompiledDensity::logpGrad(const double* q, int chains, double* logp, double* grad) {
  checkThread();
  // A new batch size retraces the compiled function, and the emitter builds on the default device (and picks the
  // CPU primitives for special functions from it): keep it this density's, whatever densities came since.
  if (!(mx::default_device() == device_)) mx::set_default_device(device_);
  if (chains < 1) throw std::invalid_argument("[logpGrad] chains must be >= 1");
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  const int D = graph_.dim;
  const bool one = chains == 1;
  std::vector<mx::array> in;
  in.reserve(paramIds_.size() + consts_.size());
  std::vector<double> buf;
  for (int id : paramIds_) {
    const Node& n = graph_.nodes[id];
    int size = 1;
    for (int d : n.shape) size *= d;
    mx::Shape shape(n.shape.begin(), n.shape.end());
    if (one) {
      in.push_back(fromHost(q + n.offset, shape, dtype_));
    } else {
      buf.resize(static_cast<size_t>(chains) * size);
      for (int c = 0; c < chains; ++c)
        std::copy(q + static_cast<size_t>(c) * D + n.offset, q + static_cast<size_t>(c) * D + n.offset + size,
                  buf.begin() + static_cast<size_t>(c) * size);
      shape.insert(shape.begin(), chains);
      in.push_back(fromHost(buf.data(), shape, dtype_));
    }
  }
  for (const auto& c : consts_) in.push_back(c);
  auto t1 = clock::now();
  auto out = one ? compiled1_(in) : compiled_(in);
  auto tb = clock::now();
  static const bool printGraph = std::getenv("MLX_NUTS_PRINT_GRAPH") != nullptr;
  if (printGraph && profile_.calls == 1) mx::print_graph(std::cerr, out);
  if (one != lastOne_ || profile_.primitives == 0) {  // count once per graph (single / batched)
    profile_.primitives = countPrimitives(out);
    lastOne_ = one;
  }
  mx::eval(out);
  auto t2 = clock::now();
  copyToHost(out[0], logp);
  for (size_t k = 0; k < paramIds_.size(); ++k) {
    const Node& n = graph_.nodes[paramIds_[k]];
    int size = 1;
    for (int d : n.shape) size *= d;
    buf.resize(static_cast<size_t>(chains) * size);
    copyToHost(out[1 + k], buf.data());
    for (int c = 0; c < chains; ++c)
      std::copy(buf.begin() + static_cast<size_t>(c) * size, buf.begin() + static_cast<size_t>(c + 1) * size,
                grad + static_cast<size_t>(c) * D + n.offset);
  }
  auto t3 = clock::now();
  // releasing this call's graph (every array and its buffer) is MLX's cost too: time it with the build
  out.clear();
  in.clear();
  auto t4 = clock::now();
  profile_.calls += 1;
  profile_.copySeconds += std::chrono::duration<double>((t1 - t0) + (t3 - t2)).count();
  profile_.buildSeconds += std::chrono::duration<double>((tb - t1) + (t4 - t3)).count();
  profile_.evalSeconds += std::chrono::duration<double>(t2 - tb).count();
}

}  // namespace mlxnuts

namespace mlxnuts {

void CompiledDensity::trajectory(const double* q0, const double* p0, const double* g0, const double* eps,
                                 const double* invMetric, bool dense, int steps, int chains, double* outQ, double* outP,
                                 double* outG, double* outLp) {
  checkThread();
  auto tStart = std::chrono::steady_clock::now();
  double evalBefore = profile_.buildSeconds + profile_.evalSeconds + profile_.copySeconds;
  const int D = graph_.dim;
  const size_t n = static_cast<size_t>(chains) * D;
  std::vector<double> q(q0, q0 + n), p(p0, p0 + n), g(g0, g0 + n), v(D);
  for (int s = 0; s < steps; ++s) {
    for (int c = 0; c < chains; ++c) {
      double e = eps[c];
      double* pc = &p[static_cast<size_t>(c) * D];
      double* qc = &q[static_cast<size_t>(c) * D];
      const double* gc = &g[static_cast<size_t>(c) * D];
      for (int i = 0; i < D; ++i) pc[i] += 0.5 * e * gc[i];
      if (dense) {
        const double* m = invMetric + static_cast<size_t>(c) * D * D;
        for (int i = 0; i < D; ++i) {
          double acc = 0;
          for (int j = 0; j < D; ++j) acc += m[static_cast<size_t>(i) * D + j] * pc[j];
          v[i] = acc;
        }
      } else {
        const double* m = invMetric + static_cast<size_t>(c) * D;
        for (int i = 0; i < D; ++i) v[i] = m[i] * pc[i];
      }
      for (int i = 0; i < D; ++i) qc[i] += e * v[i];
    }
    double* lp = outLp + static_cast<size_t>(s) * chains;
    double* gs = outG + static_cast<size_t>(s) * n;
    logpGrad(q.data(), chains, lp, gs);
    std::copy(gs, gs + n, g.begin());
    for (int c = 0; c < chains; ++c) {
      double e = eps[c];
      for (int i = 0; i < D; ++i) p[static_cast<size_t>(c) * D + i] += 0.5 * e * g[static_cast<size_t>(c) * D + i];
    }
    std::copy(q.begin(), q.end(), outQ + static_cast<size_t>(s) * n);
    std::copy(p.begin(), p.end(), outP + static_cast<size_t>(s) * n);
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - tStart).count();
  profile_.trajectories += 1;
  profile_.leapfrogHostSeconds += total - (profile_.buildSeconds + profile_.evalSeconds + profile_.copySeconds - evalBefore);
}

}  // namespace mlxnuts
