// Reading a GPU launch's outputs back (gpu_readback.h): MLX arrays on the GPU are managed memory, so what is read is
// first reshaped on the GPU (MLX ops) into the order the host needs, then copied in runs (device_copy.cc); each array
// read in several copies is declared first (HostReads: with MLX_NUTS_GPU_COPY=prefetch it migrates to the host once).
#include "gpu_readback.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "device_copy.h"
#include "gpu_profile.h"
#include "page_in.h"
#include "napi_args.h"

namespace mx = mlx::core;

namespace mlxnuts {

namespace {

/**
 * The rows `entries` (chain·count + transition, ascending) of a chain-major output of `w` doubles per transition,
 * gathered on the GPU (one MLX take) and copied back in one read: reading each divergent row in place made one
 * managed-page migration per divergence (25,459 of them for stress at 16,384 chains).
 */
std::vector<double> gatherRows(const mx::array& a, const std::vector<int32_t>& entries, size_t w) {
  std::vector<double> out(entries.size() * w);
  if (entries.empty()) return out;
  mx::Device gpu(mx::Device::gpu);
  const int total = static_cast<int>(a.size() / (2 * w));
  auto idx = mx::array(entries.data(), {static_cast<int>(entries.size())}, mx::int32);
  auto g = mx::contiguous(mx::take(mx::reshape(a, {total, static_cast<int>(2 * w)}, gpu), idx, 0, gpu), false, gpu);
  mx::eval(g);
  copyToHost(out.data(), doublesOf(g), out.size() * sizeof(double));
  return out;
}

/** [chain, transition, cause, position…] rows for `entries` of the divergence output `div` (1 + dim doubles each). */
Napi::Value rowsOf(Napi::Env env, const mx::array& div, const std::vector<int32_t>& entries, int count, int dim) {
  const auto t0 = Clock::now();
  const size_t w = 1 + static_cast<size_t>(dim);
  const std::vector<double> got = gatherRows(div, entries, w);
  auto out = Napi::Float64Array::New(env, entries.size() * (2 + w));
  for (size_t r = 0; r < entries.size(); ++r) {
    double* row = out.Data() + r * (2 + w);
    row[0] = entries[r] / count;
    row[1] = entries[r] % count;
    std::memcpy(row + 2, got.data() + r * w, w * sizeof(double));
  }
  gProfile.divergenceSeconds += since(t0);
  return out;
}

/** awaitPageIn (page_in.h), its wait counted in gProfile.pageWaitSeconds. */
void awaitPages(const void* p, size_t bytes) {
  const auto t0 = Clock::now();
  awaitPageIn(p, bytes);
  gProfile.pageWaitSeconds += since(t0);
}

}  // namespace

void warmGather() {
  const uint32_t rows[4] = {0u, 0u, 0u, 0u};
  const mx::array a(rows, {4}, mx::uint32);
  gatherRows(a, {1}, 1);
}

Napi::Value divergenceRows(Napi::Env env, const double* stats, int statWidth, const mx::array& div, int n, int count, int dim) {
  std::vector<int32_t> entries;
  for (int k = 0; k < n; ++k)
    for (int it = 0; it < count; ++it) {
      const size_t src = static_cast<size_t>(k) * count + it;
      if (stats[src * statWidth + 4] == 1.0) entries.push_back(static_cast<int32_t>(src));
    }
  return rowsOf(env, div, entries, count, dim);
}

FitRows fitRows(const Napi::Object& f, int width, int n, int count) {
  FitRows r;
  r.total = f.Get("total").As<Napi::Number>().Int64Value();
  r.offset = f.Get("offset").As<Napi::Number>().Int64Value();
  if (r.offset < 0 || r.offset + count > r.total) throw std::invalid_argument("[fused-gpu] fit.offset + count exceeds fit.total");
  auto rowsV = f.Get("statRows");
  if (!rowsV.IsTypedArray() || rowsV.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      rowsV.As<Napi::Int32Array>().ElementLength() != static_cast<size_t>(width))
    throw std::invalid_argument("[fused-gpu] fit.statRows must be an Int32Array of " + std::to_string(width));
  auto statRows = rowsV.As<Napi::Int32Array>();
  r.statCount = f.Get("statCount").As<Napi::Number>().Int32Value();
  for (int j = 0; j < width; ++j) {
    if (statRows[j] >= r.statCount) throw std::invalid_argument("[fused-gpu] fit.statRows entry beyond statCount");
    r.statRows.push_back(statRows[j]);
  }
  r.stats = needF64(f.Get("stats"), "fused-gpu", "fit.stats", static_cast<size_t>(n) * r.statCount * r.total).Data();
  return r;
}

void columnsToHost(double* dst, const mx::array& a, size_t values, int colWords) {
  if (colWords == 2) {
    copyToHost(dst, doublesOf(a), values * sizeof(double));
    return;
  }
  // packed rows of kRow values (then the remainder), so that widenRowsToHost can split them over threads
  constexpr size_t kRow = 4096;
  const float* f = reinterpret_cast<const float*>(a.data<uint32_t>());
  const size_t full = values / kRow;
  widenRowsToHost(dst, kRow, f, kRow, full);
  widenRowsToHost(dst + full * kRow, kRow, f + full * kRow, values - full * kRow, 1);
}

/**
 * A chain-major n × count × width output (each value `words` uint32s: 2 for doubles, 1 for floats) as
 * n × width × count, transposed on the GPU.
 */
mx::array byRows(const mx::array& a, int n, int count, int width, int words = 2) {
  const auto t0 = Clock::now();
  mx::Device gpu(mx::Device::gpu);
  auto t = mx::contiguous(mx::transpose(mx::reshape(a, {n, count, width, words}, gpu), {0, 2, 1, 3}, gpu), false, gpu);
  mx::eval(t);
  gProfile.transposeSeconds += since(t0);
  return t;
}

/**
 * A launch's statistics into the fit's rows: transposed on the GPU, then one 2-D copy per statistic (its `count`
 * values of every chain to row statRows[j] of each chain's block, at the launch's offset).
 */
void placeStats(const FitRows& fr, const mx::array& stats, int width, int n, int count, int words) {
  awaitPages(fr.stats, sizeof(double) * static_cast<size_t>(n) * fr.statCount * fr.total);
  auto t = byRows(stats, n, count, width, words);
  const auto t0 = Clock::now();
  HostReads reads(t.data<uint32_t>(), t.nbytes());  // MLX_NUTS_GPU_COPY=prefetch: migrated once for its width copies
  for (int j = 0; j < width; ++j) {
    if (fr.statRows[j] < 0) continue;
    double* to = fr.stats + fr.statRows[j] * fr.total + fr.offset;
    const size_t dpitch = static_cast<size_t>(fr.statCount) * fr.total;
    if (words == 2) {
      copyToHost2D(to, sizeof(double) * dpitch, doublesOf(t) + static_cast<size_t>(j) * count, sizeof(double) * width * count,
                   sizeof(double) * count, n);
    } else {  // floats (MN_STAT_T of a float32 kernel): widened into the fit's rows
      widenRowsToHost(to, dpitch, reinterpret_cast<const float*>(t.data<uint32_t>()) + static_cast<size_t>(j) * count, static_cast<size_t>(count),
                      static_cast<size_t>(n), static_cast<size_t>(width) * count);
    }
  }
  gProfile.fitCopySeconds += since(t0);
}

/** divergenceRows for statistics already in the fit's rows (the divergent flag is kernel statistic 4). */
Napi::Value fitDivergenceRows(Napi::Env env, const FitRows& fr, const mx::array& div, int n, int count, int dim) {
  const int row = fr.statRows[4];
  std::vector<int32_t> entries;
  for (int k = 0; k < n && row >= 0; ++k) {
    const double* flags = fr.stats + (static_cast<size_t>(k) * fr.statCount + row) * fr.total + fr.offset;
    for (int j = 0; j < count; ++j)
      if (flags[j] == 1.0) entries.push_back(static_cast<int32_t>(static_cast<size_t>(k) * count + j));
  }
  return rowsOf(env, div, entries, count, dim);
}

/**
 * run()'s outputs straight into the fit's arrays (fit: FitTarget of src/kernel/seam.ts — columns, stats, statCount,
 * statRows, total, offset, clamp, clampMask, clampHits): columns [chain][column][total] and stats
 * [chain][statCount][total], transposed on the GPU and copied in 2-D blocks; clampHits[chain] += the count of draws
 * whose |q_i| reached `clamp` for some i with clampMask[i] = 1, which the kernel made in place of the draws (outs[1]:
 * one double per chain; src/codegen/cuda.ts oq). Returns the divergent transitions' rows.
 */
Napi::Value intoFit(Napi::Env env, const Napi::Object& f, const std::vector<mx::array>& outs, int n, int count, int dim, int columns,
                    int colWords, DeferredCopy* defer) {
  const size_t cols = static_cast<size_t>(columns);
  FitRows fr = fitRows(f, kLaunchStats, n, count);
  auto fc = needF64(f.Get("columns"), "fused-gpu", "fit.columns", static_cast<size_t>(n) * cols * fr.total);
  auto hits = needF64(f.Get("clampHits"), "fused-gpu", "fit.clampHits", n);
  awaitPages(fc.Data(), fc.ByteLength());
  placeStats(fr, outs[3], kLaunchStats, n, count, colWords);
  if (cols) {
    auto t = byRows(outs[2], n, count, static_cast<int>(cols), colWords);
    const uint32_t* src = t.data<uint32_t>();
    const size_t bytes = t.nbytes(), rows = static_cast<size_t>(n) * cols, total = static_cast<size_t>(fr.total);
    double* dst = fc.Data() + fr.offset;
    auto copy = [=] {
      const auto t0 = Clock::now();
      HostReads reads(src, bytes);
      if (colWords == 2) {
        copyToHost2D(dst, sizeof(double) * total, reinterpret_cast<const double*>(src), sizeof(double) * count, sizeof(double) * count, rows);
      } else {
        // floats: each (chain, column) row widened straight into its place in the fit
        widenRowsToHost(dst, total, reinterpret_cast<const float*>(src), static_cast<size_t>(count), rows);
      }
      gProfile.fitCopySeconds += since(t0);
    };
    if (defer) defer->start(copy, {t});
    else copy();
  }
  const auto tc = Clock::now();
  std::vector<double> counted(static_cast<size_t>(n));
  copyToHost(counted.data(), doublesOf(outs[1]), counted.size() * sizeof(double));
  for (int k = 0; k < n; ++k) hits[k] += counted[k];
  gProfile.clampSeconds += since(tc);
  return fitDivergenceRows(env, fr, outs[4], n, count, dim);
}

Napi::Value intoArrays(Napi::Env env, const std::vector<mx::array>& outs, int n, int count, int dim, int columns, int colWords,
                       double* outQ, double* outC, double* outS, bool chainMajor) {
  const size_t d = static_cast<size_t>(dim), cols = static_cast<size_t>(columns);
  const size_t entries = static_cast<size_t>(count) * n;
  std::vector<double> hq, hc, hs(entries * kLaunchStats);
  columnsToHost(hs.data(), outs[3], hs.size(), colWords);
  auto div = divergenceRows(env, hs.data(), kLaunchStats, outs[4], n, count, dim);
  if (chainMajor) {
    copyToHost(outQ, doublesOf(outs[1]), entries * d * sizeof(double));
    if (cols) columnsToHost(outC, outs[2], entries * cols, colWords);
    std::memcpy(outS, hs.data(), hs.size() * sizeof(double));
    return div;
  }
  hq.resize(entries * d);
  copyToHost(hq.data(), doublesOf(outs[1]), hq.size() * sizeof(double));
  if (cols) {
    hc.resize(entries * cols);
    columnsToHost(hc.data(), outs[2], hc.size(), colWords);
  }
  for (int k = 0; k < n; ++k) {
    for (int it = 0; it < count; ++it) {
      const size_t row = static_cast<size_t>(it) * n + k;
      const size_t src = static_cast<size_t>(k) * count + it;
      std::memcpy(outQ + row * d, hq.data() + src * d, d * sizeof(double));
      if (cols) std::memcpy(outC + row * cols, hc.data() + src * cols, cols * sizeof(double));
      std::memcpy(outS + row * kLaunchStats, hs.data() + src * kLaunchStats, kLaunchStats * sizeof(double));
    }
  }
  return div;
}

}  // namespace mlxnuts
