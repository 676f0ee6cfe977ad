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

}  // namespace mlxnuts
