// Bulk reads of GPU results: MLX's CUDA backend allocates every array with cudaMallocManaged, so the host reads an
// evaluated output directly; each first touch of a GPU-resident page migrates it. Measured on an H200 (bench/gpu.ts,
// eight_schools, 16,384 chains): plain reads of whole outputs ran at ~1.5 GB/s, and cudaMemcpy / cudaMemcpy2D of the
// same managed buffers into pageable host memory were slower (4.7 s and 13.8 s against 1.95 s for ~3 GiB), so plain
// reads are the default; MLX_NUTS_GPU_COPY=runtime selects the CUDA runtime's copies (looked up at run time, see
// cuda_runtime.cc: the addon is also built against the CPU wheel, which has no CUDA) for machines where they win.
// Two more modes (bench/gpu.ts --copy-modes compares them in one process):
//   prefetch: the source range (or, through HostReads, a whole array once before its copies) migrates to the host in
//     one cudaMemPrefetchAsync to cudaMemLocationTypeHost on stream 0 and a cudaStreamSynchronize(0), then memcpy reads
//     it. A failing prefetch turns the mode into plain reads for the rest of the process (not retried per call).
//   pinned: copies go through a page-locked staging buffer (kStagingBytes, registered once and kept): cudaMemcpy (or
//     cudaMemcpy2D for strided sources) of a block into it, then the threads copy or widen the block to its place.
//     Measured on the H200 (eight_schools, when contiguous copies locked the destination's own pages instead): 2.26 s
//     against 2.78 s plain. A failing copy or staging registration turns the mode into plain reads for the rest of the
//     process.
// The mode is read from the environment at every call, so that one process can compare them. Copies under
// kDmaMinBytes read plainly in both new modes. State here is unsynchronised: the addon's GPU calls run on the JS thread.
// Host-side copies (memcpy of whole buffers and of rows, float-to-double widening) are split over the worker pool
// (pool.h; MLX_NUTS_GPU_COPY_THREADS, default the machine's cores up to 16), in parts of at least kThreadMinBytes. On
// the H200, 16 threads against one moved logistic's copies into the fit (2.9 GiB) from 2.17 s to 1.87 s: plain reads
// are bound by the migration of managed pages, not by the host's writes.
#include "device_copy.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>
#include <string>

#include "cuda_runtime.h"
#include "pool.h"

