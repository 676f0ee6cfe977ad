// Reading MLX's GPU buffers back into host memory in bulk (see device_copy.cc).
#pragma once
#include <cstddef>

namespace mlxnuts {

/**
 * Copies `bytes` from `src` — an evaluated MLX array's data on the GPU (CUDA managed memory) or any host pointer — to
 * host memory `dst`. Uses the CUDA runtime's cudaMemcpy when the process has it (one DMA transfer), else memcpy (which
 * on managed memory migrates the pages one fault at a time). Returns true when the CUDA runtime did the copy.
 */
bool copyToHost(void* dst, const void* src, size_t bytes);

/**
 * `height` rows of `width` bytes from `src` (rows `spitch` bytes apart) to host memory `dst` (rows `dpitch` apart), as
 * cudaMemcpy2D when the process has the CUDA runtime, else row by row.
 */
bool copyToHost2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height);

}  // namespace mlxnuts
