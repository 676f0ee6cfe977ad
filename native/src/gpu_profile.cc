// The GPU engine's time profile (gpu_profile.h).
#include "gpu_profile.h"

#include "device_copy.h"

namespace mlxnuts {

GpuProfile gProfile;

Napi::Value gpuProfileOf(const Napi::CallbackInfo& info) {
  auto r = Napi::Object::New(info.Env());
  r.Set("launches", gProfile.launches);
  r.Set("inputSeconds", gProfile.inputSeconds);
  r.Set("deviceSeconds", gProfile.deviceSeconds);
  r.Set("outputSeconds", gProfile.outputSeconds);
  r.Set("outputBytes", gProfile.outputBytes);
  r.Set("pointLaunches", gProfile.pointLaunches);
  r.Set("pointSeconds", gProfile.pointSeconds);
  r.Set("copyEngine", gProfile.copyEngine);
  r.Set("transposeSeconds", gProfile.transposeSeconds);
  r.Set("fitCopySeconds", gProfile.fitCopySeconds);
  r.Set("stateSeconds", gProfile.stateSeconds);
  r.Set("clampSeconds", gProfile.clampSeconds);
  r.Set("divergenceSeconds", gProfile.divergenceSeconds);
  r.Set("warmupOutputSeconds", gProfile.warmupOutputSeconds);
  r.Set("overlapWaitSeconds", gProfile.overlapWaitSeconds);
  r.Set("pageWaitSeconds", gProfile.pageWaitSeconds);
  // bytes read back by each path of device_copy.cc (MLX_NUTS_GPU_COPY), and the CUDA calls behind them
  const CopyCounters& c = copyCounters();
  auto copy = Napi::Object::New(info.Env());
  copy.Set("plainBytes", c.plainBytes);
  copy.Set("runtimeBytes", c.runtimeBytes);
  copy.Set("prefetchedBytes", c.prefetchedBytes);
  copy.Set("pinnedBytes", c.pinnedBytes);
  copy.Set("stagedBytes", c.stagedBytes);
  copy.Set("prefetchCalls", c.prefetchCalls);
  copy.Set("registerCalls", c.registerCalls);
  copy.Set("failures", c.failures);
  r.Set("copy", copy);
  if (info.Length() > 0 && info[0].ToBoolean().Value()) {
    gProfile = GpuProfile{};
    copyCounters() = CopyCounters{};
  }
  return r;
}

}  // namespace mlxnuts
