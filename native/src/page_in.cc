// pageIn(arrays): the fit's large blocks faulted in on a background thread while the GPU runs warmup, so that the
// read-back's copies write into mapped pages. A fresh Float64Array is zero pages the kernel maps on first write; the
// copies into the fit paid that fault per 4 KiB page: widening 1.6 GB of floats into fresh memory took 0.43–1.16 s on
// two threads of the benchmark VM, 0.12 s once the pages were mapped (MADV_POPULATE_WRITE itself: 0.41 s, off the
// critical path here). MADV_POPULATE_WRITE (Linux 5.14) maps without changing contents, so the copies may run while it
// does; a buffer freed meanwhile only makes madvise fail. Elsewhere, or on older kernels, it does nothing.
#include "page_in.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace mlxnuts {

namespace {

#ifdef __linux__
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
constexpr size_t kChunk = size_t{64} << 20;  // madvise per 64 MiB, so that a buffer freed meanwhile stops the thread soon

/** Whole pages inside [p, p + bytes). */
std::pair<uintptr_t, size_t> pagesIn(const void* p, size_t bytes) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t a = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
  return {a, b > a ? b - a : 0};
}
#endif

Napi::Value PageIn(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "pageIn(arrays: (Float64Array | null)[])");
  auto list = info[0].As<Napi::Array>();
  std::vector<std::pair<uintptr_t, size_t>> ranges;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value v = list.Get(i);
    if (v.IsNull() || v.IsUndefined()) continue;
    if (!v.IsTypedArray()) throw Napi::TypeError::New(env, "pageIn: entry " + std::to_string(i) + " is not a typed array or null");
    auto t = v.As<Napi::TypedArray>();
#ifdef __linux__
    auto r = pagesIn(static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(), t.ByteLength());
    if (r.second > 0) ranges.push_back(r);
#endif
  }
#ifdef __linux__
  if (ranges.empty()) return Napi::Boolean::New(env, false);
  std::thread([ranges = std::move(ranges)] {
    for (const auto& [a, n] : ranges)
      for (size_t o = 0; o < n; o += kChunk)
        if (madvise(reinterpret_cast<void*>(a + o), std::min(kChunk, n - o), MADV_POPULATE_WRITE) != 0) {
          if (errno == EINVAL) return;  // a kernel without MADV_POPULATE_WRITE: nothing more to do
          break;                        // this buffer is gone (ENOMEM): the next one
        }
  }).detach();
  return Napi::Boolean::New(env, true);
#else
  return Napi::Boolean::New(env, false);
#endif
}

}  // namespace

void registerPageIn(Napi::Env env, Napi::Object exports) { exports.Set("pageIn", Napi::Function::New(env, PageIn)); }

}  // namespace mlxnuts
