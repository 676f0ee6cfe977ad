// Finding a shared CUDA runtime at run time (cuda_runtime.h): the addon is also built against the mlx-cpu wheel, which
// has no CUDA, and MLX's CUDA wheel links its runtime statically (libmlx.so exports none of it), so nothing is linked
// at build time. Looked up, in order: symbols already global in the process, a libcudart.so.13 already loaded, the
// wheel's own nvidia/cu13/lib/libcudart.so.13 beside the loaded libmlx.so, then the loader's search for
// libcudart.so.13 and libcudart.so. Every entry point comes from the first of these that has cudaMemcpy, so that all
// of them belong to one runtime (and one ABI). A second runtime instance in the process is fine: managed pointers and
// the primary context belong to the driver, not to a runtime instance.
#include "cuda_runtime.h"

#include <dlfcn.h>
#include <link.h>

#include <cstring>
#include <string>

namespace mlxnuts {
namespace {

/** The folder of the loaded libmlx.so ("" when there is none). */
std::string mlxLibDir() {
  std::string dir;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        const char* name = info->dlpi_name;
        const char* slash = name ? std::strrchr(name, '/') : nullptr;
        if (!slash || std::strcmp(slash + 1, "libmlx.so") != 0) return 0;
        static_cast<std::string*>(out)->assign(name, slash - name);
        return 1;
      },
      &dir);
  return dir;
}

/** Fills `rt` from `handle` (RTLD_DEFAULT or a library); false when it has no cudaMemcpy. */
bool fill(void* handle, CudaRuntime& rt) {
  auto get = [handle](const char* s) { return dlsym(handle, s); };
  void* copy = get("cudaMemcpy");
  if (!copy) return false;
  rt.copy = reinterpret_cast<decltype(rt.copy)>(copy);
  rt.copy2D = reinterpret_cast<decltype(rt.copy2D)>(get("cudaMemcpy2D"));
  rt.sync = reinterpret_cast<decltype(rt.sync)>(get("cudaStreamSynchronize"));
  rt.registerHost = reinterpret_cast<decltype(rt.registerHost)>(get("cudaHostRegister"));
  rt.unregisterHost = reinterpret_cast<decltype(rt.unregisterHost)>(get("cudaHostUnregister"));
  rt.lastError = reinterpret_cast<decltype(rt.lastError)>(get("cudaGetLastError"));
  if (auto version = reinterpret_cast<int (*)(int*)>(get("cudaRuntimeGetVersion"))) {
    if (version(&rt.version) != 0) rt.version = 0;
  }
  // CUDA 12 exported cudaMemPrefetchAsync(ptr, count, int device, stream); 13 takes a cudaMemLocation and flags
  if (rt.version >= 13000) rt.prefetch = reinterpret_cast<decltype(rt.prefetch)>(get("cudaMemPrefetchAsync"));
  if (!rt.unregisterHost) rt.registerHost = nullptr;
  if (!rt.sync) rt.prefetch = nullptr;
  return true;
}

const CudaRuntime* resolve() {
  static CudaRuntime rt;
  if (fill(RTLD_DEFAULT, rt)) return &rt;
  if (void* h = dlopen("libcudart.so.13", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD))
    if (fill(h, rt)) return &rt;
  const std::string dir = mlxLibDir();
  if (!dir.empty())
    if (void* h = dlopen((dir + "/../../nvidia/cu13/lib/libcudart.so.13").c_str(), RTLD_NOW | RTLD_LOCAL))
      if (fill(h, rt)) return &rt;
  for (const char* name : {"libcudart.so.13", "libcudart.so"})
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL))
      if (fill(h, rt)) return &rt;
  return nullptr;
}

}  // namespace

const CudaRuntime* cudaRuntime() {
  static const CudaRuntime* rt = resolve();
  return rt;
}

}  // namespace mlxnuts
