// Checks of MLX pitfalls the seeds met (host copies, views, compile on reversed slices), exposed for tests.
#pragma once
#include <napi.h>

namespace mlxnuts {
void registerDebug(Napi::Env env, Napi::Object exports);
Napi::Value DebugNodes(const Napi::CallbackInfo& info);  // debug_nodes.cc: every node's value and input cotangents
}
