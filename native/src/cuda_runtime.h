// The CUDA runtime's functions that device_copy.cc uses, looked up at run time (see cuda_runtime.cc).
#pragma once
#include <cstddef>

namespace mlxnuts {

/** struct cudaMemLocation of CUDA 13 (driver_types.h): { cudaMemLocationType type; union { int id; … } }, 8 bytes. */
struct CudaMemLocation {
  int type;
  int id;
};
constexpr int kCudaMemLocationTypeHost = 2;  // cudaMemLocationTypeHost (driver_types.h, CUDA 13); id is ignored
constexpr int kCudaMemcpyDefault = 4;        // cudaMemcpyKind: direction inferred from unified virtual addressing
constexpr unsigned kCudaHostRegisterDefault = 0;  // cudaHostRegisterDefault

/** Entry points of one shared CUDA runtime (every one from the same library); a null entry is one it lacks. */
struct CudaRuntime {
  int (*copy)(void* dst, const void* src, size_t count, int kind) = nullptr;                                 // cudaMemcpy
  int (*copy2D)(void* dst, size_t dpitch, const void* src, size_t spitch, size_t w, size_t h, int kind) = nullptr;  // cudaMemcpy2D
  /** cudaMemPrefetchAsync with CUDA 13's signature; null unless the runtime reports version >= 13.0 (12.x took an int device). */
  int (*prefetch)(const void* ptr, size_t count, CudaMemLocation location, unsigned flags, void* stream) = nullptr;
  int (*sync)(void* stream) = nullptr;                                   // cudaStreamSynchronize
  int (*registerHost)(void* ptr, size_t size, unsigned flags) = nullptr;  // cudaHostRegister
  int (*unregisterHost)(void* ptr) = nullptr;                             // cudaHostUnregister
  int (*lastError)() = nullptr;                                           // cudaGetLastError (clears the error)
  int version = 0;                                                        // cudaRuntimeGetVersion: 13000 for 13.0
};

/** The process's CUDA runtime, resolved on first use (then cached); nullptr where none is found (the CPU wheel). */
const CudaRuntime* cudaRuntime();

}  // namespace mlxnuts
