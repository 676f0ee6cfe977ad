// Reading the GPU engine's call arguments (native/src/fused_cuda.cc): the one argument object, the chain ids, the
// control words of the random streams, and doubles packed as uint32 pairs (float64 arrays do not exist on MLX's GPU).
#pragma once
#include <napi.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/mlx.h"

namespace mlxnuts {

/** The one argument object of run() and warmup(). */
inline Napi::Object argsOf(const Napi::CallbackInfo& info, const char* fn) {
  if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument(std::string("[fused-gpu] ") + fn + "(args)");
  return info[0].As<Napi::Object>();
}

inline Napi::Uint32Array chainIdsOf(const Napi::Object& o, const char* fn) {
  auto v = o.Get("chainIds");
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw std::invalid_argument(std::string("[fused-gpu] ") + fn + ": chainIds must be a Uint32Array");
  return v.As<Napi::Uint32Array>();
}

/** The control words that address the random streams: key0, key1 and the first transition's iteration. */
inline void streamWords(std::vector<uint32_t>& c, const Napi::Object& o) {
  c[2] = static_cast<uint32_t>(o.Get("key0").As<Napi::Number>().DoubleValue());
  c[3] = static_cast<uint32_t>(o.Get("key1").As<Napi::Number>().DoubleValue());
  c[4] = static_cast<uint32_t>(o.Get("iteration").As<Napi::Number>().DoubleValue());
}

inline int num(const Napi::Object& o, const char* key) {
  auto v = o.Get(key);
  if (!v.IsNumber()) throw std::invalid_argument(std::string("[fused-gpu] run: ") + key + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

/** n doubles as a 2-D uint32 array (rows × 2·cols words): a bit copy, never a float64 array on the GPU. */
inline mlx::core::array bits(const double* p, int rows, long long cols) {
  if (rows < 1 || cols < 1) return mlx::core::array({0u, 0u}, {1, 2}, mlx::core::uint32);
  const uint32_t* w = reinterpret_cast<const uint32_t*>(p);
  return mlx::core::array(w, mlx::core::Shape{rows, static_cast<int>(2 * cols)}, mlx::core::uint32);
}

}  // namespace mlxnuts
