// The fused engine on an NVIDIA GPU through MLX's cuda_kernel (see fused_cuda.cc).
#pragma once
#include <napi.h>

namespace mlxnuts {
void registerFusedCuda(Napi::Env env, Napi::Object exports);
}
