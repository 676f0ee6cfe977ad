// CompiledDensity: compile(value_and_grad(sum ∘ vmap(logp))) over a batch of chains, built once per graph.
#include "density.h"

#include <chrono>
#include <stdexcept>

#include "hostcopy.h"

namespace mx = mlx::core;

namespace mlxnuts {

CompiledDensity::CompiledDensity(Graph graph, mx::Dtype dtype, mx::Device device)
    : graph_(std::move(graph)), dtype_(dtype), device_(device), owner_(std::this_thread::get_id()) {
  if (device.type == mx::Device::gpu && dtype == mx::float64)
    throw std::invalid_argument("[logDensity] dtype 'float64' is not supported on the GPU: use 'float32' or device 'cpu'");
  consts_ = makeConstants(graph_, dtype_);
  const Graph* g = &graph_;
  mx::Dtype dt = dtype_;
  auto single = [g, dt](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    std::vector<mx::array> consts(in.begin() + 1, in.end());
    return {emitLogp(*g, in[0], consts, dt)};
  };
  std::vector<int> inAxes(1 + consts_.size(), -1);
  inAxes[0] = 0;
  auto batched = mx::vmap(single, inAxes, {0});
  // The sum over chains has per-chain gradients because chains never mix; the per-chain logp is an aux output.
  auto total = [batched](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    auto lp = batched(in)[0];
    return {mx::sum(lp), lp};
  };
  // One chain: the same graph without vmap (fewer primitives per call).
  auto singleTotal = [single](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    return single(in);
  };
  auto vg1 = mx::value_and_grad(singleTotal, std::vector<int>{0});
  compiled1_ = mx::compile([vg1](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    auto [vals, grads] = vg1(in);
    return {vals[0], grads[0]};
  });
  auto vg = mx::value_and_grad(total, std::vector<int>{0});
  compiled_ = mx::compile([vg](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    auto [vals, grads] = vg(in);
    return {vals[1], grads[0]};
  });
  // Trace once now so that graph errors surface at compile time, not at the first draw.
  std::vector<double> zeros(graph_.dim, 0.0);
  std::vector<double> lp(1), gr(graph_.dim);
  logpGrad(zeros.data(), 1, lp.data(), gr.data());
}

void CompiledDensity::checkThread() const {
  if (std::this_thread::get_id() != owner_)
    throw std::runtime_error("[mlx-nuts native] a compiled density must be used on the thread that created it (MLX streams are thread-affine)");
}

std::pair<mx::array, mx::array> CompiledDensity::logpGradDevice(const mx::array& Q) {
  std::vector<mx::array> in;
  in.reserve(1 + consts_.size());
  bool one = Q.shape(0) == 1;
  in.push_back(one ? mx::reshape(Q, {graph_.dim}) : Q);
  for (const auto& c : consts_) in.push_back(c);
  if (one) {
    auto out = compiled1_(in);
    return {mx::reshape(out[0], {1}), mx::reshape(out[1], {1, graph_.dim})};
  }
  auto out = compiled_(in);
  return {out[0], out[1]};
}

void CompiledDensity::logpGrad(const double* q, int chains, double* logp, double* grad) {
  checkThread();
  if (chains < 1) throw std::invalid_argument("[logpGrad] chains must be >= 1");
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  mx::array Q = fromHost(q, {chains, graph_.dim}, dtype_);
  auto t1 = clock::now();
  auto [lp, g] = logpGradDevice(Q);
  mx::eval({lp, g});
  auto t2 = clock::now();
  copyToHost(lp, logp);
  copyToHost(g, grad);
  auto t3 = clock::now();
  profile_.calls += 1;
  profile_.copySeconds += std::chrono::duration<double>((t1 - t0) + (t3 - t2)).count();
  profile_.evalSeconds += std::chrono::duration<double>(t2 - t1).count();
}

}  // namespace mlxnuts

namespace mlxnuts {

void CompiledDensity::trajectory(const double* q0, const double* p0, const double* g0, const double* eps,
                                 const double* invMetric, bool dense, int steps, int chains, double* outQ, double* outP,
                                 double* outG, double* outLp) {
  checkThread();
  auto tStart = std::chrono::steady_clock::now();
  double evalBefore = profile_.evalSeconds + profile_.copySeconds;
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
  profile_.leapfrogHostSeconds += total - (profile_.evalSeconds + profile_.copySeconds - evalBefore);
}

}  // namespace mlxnuts
