// CompiledDensity: compile(value_and_grad(sum ∘ vmap(logp))) over a batch of chains, built once per graph.
#include "density.h"

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
  in.push_back(Q);
  for (const auto& c : consts_) in.push_back(c);
  auto out = compiled_(in);
  return {out[0], out[1]};
}

void CompiledDensity::logpGrad(const double* q, int chains, double* logp, double* grad) {
  checkThread();
  if (chains < 1) throw std::invalid_argument("[logpGrad] chains must be >= 1");
  mx::array Q = fromHost(q, {chains, graph_.dim}, dtype_);
  auto [lp, g] = logpGradDevice(Q);
  mx::eval({lp, g});
  copyToHost(lp, logp);
  copyToHost(g, grad);
}

}  // namespace mlxnuts
