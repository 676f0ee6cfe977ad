// A compiled density: the graph emitted once as MLX ops, wrapped in vmap (chains), value_and_grad and compile.
#pragma once
#include <functional>
#include <thread>
#include <vector>

#include "graph.h"

namespace mlxnuts {

class CompiledDensity {
 public:
  CompiledDensity(Graph graph, mlx::core::Dtype dtype, mlx::core::Device device);

  int dim() const { return graph_.dim; }
  mlx::core::Dtype dtype() const { return dtype_; }

  // logp and gradient for Q [chains × dim] (host doubles, row-major) into logp [chains] and grad [chains × dim].
  void logpGrad(const double* q, int chains, double* logp, double* grad);

  // `steps` leapfrog steps for every chain (host doubles; one compiled logp-and-gradient per step):
  // p += ε/2·g; q += ε·M⁻¹p; p += ε/2·g. invMetric is chains×dim (diagonal) or chains×dim×dim (dense).
  // Outputs are steps×chains×dim (q, p, grad) and steps×chains (logp).
  void trajectory(const double* q0, const double* p0, const double* g0, const double* eps, const double* invMetric,
                  bool dense, int steps, int chains, double* outQ, double* outP, double* outG, double* outLp);


  void checkThread() const;
  static double countPrimitives(const std::vector<mlx::core::array>& out);

  // Where native time goes (reset by reading): compiled value-and-grad incl. eval, host⇄device copies,
  // leapfrog arithmetic on the host inside trajectory().
  // buildSeconds: the compiled function's call (MLX builds this call's graph from its tape) and the release of
  // that graph after the results are read; evalSeconds
  // mx::eval (scheduling every primitive and running the kernels on the stream thread, overlapped).
  // primitives: arrays with a primitive in the last call's graph (what each call schedules).
  struct Profile {
    double buildSeconds = 0, evalSeconds = 0, copySeconds = 0, leapfrogHostSeconds = 0;
    double calls = 0, trajectories = 0, primitives = 0;
  };
  Profile takeProfile() {
    Profile p = profile_;
    profile_ = Profile{};
    profile_.primitives = p.primitives;
    return p;
  }

 private:
  Graph graph_;
  mlx::core::Dtype dtype_;
  mlx::core::Device device_;
  std::vector<mlx::core::array> consts_;
  std::vector<int> paramIds_;
  std::function<std::vector<mlx::core::array>(const std::vector<mlx::core::array>&)> compiled_;
  std::function<std::vector<mlx::core::array>(const std::vector<mlx::core::array>&)> compiled1_;
  std::thread::id owner_;
  Profile profile_;
  bool lastOne_ = true;
};

}  // namespace mlxnuts
