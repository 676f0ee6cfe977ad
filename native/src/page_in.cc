// pageIn(arrays) / pageInSettle(): the fit's large draw blocks faulted in by background threads while the GPU runs
// warmup, so that the read-back's copies write into mapped pages. A fresh Float64Array is zero pages the kernel maps
// on first write, and the copies into the fit paid that fault per 4 KiB page: widening 1.6 GB of floats into fresh
// memory took 0.43–1.16 s on two threads of the benchmark VM, 0.12 s into mapped pages.
//
// The threads write a zero into each page, which the page already holds; nothing else may write an array until its
// pages are done: native writers call awaitPageIn (the launches' read-back: gpu_readback.cc), and sample() calls
// pageInSettle(), which joins the threads, before anything else writes (before sampling, and in its finally). The
// threads take the arrays in the order given (the warmup statistics first: warmup writes them soon) and the arrays are
// held by references until settled, so that a collection cannot free them under the threads. Writes, not
// MADV_POPULATE_WRITE: madvise holds the process's memory-map lock, and V8's collector (which maps and protects
// pages) waited on it — one 9.9 s mark-compact of a 300 MB heap in bench/gpuHost.ts at 65,536 logistic chains, and a
// 256 KiB mmap took 0.9 ms instead of 5 µs while it ran; page faults on Linux 6.4+ take only the area's own lock.
#include "page_in.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef __linux__
#include <unistd.h>
#endif

namespace mlxnuts {

namespace {

struct Range {
  uint8_t* p;
  size_t n;
  std::atomic<unsigned> threadsDone{0};
};
struct PageIn {
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Range>> ranges;
  std::vector<Napi::Reference<Napi::Value>> held;
};
PageIn gPageIn;  // threads and ranges change on the JavaScript thread only

void settle() {
  for (auto& t : gPageIn.threads) t.join();
  gPageIn.threads.clear();
  gPageIn.ranges.clear();
  gPageIn.held.clear();
}

/** Threads for `bytes`: one per 256 MiB, at most a quarter of the cores (the rest run warmup's host work). */
unsigned threadsFor(size_t bytes) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t want = std::max<size_t>(1, bytes >> 28);
  return static_cast<unsigned>(std::min<size_t>(want, std::max(1u, cores / 4)));
}

Napi::Value PageInJs(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "pageIn(arrays: (Float64Array | null)[])");
  auto list = info[0].As<Napi::Array>();
  std::vector<std::pair<uint8_t*, size_t>> ranges;
  std::vector<Napi::Value> keep;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value v = list.Get(i);
    if (v.IsNull() || v.IsUndefined()) continue;
    if (!v.IsTypedArray()) throw Napi::TypeError::New(env, "pageIn: entry " + std::to_string(i) + " is not a typed array or null");
    auto t = v.As<Napi::TypedArray>();
    if (t.ByteLength() == 0) continue;
    ranges.emplace_back(static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(), t.ByteLength());
    keep.push_back(v);
  }
  settle();
#ifdef __linux__
  if (ranges.empty()) return Napi::Boolean::New(env, false);
  for (auto& v : keep) gPageIn.held.push_back(Napi::Persistent(v));
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t total = 0;
  for (const auto& [p, n] : ranges) {
    total += n;
    gPageIn.ranges.push_back(std::make_unique<Range>());
    gPageIn.ranges.back()->p = p;
    gPageIn.ranges.back()->n = n;
  }
  const unsigned T = threadsFor(total);
  std::vector<Range*> rs;
  for (auto& r : gPageIn.ranges) rs.push_back(r.get());
  for (unsigned k = 0; k < T; ++k) {
    gPageIn.threads.emplace_back([rs, page, k, T] {
      for (Range* r : rs) {
        const size_t pages = (r->n + page - 1) / page;
        const size_t a = pages * k / T, b = pages * (k + 1) / T;
        for (size_t i = a; i < b; ++i) *reinterpret_cast<volatile uint8_t*>(r->p + std::min(i * page, r->n - 1)) = 0;
        r->threadsDone.fetch_add(1, std::memory_order_release);
      }
    });
  }
  return Napi::Boolean::New(env, true);
#else
  return Napi::Boolean::New(env, false);
#endif
}

Napi::Value SettleJs(const Napi::CallbackInfo& info) {
  settle();
  return info.Env().Undefined();
}

}  // namespace

void awaitPageIn(const void* p, size_t bytes) {
  const auto* a = static_cast<const uint8_t*>(p);
  const unsigned T = static_cast<unsigned>(gPageIn.threads.size());
  for (const auto& r : gPageIn.ranges)
    if (a < r->p + r->n && r->p < a + bytes)
      while (r->threadsDone.load(std::memory_order_acquire) < T) std::this_thread::sleep_for(std::chrono::microseconds(50));
}

namespace {
// pageInAwait(array): awaitPageIn for a JavaScript writer (bench/gpuHost.ts's stand-in kernel, which writes what the
// read-back would)
Napi::Value AwaitJs(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "pageInAwait(array: TypedArray)");
  auto t = info[0].As<Napi::TypedArray>();
  awaitPageIn(static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(), t.ByteLength());
  return info.Env().Undefined();
}
}  // namespace

void registerPageIn(Napi::Env env, Napi::Object exports) {
  exports.Set("pageInAwait", Napi::Function::New(env, AwaitJs));
  exports.Set("pageIn", Napi::Function::New(env, PageInJs));
  exports.Set("pageInSettle", Napi::Function::New(env, SettleJs));
}

}  // namespace mlxnuts
