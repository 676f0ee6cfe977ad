// Pins the calling thread and MLX's CPU stream thread to the core the caller is on, and undoes it.
//
// A value-and-grad call schedules every MLX primitive from the calling thread onto the stream thread, whose
// kernels on small arrays take less time than the scheduling: on separate cores the stream thread drains its
// queue and sleeps after nearly every primitive, and each next primitive pays a cross-core wake-up. On one core
// the caller keeps scheduling while the stream thread is runnable, and the kernels then run back to back. On the
// 2-core benchmark machine this made a call about 30% faster (bench/density.ts native loop, sv and
// eight_schools, taskset against no taskset, alternated three times). Linux only; elsewhere a no-op.
#include "affinity.h"

#include <stdexcept>

#include "mlx/mlx.h"
#include "mlx/scheduler.h"

#ifdef __linux__
#include <sched.h>
#endif

namespace mx = mlx::core;

namespace mlxnuts {

namespace {

#ifdef __linux__
struct Saved {
  bool active = false;
  cpu_set_t caller;
  cpu_set_t worker;
};
Saved saved;

// Runs f on the default CPU stream's thread and waits for it.
template <typename F>
void onStreamThread(F f) {
  auto s = mx::default_stream(mx::Device(mx::Device::cpu));
  mx::scheduler::enqueue(s, std::move(f));
  mx::synchronize(s);
}
#endif

Napi::Value Pin(const Napi::CallbackInfo& info) {
#ifdef __linux__
  if (saved.active) return Napi::Boolean::New(info.Env(), true);
  int cpu = sched_getcpu();
  if (cpu < 0) return Napi::Boolean::New(info.Env(), false);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (sched_getaffinity(0, sizeof(cpu_set_t), &saved.caller) != 0) return Napi::Boolean::New(info.Env(), false);
  bool workerOk = false;
  onStreamThread([&] {
    workerOk = sched_getaffinity(0, sizeof(cpu_set_t), &saved.worker) == 0 &&
               sched_setaffinity(0, sizeof(cpu_set_t), &one) == 0;
  });
  if (!workerOk) return Napi::Boolean::New(info.Env(), false);
  if (sched_setaffinity(0, sizeof(cpu_set_t), &one) != 0) {
    onStreamThread([] { sched_setaffinity(0, sizeof(cpu_set_t), &saved.worker); });
    return Napi::Boolean::New(info.Env(), false);
  }
  saved.active = true;
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Value Unpin(const Napi::CallbackInfo& info) {
#ifdef __linux__
  if (saved.active) {
    sched_setaffinity(0, sizeof(cpu_set_t), &saved.caller);
    onStreamThread([] { sched_setaffinity(0, sizeof(cpu_set_t), &saved.worker); });
    saved.active = false;
  }
#endif
  return info.Env().Undefined();
}

}  // namespace

void registerAffinity(Napi::Env env, Napi::Object exports) {
  exports.Set("pinCpuThreads", Napi::Function::New(env, Pin));
  exports.Set("unpinCpuThreads", Napi::Function::New(env, Unpin));
}

}  // namespace mlxnuts
