// Thread placement for sampling on the CPU: the calling thread and MLX's CPU stream thread on one core.
#pragma once
#include <napi.h>

namespace mlxnuts {

// Adds pinCpuThreads() and unpinCpuThreads() to the module's exports.
void registerAffinity(Napi::Env env, Napi::Object exports);

}  // namespace mlxnuts
