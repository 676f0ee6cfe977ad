// The GPU engine's time profile (gpu_profile.h).
#include "gpu_profile.h"

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
  if (info.Length() > 0 && info[0].ToBoolean().Value()) gProfile = GpuProfile{};
  return r;
}

}  // namespace mlxnuts
