// MLX's distributed group for the sampler's ranks: init, rank/size, a byte all_gather (see distributed.cc).
#pragma once
#include <napi.h>

namespace mlxnuts {

// Adds the `distributed` object (isAvailable, init, allGather, hardExit) to the module's exports.
void registerDistributed(Napi::Env env, Napi::Object exports);

}  // namespace mlxnuts
