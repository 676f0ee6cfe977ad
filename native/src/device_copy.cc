// Bulk reads of GPU results: MLX's CUDA backend allocates every array with cudaMallocManaged, so the host reads an
// evaluated output directly; each first touch of a GPU-resident page migrates it. Measured on an H200 (bench/gpu.ts,
// eight_schools, 16,384 chains): plain reads of whole outputs ran at ~1.5 GB/s, and cudaMemcpy / cudaMemcpy2D of the
// same managed buffers into pageable host memory were slower (4.7 s and 13.8 s against 1.95 s for ~3 GiB), so plain
// reads are the default; MLX_NUTS_GPU_COPY=runtime selects the CUDA runtime's copies (looked up at run time: the addon
// is also built against the CPU wheel, which has no CUDA) for machines where they win.
#include "device_copy.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace mlxnuts {
namespace {

// cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) — a stable C ABI since CUDA 4
using CudaMemcpyFn = int (*)(void*, const void*, size_t, int);
constexpr int kCudaMemcpyDefault = 4;  // cudaMemcpyKind: direction inferred from unified virtual addressing

// cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height, kind)
using CudaMemcpy2DFn = int (*)(void*, size_t, const void*, size_t, size_t, size_t, int);

void* resolve(const char* symbol) {
  const char* mode = std::getenv("MLX_NUTS_GPU_COPY");
  if (!mode || std::strcmp(mode, "runtime") != 0) return nullptr;
  if (void* f = dlsym(RTLD_DEFAULT, symbol)) return f;
  for (const char* name : {"libcudart.so.13", "libcudart.so"}) {
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL))
      if (void* f = dlsym(h, symbol)) return f;
  }
  return nullptr;
}

}  // namespace

bool copyToHost(void* dst, const void* src, size_t bytes) {
  static const auto cudaMemcpyFn = reinterpret_cast<CudaMemcpyFn>(resolve("cudaMemcpy"));
  if (bytes == 0) return false;
  if (cudaMemcpyFn && cudaMemcpyFn(dst, src, bytes, kCudaMemcpyDefault) == 0) return true;
  std::memcpy(dst, src, bytes);
  return false;
}

bool copyToHost2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height) {
  static const auto cudaMemcpy2DFn = reinterpret_cast<CudaMemcpy2DFn>(resolve("cudaMemcpy2D"));
  if (width == 0 || height == 0) return false;
  if (cudaMemcpy2DFn && cudaMemcpy2DFn(dst, dpitch, src, spitch, width, height, kCudaMemcpyDefault) == 0) return true;
  if (dpitch == width && spitch == width) {
    std::memcpy(dst, src, width * height);
    return false;
  }
  for (size_t r = 0; r < height; ++r)
    std::memcpy(static_cast<char*>(dst) + r * dpitch, static_cast<const char*>(src) + r * spitch, width);
  return false;
}

}  // namespace mlxnuts
