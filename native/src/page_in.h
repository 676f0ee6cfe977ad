// Pages in large fresh buffers ahead of their first write, on a thread of its own (page_in.cc).
#pragma once
#include <napi.h>

namespace mlxnuts {

void registerPageIn(Napi::Env env, Napi::Object exports);

}  // namespace mlxnuts
