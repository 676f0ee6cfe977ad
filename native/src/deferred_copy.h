// A launch's copies into the fit that run on a thread of their own while the next launch runs (the GPU engine's run
// with overlap: src/backend/fusedGpu.ts); the engine settles it before anything else reads or launches after it.
#pragma once
#include <exception>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "mlx/mlx.h"

namespace mlxnuts {

class DeferredCopy {
 public:
  /**
   * Runs `fn` on a new thread (after settling the one before). `keep`: the arrays fn reads; they are released at
   * settle(), on the calling thread, never on fn's (MLX frees buffers from the thread that drops them).
   */
  void start(std::function<void()> fn, std::vector<mlx::core::array> keep) {
    settle();
    keep_ = std::move(keep);
    thread_ = std::thread([this, fn = std::move(fn)] {
      try {
        fn();
      } catch (...) {
        error_ = std::current_exception();
      }
    });
  }

  /** Waits for the copy under way, if any; returns the seconds waited, and rethrows the copy's error. */
  double settle() {
    if (!thread_.joinable()) return 0;
    const auto t0 = std::chrono::steady_clock::now();
    thread_.join();
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    keep_.clear();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    return waited;
  }

  ~DeferredCopy() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
  std::exception_ptr error_;
  std::vector<mlx::core::array> keep_;
};

}  // namespace mlxnuts
