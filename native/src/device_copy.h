// Reading MLX's GPU buffers back into host memory in bulk (see device_copy.cc).
#pragma once
#include <cstddef>

namespace mlxnuts {

/**
 * Copies `bytes` from `src` — an evaluated MLX array's data on the GPU (CUDA managed memory) or any host pointer — to
 * host memory `dst`: memcpy (on managed memory the pages migrate as they are touched), or with MLX_NUTS_GPU_COPY=runtime
 * the CUDA runtime's cudaMemcpy when the process has it. Returns true when the CUDA runtime did the copy.
 */
bool copyToHost(void* dst, const void* src, size_t bytes);

/**
 * `height` rows of `width` bytes from `src` (rows `spitch` bytes apart) to host memory `dst` (rows `dpitch` apart), row
 * by row (or as cudaMemcpy2D with MLX_NUTS_GPU_COPY=runtime).
 */
bool copyToHost2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height);

}  // namespace mlxnuts