namespace mlxnuts {
namespace {

// Below this, prefetch and pinned read plainly: a few page faults against a prefetch with a stream synchronization or a
// page-locking call (each tens of microseconds or more). A guess, not measured.
constexpr size_t kDmaMinBytes = size_t{1} << 20;
// Page-locked staging for strided copies in pinned mode: big enough that each cudaMemcpy2D moves many rows.
constexpr size_t kStagingBytes = size_t{64} << 20;
// The least a host copy thread is given: below it, handing work to the pool costs more than it saves. A guess.
constexpr size_t kThreadMinBytes = size_t{4} << 20;

CopyCounters gCounters;
const char* gLo = nullptr;  // the range a HostReads has migrated to the host
const char* gHi = nullptr;
bool gPrefetchBroken = false, gPinnedBroken = false;
char* gStaging = nullptr;
size_t gStagingSize = 0;

const char* bytesAt(const void* p) { return static_cast<const char*>(p); }

uintptr_t pageSize() {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  return page;
}

bool failed(const CudaRuntime* rt, bool& broken) {
  if (rt->lastError) rt->lastError();
  broken = true;
  ++gCounters.failures;
  return false;
}

/** Threads for host copies: MLX_NUTS_GPU_COPY_THREADS, else the cores up to 16; at least 1. */
int copyThreads() {
  if (const char* t = std::getenv("MLX_NUTS_GPU_COPY_THREADS"); t && *t) return std::max(1, std::atoi(t));
  return std::max(1, std::min(16, static_cast<int>(std::thread::hardware_concurrency())));
}

void rowsByMemcpy(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t from, size_t height) {
  forRowRanges(height - from, width, [&](size_t r0, size_t r1) {
    for (size_t r = from + r0; r < from + r1; ++r)
      std::memcpy(static_cast<char*>(dst) + r * dpitch, bytesAt(src) + r * spitch, width);
  });
}

/** memcpy of `bytes`, in parallel parts. */
void parallelMemcpy(void* dst, const void* src, size_t bytes) {
  constexpr size_t kLine = 4096;
  const size_t lines = (bytes + kLine - 1) / kLine;
  forRowRanges(lines, kLine, [&](size_t l0, size_t l1) {
    const size_t b0 = l0 * kLine, b1 = std::min(bytes, l1 * kLine);
    std::memcpy(static_cast<char*>(dst) + b0, bytesAt(src) + b0, b1 - b0);
  });
}

/** [src, src + bytes) migrated to the host: cudaMemPrefetchAsync to the host on stream 0, then that stream's sync. */
bool prefetch(const void* src, size_t bytes) {
  const CudaRuntime* rt = gPrefetchBroken ? nullptr : cudaRuntime();
  if (!rt || !rt->prefetch) return false;
  ++gCounters.prefetchCalls;
  if (rt->prefetch(src, bytes, CudaMemLocation{kCudaMemLocationTypeHost, 0}, 0, nullptr) != 0 || rt->sync(nullptr) != 0)
    return failed(rt, gPrefetchBroken);
  return true;
}

/** Prefetch mode: whether the span at src is on the host now (held by a HostReads, or prefetched here). */
bool readyOnHost(const void* src, size_t span) {
  if (gLo && bytesAt(src) >= gLo && bytesAt(src) + span <= gHi) return true;
  return span >= kDmaMinBytes && prefetch(src, span);
}

/** A page-locked staging buffer of at least max(kStagingBytes, width) bytes; false (mode now plain) if it cannot be. */
bool staging(const CudaRuntime* rt, size_t width) {
  const size_t need = (std::max(kStagingBytes, width) + pageSize() - 1) / pageSize() * pageSize();
  if (gStagingSize >= need) return true;
  if (gStaging) {
    rt->unregisterHost(gStaging);
    std::free(gStaging);
    gStaging = nullptr;
    gStagingSize = 0;
  }
  gStaging = static_cast<char*>(std::aligned_alloc(pageSize(), need));
  if (!gStaging) return false;
  ++gCounters.registerCalls;
  if (rt->registerHost(gStaging, need, kCudaHostRegisterDefault) != 0) {
    std::free(gStaging);
    gStaging = nullptr;
    return failed(rt, gPinnedBroken);
  }
  gStagingSize = need;
  return true;
}

/** Pinned mode, strided: rows through the staging buffer; returns how many rows it placed (the rest: memcpy). */
size_t staged(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height) {
  const CudaRuntime* rt = gPinnedBroken ? nullptr : cudaRuntime();
  if (!rt || !rt->registerHost || !rt->copy2D || width * height < kDmaMinBytes || !staging(rt, width)) return 0;
  const size_t rows = gStagingSize / width;
  for (size_t r0 = 0; r0 < height; r0 += rows) {
    const size_t h = std::min(rows, height - r0);
    if (rt->copy2D(gStaging, width, bytesAt(src) + r0 * spitch, spitch, width, h, kCudaMemcpyDefault) != 0) {
      failed(rt, gPinnedBroken);
      return r0;
    }
    rowsByMemcpy(static_cast<char*>(dst) + r0 * dpitch, dpitch, gStaging, width, width, 0, h);
    gCounters.stagedBytes += static_cast<double>(h * width);
  }
  return height;
}

/**
 * Pinned mode, contiguous: blocks of the staging buffer's size copied by the CUDA runtime into it, each copied on by
 * the threads (locking the destination's own pages instead cost their first touch on top). Copies every byte; true
 * when the CUDA runtime moved some.
 */
bool pinned(void* dst, const void* src, size_t bytes) {
  const CudaRuntime* rt = gPinnedBroken ? nullptr : cudaRuntime();
  size_t done = 0;
  if (rt && rt->registerHost && rt->copy && bytes >= kDmaMinBytes && staging(rt, 1)) {
    for (; done < bytes; done += gStagingSize) {
      const size_t b = std::min(gStagingSize, bytes - done);
      if (rt->copy(gStaging, bytesAt(src) + done, b, kCudaMemcpyDefault) != 0) {
        failed(rt, gPinnedBroken);
        break;
      }
      parallelMemcpy(static_cast<char*>(dst) + done, gStaging, b);
      gCounters.pinnedBytes += static_cast<double>(b);
    }
    done = std::min(done, bytes);
  }
  parallelMemcpy(static_cast<char*>(dst) + done, bytesAt(src) + done, bytes - done);
  gCounters.plainBytes += static_cast<double>(bytes - done);
  return done > 0;
}

}  // namespace

CopyMode copyMode() {
  const char* m = std::getenv("MLX_NUTS_GPU_COPY");
  if (!m || !*m || !std::strcmp(m, "plain")) return CopyMode::Plain;
  if (!std::strcmp(m, "runtime")) return CopyMode::Runtime;
  if (!std::strcmp(m, "prefetch")) return CopyMode::Prefetch;
  if (!std::strcmp(m, "pinned")) return CopyMode::Pinned;
  throw std::invalid_argument(std::string("[fused-gpu] MLX_NUTS_GPU_COPY='") + m +
                              "' is not a read-back mode: expected plain, runtime, prefetch or pinned");
}

CopyCounters& copyCounters() { return gCounters; }

void forRowRanges(size_t rows, size_t rowBytes, const std::function<void(size_t, size_t)>& fn) {
  if (rows == 0) return;
  const size_t perPart = std::max<size_t>(1, kThreadMinBytes / std::max<size_t>(1, rowBytes));
  const size_t parts = std::min<size_t>(static_cast<size_t>(copyThreads()), (rows + perPart - 1) / perPart);
  if (parts <= 1) {
    fn(0, rows);
    return;
  }
  Pool::instance().run(static_cast<int>(parts), [&](int i) {
    fn(rows * static_cast<size_t>(i) / parts, rows * static_cast<size_t>(i + 1) / parts);
  });
}

void widenRowsToHost(double* dst, size_t dpitch, const float* src, size_t width, size_t height, size_t spitch) {
  if (width == 0 || height == 0) return;
  if (spitch == 0) spitch = width;
  const bool packed = spitch == width;
  size_t pitch = spitch;  // of the rows widened from (staged rows are packed)
  std::vector<float> staged;
  const CopyMode mode = copyMode();
  auto widen = [&](const float* rows, size_t r0, size_t r1) {
    forRowRanges(r1 - r0, width * sizeof(double), [&](size_t a, size_t b) {
      for (size_t r = r0 + a; r < r0 + b; ++r) {
        double* to = dst + r * dpitch;
        const float* f = rows + (r - r0) * pitch;
        for (size_t j = 0; j < width; ++j) to[j] = static_cast<double>(f[j]);
      }
    });
  };
  if (mode == CopyMode::Pinned && packed && !gPinnedBroken && width * height * sizeof(float) >= kDmaMinBytes) {
    // DMA into the page-locked staging buffer a block of rows at a time, each block widened from there by the threads
    const CudaRuntime* rt = cudaRuntime();
    const size_t rowBytes = width * sizeof(float);
    if (rt && rt->registerHost && rt->copy && staging(rt, rowBytes)) {
      const size_t block = gStagingSize / rowBytes;
      size_t r0 = 0;
      for (; r0 < height; r0 += block) {
        const size_t h = std::min(block, height - r0);
        if (rt->copy(gStaging, src + r0 * width, h * rowBytes, kCudaMemcpyDefault) != 0) {
          failed(rt, gPinnedBroken);
          break;
        }
        widen(reinterpret_cast<const float*>(gStaging), r0, r0 + h);
        gCounters.pinnedBytes += static_cast<double>(h * rowBytes);
      }
      if (r0 >= height) return;
      src += r0 * width;  // the rest plainly, from where the runtime failed
      dst += r0 * dpitch;
      height -= r0;
    }
  }
  const float* from = src;
  bool prefetched = false;
  if (mode == CopyMode::Runtime) {
    // the CUDA runtime's copy into packed host floats first, then widening from there
    staged.resize(width * height);
    copyToHost2D(staged.data(), width * sizeof(float), src, spitch * sizeof(float), width * sizeof(float), height);
    from = staged.data();
    pitch = width;
  } else if (mode == CopyMode::Prefetch) {
    prefetched = readyOnHost(src, ((height - 1) * spitch + width) * sizeof(float));
  }
  widen(from, 0, height);
  if (prefetched) gCounters.prefetchedBytes += static_cast<double>(width * height * sizeof(float));
  else if (staged.empty()) gCounters.plainBytes += static_cast<double>(width * height * sizeof(float));
}

HostReads::HostReads(const void* src, size_t bytes) : prevLo_(gLo), prevHi_(gHi) {
  if (copyMode() != CopyMode::Prefetch || bytes < kDmaMinBytes || !prefetch(src, bytes)) return;
  gLo = bytesAt(src);
  gHi = gLo + bytes;
}

HostReads::~HostReads() {
  gLo = prevLo_;
  gHi = prevHi_;
}

bool copyToHost(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return false;
  switch (copyMode()) {
    case CopyMode::Runtime:
      if (const CudaRuntime* rt = cudaRuntime(); rt && rt->copy(dst, src, bytes, kCudaMemcpyDefault) == 0) {
        gCounters.runtimeBytes += static_cast<double>(bytes);
        return true;
      }
      break;
    case CopyMode::Prefetch:
      if (readyOnHost(src, bytes)) {
        parallelMemcpy(dst, src, bytes);
        gCounters.prefetchedBytes += static_cast<double>(bytes);
        return false;
      }
      break;
    case CopyMode::Pinned: return pinned(dst, src, bytes);
    case CopyMode::Plain: break;
  }
  parallelMemcpy(dst, src, bytes);
  gCounters.plainBytes += static_cast<double>(bytes);
  return false;
}

bool copyToHost2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height) {
  if (width == 0 || height == 0) return false;
  const CopyMode mode = copyMode();
  if (mode != CopyMode::Runtime && dpitch == width && spitch == width) return copyToHost(dst, src, width * height);
  size_t done = 0;
  switch (mode) {
    case CopyMode::Runtime:
      if (const CudaRuntime* rt = cudaRuntime();
          rt && rt->copy2D && rt->copy2D(dst, dpitch, src, spitch, width, height, kCudaMemcpyDefault) == 0) {
        gCounters.runtimeBytes += static_cast<double>(width * height);
        return true;
      }
      break;
    case CopyMode::Prefetch:
      if (readyOnHost(src, (height - 1) * spitch + width)) {
        rowsByMemcpy(dst, dpitch, src, spitch, width, 0, height);
        gCounters.prefetchedBytes += static_cast<double>(width * height);
        return false;
      }
      break;
    case CopyMode::Pinned: done = staged(dst, dpitch, src, spitch, width, height); break;
    case CopyMode::Plain: break;
  }
  if (dpitch == width && spitch == width) parallelMemcpy(dst, src, width * height);
  else rowsByMemcpy(dst, dpitch, src, spitch, width, done, height);
  gCounters.plainBytes += static_cast<double>(width * (height - done));
  return done > 0;
}

}  // namespace mlxnuts
