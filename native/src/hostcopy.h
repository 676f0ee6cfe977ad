// Host⇄device copies done right: evaluate, make row-contiguous, read with the array's own dtype (MLX.md §2).
#pragma once
#include <cstring>
#include <stdexcept>
#include <vector>

#include "mlx/mlx.h"

namespace mlxnuts {

// Evaluates `a`, makes it row-contiguous if it is a view (slice, transpose, broadcast, negative stride), and
// converts every element to double into out[0..a.size()). Never reads data<T>() with the wrong T.
inline void copyToHost(mlx::core::array a, double* out) {
  namespace mx = mlx::core;
  a.eval();
  if (!a.flags().row_contiguous) {
    a = mx::contiguous(a);
    a.eval();
  }
  const size_t n = a.size();
  switch (a.dtype()) {
    case mx::float64: std::memcpy(out, a.data<double>(), n * sizeof(double)); break;
    case mx::float32: { const float* p = a.data<float>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::float16: { const mx::float16_t* p = a.data<mx::float16_t>(); for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]); break; }
    case mx::bfloat16: { const mx::bfloat16_t* p = a.data<mx::bfloat16_t>(); for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]); break; }
    case mx::int8: { const int8_t* p = a.data<int8_t>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::int16: { const int16_t* p = a.data<int16_t>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::int32: { const int32_t* p = a.data<int32_t>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::int64: { const int64_t* p = a.data<int64_t>(); for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(p[i]); break; }
    case mx::uint8: { const uint8_t* p = a.data<uint8_t>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::uint16: { const uint16_t* p = a.data<uint16_t>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::uint32: { const uint32_t* p = a.data<uint32_t>(); for (size_t i = 0; i < n; ++i) out[i] = p[i]; break; }
    case mx::uint64: { const uint64_t* p = a.data<uint64_t>(); for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(p[i]); break; }
    case mx::bool_: { const bool* p = a.data<bool>(); for (size_t i = 0; i < n; ++i) out[i] = p[i] ? 1.0 : 0.0; break; }
    default: throw std::invalid_argument("[mlx-nuts native] copyToHost: unsupported dtype (complex)");
  }
}

// Copies the raw bytes of `a` (evaluated and row-contiguous) into out; out must hold a.nbytes().
inline void copyBytesToHost(mlx::core::array a, void* out) {
  a.eval();
  if (!a.flags().row_contiguous) {
    a = mlx::core::contiguous(a);
    a.eval();
  }
  std::memcpy(out, a.data<char>(), a.nbytes());
}

// Builds a device array of `dtype` from host doubles without ever creating a float64 array on a GPU stream.
inline mlx::core::array fromHost(const double* data, const mlx::core::Shape& shape, mlx::core::Dtype dtype) {
  namespace mx = mlx::core;
  size_t n = 1;
  for (int d : shape) n *= static_cast<size_t>(d);
  if (dtype == mx::float64) return mx::array(data, shape, mx::float64);
  std::vector<float> f(data, data + n);
  return mx::array(f.data(), shape, mx::float32);
}

}  // namespace mlxnuts
