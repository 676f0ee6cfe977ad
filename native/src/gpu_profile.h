// Where the GPU engine's calls spend their time (native/src/fused_cuda.cc adds to it; JS reads it as gpuProfile()).
#pragma once
#include <napi.h>

#include <chrono>

namespace mlxnuts {

/** Summed over every GPU model of the process: building inputs, launch until evaluated, reading outputs back. */
struct GpuProfile {
  double launches = 0, inputSeconds = 0, deviceSeconds = 0, outputSeconds = 0, outputBytes = 0;
  double pointLaunches = 0, pointSeconds = 0;  // mode 0 (log density at points: initialisation, checks), apart
  double copyEngine = 0;                       // 1 when outputs came back through the CUDA runtime (device_copy.cc)
  // parts of outputSeconds (gpu_readback.cc): reordering on the GPU before a read (MLX transposes and gathers, until
  // evaluated), and the copies into the fit's arrays (migration of managed pages and first touch of the fit's pages)
  double transposeSeconds = 0, fitCopySeconds = 0;
  // more parts: the chains' state read back, the clamp check's gather and read, the divergent rows' gather and read;
  // and the part of outputSeconds spent after warmup launches (mode 3 and 4)
  double stateSeconds = 0, clampSeconds = 0, divergenceSeconds = 0, warmupOutputSeconds = 0;
  // runs with overlap: what the engine waited, after a launch, for the last run's copy into the fit (deferred_copy.h)
  double overlapWaitSeconds = 0;
  // what the read-back waited for the fit's pages to be paged in by page_in.cc's threads
  double pageWaitSeconds = 0;
};
extern GpuProfile gProfile;

using Clock = std::chrono::steady_clock;
inline double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/** gpuProfile(reset = false): the fields of GpuProfile and, as `copy`, device_copy.cc's CopyCounters; with reset, from zero. */
Napi::Value gpuProfileOf(const Napi::CallbackInfo& info);

}  // namespace mlxnuts
