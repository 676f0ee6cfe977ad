// The fused engine's host side (see fused.cc): loading generated model libraries and running their transitions.
#pragma once
#include <napi.h>

namespace mlxnuts {
void registerFused(Napi::Env env, Napi::Object exports);
}
