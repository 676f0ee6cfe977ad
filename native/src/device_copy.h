// Reading MLX's GPU buffers back into host memory in bulk (see device_copy.cc).
#pragma once
#include <cstddef>
#include <functional>

namespace mlxnuts {

/** How reads of GPU buffers go, from MLX_NUTS_GPU_COPY at each call: unset, "" or plain, runtime, prefetch, pinned. */
enum class CopyMode { Plain, Runtime, Prefetch, Pinned };

/** The mode MLX_NUTS_GPU_COPY selects now; throws std::invalid_argument naming the variable for any other value. */
CopyMode copyMode();

/**
 * Copies `bytes` from `src` — an evaluated MLX array's data on the GPU (CUDA managed memory) or any host pointer — to
 * host memory `dst`, as copyMode() says (device_copy.cc); every mode falls back to memcpy where CUDA is missing or
 * fails. Returns true when the CUDA runtime did the copy (runtime, pinned).
 */
bool copyToHost(void* dst, const void* src, size_t bytes);

/**
 * `height` rows of `width` bytes from `src` (rows `spitch` bytes apart) to host memory `dst` (rows `dpitch` apart);
 * the same modes as copyToHost.
 */
bool copyToHost2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height);

/**
 * `height` rows of `width` floats from `src` (rows `spitch` floats apart, 0: packed; GPU or host memory) widened to
 * doubles into host rows `dpitch` doubles apart at `dst`, in parallel parts; for packed rows runtime mode copies the
 * floats to the host first, and pinned mode copies blocks of rows into the page-locked staging buffer and widens each
 * from there (strided rows are read in place).
 */
void widenRowsToHost(double* dst, size_t dpitch, const float* src, size_t width, size_t height, size_t spitch = 0);

/** fn(r0, r1) over parts of [0, rows) on the worker pool (rows of rowBytes each; small jobs stay on this thread). */
void forRowRanges(size_t rows, size_t rowBytes, const std::function<void(size_t, size_t)>& fn);

/**
 * Declares that [src, src + bytes) — one evaluated array — is about to be read by copies from inside it: with
 * MLX_NUTS_GPU_COPY=prefetch the whole range migrates to the host once here (cudaMemPrefetchAsync, then a stream
 * synchronization) and those copies read it with memcpy; in the other modes it does nothing. Lasts while it lives.
 */
class HostReads {
 public:
  HostReads(const void* src, size_t bytes);
  ~HostReads();
  HostReads(const HostReads&) = delete;
  HostReads& operator=(const HostReads&) = delete;

 private:
  const char* prevLo_;
  const char* prevHi_;
};

/**
 * Bytes by path since the last reset (gpuProfile's copy fields), and CUDA calls that failed (then plain reads). In
 * pinned mode pinnedBytes are the contiguous copies and widenings through the staging buffer, stagedBytes the
 * strided (2-D) ones.
 */
struct CopyCounters {
  double plainBytes = 0, runtimeBytes = 0, prefetchedBytes = 0, pinnedBytes = 0, stagedBytes = 0;
  double prefetchCalls = 0, registerCalls = 0, failures = 0;
};
CopyCounters& copyCounters();

}  // namespace mlxnuts
