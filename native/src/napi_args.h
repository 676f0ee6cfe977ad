// Checked reading of typed-array arguments from JavaScript, shared by the addon's classes: the one home of the
// "must be a Float64Array" / "has length" errors.
#pragma once
#include <napi.h>

#include <stdexcept>
#include <string>

namespace mlxnuts {

/** v as a Float64Array of exactly len elements, or an error naming the function and the argument. */
inline Napi::Float64Array needF64(const Napi::Value& v, const char* fn, const char* name, size_t len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw std::invalid_argument(std::string("[") + fn + "] " + name + " must be a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  if (a.ElementLength() != len)
    throw std::invalid_argument(std::string("[") + fn + "] " + name + " has length " + std::to_string(a.ElementLength()) +
                                ", expected " + std::to_string(len));
  return a;
}

}  // namespace mlxnuts
