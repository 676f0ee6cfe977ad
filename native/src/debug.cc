// Pitfall probes: scalar reads from slice→squeeze views, reversed slices under compile, dtype round-trips, sums.
#include "debug.h"

#include <cstring>

#include "hostcopy.h"
#include "mlx/mlx.h"

namespace mx = mlx::core;

namespace mlxnuts {

namespace {

mx::Dtype dtypeByName(const std::string& s) {
  static const std::pair<const char*, mx::Dtype> table[] = {
      {"bool", mx::bool_},     {"uint8", mx::uint8},     {"uint16", mx::uint16},   {"uint32", mx::uint32},
      {"uint64", mx::uint64},  {"int8", mx::int8},       {"int16", mx::int16},     {"int32", mx::int32},
      {"int64", mx::int64},    {"float16", mx::float16}, {"bfloat16", mx::bfloat16}, {"float32", mx::float32},
      {"float64", mx::float64}, {"complex64", mx::complex64}};
  for (auto& [name, dt] : table)
    if (s == name) return dt;
  throw std::invalid_argument("[debug] unknown dtype '" + s + "'");
}

// sliceScalar(dtype, n, index): arange(n) in dtype, then slice [index, index+1) and squeeze; read the scalar back.
Napi::Value SliceScalar(const Napi::CallbackInfo& info) {
  mx::Dtype dt = dtypeByName(info[0].As<Napi::String>().Utf8Value());
  int n = info[1].As<Napi::Number>().Int32Value();
  int idx = info[2].As<Napi::Number>().Int32Value();
  if (idx < 0 || idx >= n) throw std::invalid_argument("[debug.sliceScalar] index out of range");
  auto a = mx::astype(mx::arange(0, n, mx::int64), dt);
  auto view = mx::squeeze(mx::slice(a, {idx}, {idx + 1}));
  double out = 0;
  copyToHost(view, &out);
  return Napi::Number::New(info.Env(), out);
}

// reversedCompile(x: Float64Array): 2·x[::-1] + 1 in float32, eager and under compile.
Napi::Value ReversedCompile(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float64Array>();
  int n = static_cast<int>(x.ElementLength());
  auto a = fromHost(x.Data(), {n}, mx::float32);
  auto f = [](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    int len = in[0].shape(0);
    auto rev = mx::slice(in[0], {len - 1}, {-len - 1}, {-1});
    return {mx::add(mx::multiply(rev, mx::array(2.0f)), mx::array(1.0f))};
  };
  auto eager = f({a})[0];
  auto compiled = mx::compile(f)({a})[0];
  auto env = info.Env();
  auto e = Napi::Float64Array::New(env, n), c = Napi::Float64Array::New(env, n);
  copyToHost(eager, e.Data());
  copyToHost(compiled, c.Data());
  auto o = Napi::Object::New(env);
  o.Set("eager", e);
  o.Set("compiled", c);
  return o;
}

// roundTrip(bytes: TypedArray, dtype): JS bytes → MLX array of dtype → an offset view of a copy → JS bytes.
Napi::Value RoundTrip(const Napi::CallbackInfo& info) {
  auto ta = info[0].As<Napi::TypedArray>();
  mx::Dtype dt = dtypeByName(info[1].As<Napi::String>().Utf8Value());
  size_t bytes = ta.ByteLength();
  if (bytes % dt.size() != 0) throw std::invalid_argument("[debug.roundTrip] byte length is not a multiple of the dtype size");
  int n = static_cast<int>(bytes / dt.size());
  const char* src = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  char* buf = new char[bytes > 0 ? bytes : 1];
  std::memcpy(buf, src, bytes);
  mx::array a(static_cast<void*>(buf), mx::Shape{n}, dt, [](void* p) { delete[] static_cast<char*>(p); });
  // a view with a non-zero offset into a larger buffer, as slicing produces
  auto twice = mx::concatenate({a, a});
  auto view = mx::slice(twice, {n}, {2 * n});
  auto out = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes) copyBytesToHost(view, out.Data());
  return out;
}

// sumFloat32(n, value): MLX's float32 sum of n copies of value, read back in double.
Napi::Value SumFloat32(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  float v = static_cast<float>(info[1].As<Napi::Number>().DoubleValue());
  auto s = mx::sum(mx::full({n}, v, mx::float32));
  double out = 0;
  copyToHost(s, &out);
  return Napi::Number::New(info.Env(), out);
}

}  // namespace

void registerDebug(Napi::Env env, Napi::Object exports) {
  auto d = Napi::Object::New(env);
  d.Set("sliceScalar", Napi::Function::New(env, SliceScalar));
  d.Set("reversedCompile", Napi::Function::New(env, ReversedCompile));
  d.Set("roundTrip", Napi::Function::New(env, RoundTrip));
  d.Set("sumFloat32", Napi::Function::New(env, SumFloat32));
  d.Set("nodes", Napi::Function::New(env, DebugNodes));
  exports.Set("debug", d);
}

}  // namespace mlxnuts
