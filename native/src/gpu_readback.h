// Reading a GPU launch's outputs back to the host (native/src/fused_cuda.cc): the divergent transitions' rows, and a
// launch's statistics and constrained draws straight into the fit's arrays (src/kernel/seam.ts FitTarget).
#pragma once
#include <napi.h>

#include <vector>

#include "deferred_copy.h"
#include "mlx/mlx.h"

namespace mlxnuts {

/** A kernel output of doubles (uint32 pairs on MLX's GPU), evaluated and row-contiguous. */
inline const double* doublesOf(const mlx::core::array& a) { return reinterpret_cast<const double*>(a.data<uint32_t>()); }

/**
 * `values` constrained values or statistics of a kernel output as doubles at dst: the kernel writes them in
 * MN_COLUMN_T / MN_STAT_T (see native/src/fused_abi.h), floats (colWords 1: widened here) in float32 kernels, doubles
 * (colWords 2) otherwise.
 */
void columnsToHost(double* dst, const mlx::core::array& a, size_t values, int colWords);

/** Statistics per transition of a sampling launch (MN_STATS of native/src/fused_abi.h). */
constexpr int kLaunchStats = 6;

/**
 * Rows of 3 + dim doubles [chain, transition (0-based in the launch), cause, position…] of the transitions whose
 * divergent statistic (index 4 of `statWidth` chain-major host statistics) is 1; only those rows of `div` are read
 * (gathered on the GPU first).
 */
Napi::Value divergenceRows(Napi::Env env, const double* stats, int statWidth, const mlx::core::array& div, int n, int count, int dim);

/**
 * Builds MLX's gather kernel for divergenceRows' arrays (uint32 rows, int32 indices) by gathering one row of a small
 * array: MLX compiles it with NVRTC at its first use in a process, 2.5-3 s that otherwise land in the first launch with
 * a divergence (bench/results/2026-11-30g-gpu-h200.md, stress). Called when the model's kernel is compiled.
 */
void warmGather();

/** The fit rows a launch writes (FitTarget / WarmupSegment.into), checked against n chains and count transitions. */
struct FitRows {
  double* stats = nullptr;
  long long total = 0, offset = 0;
  int statCount = 0;
  std::vector<int> statRows;
};
FitRows fitRows(const Napi::Object& f, int width, int n, int count);

/**
 * A launch's chain-major statistics (width per transition; each `words` uint32s: 2 for doubles, 1 for the floats of
 * a float32 kernel's MN_STAT_T) into the fit's rows, transposed on the GPU.
 */
void placeStats(const FitRows& fr, const mlx::core::array& stats, int width, int n, int count, int words);

/** divergenceRows for statistics already placed in the fit's rows. */
Napi::Value fitDivergenceRows(Napi::Env env, const FitRows& fr, const mlx::core::array& div, int n, int count, int dim);

/**
 * A sampling launch's outputs (so, oq, oc, os, od) into the fit's arrays; returns the divergent rows. With `defer`, the
 * constrained values' copy (the largest) runs on defer's thread, and the caller settles it before the fit is read.
 */
Napi::Value intoFit(Napi::Env env, const Napi::Object& f, const std::vector<mlx::core::array>& outs, int n, int count, int dim,
                    int columns, int colWords, DeferredCopy* defer = nullptr);

/**
 * A sampling launch's outputs into the caller's arrays (no fit): chain-major on the device (each thread writes its own
 * rows), iteration-major for the sampler unless `chainMajor` (the many-chain path of sample(), src/nuts/recordDraws.ts);
 * returns the divergent rows.
 */
Napi::Value intoArrays(Napi::Env env, const std::vector<mlx::core::array>& outs, int n, int count, int dim, int columns, int colWords,
                       double* outQ, double* outC, double* outS, bool chainMajor);

}  // namespace mlxnuts
