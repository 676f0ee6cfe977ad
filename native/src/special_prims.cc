// lgamma, digamma, trigamma, log B(a, b) and float64 erf, sin, cos as CPU primitives of MLX (see special_prims.h).
#include "special_prims.h"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "mlx/allocator.h"
#include "mlx/backend/cpu/encoder.h"
#include "constants.h"
#include "mlx/primitives.h"

namespace mx = mlx::core;

namespace mlxnuts {

namespace host {

namespace {
// kLanczos, kStirling and kAsymptoticFrom come from constants.h.
const double kHalfLog2Pi = 0.5 * std::log(2 * M_PI);

double stirlingDiff(double x) {
  double r = 1 / x, r2 = r * r, s = kStirling[6];
  for (int i = 5; i >= 0; --i) s = s * r2 + kStirling[i];
  return s * r;
}

// ψ(x) = log x − 1/(2x) − tail(x) for x ≥ 6 (A&S 6.3.18).
double digammaTail(double x) {
  double i2 = 1 / (x * x);
  const double* T = kDigammaTail;
  return i2 * (T[0] - i2 * (T[1] - i2 * (T[2] - i2 * (T[3] - i2 * T[4]))));
}
}  // namespace

double lgamma(double x) {
  if (x > 0 && x < 0.5) return lgamma(x + 1) - std::log(x);
  if (x < 0.5) return std::log(M_PI / std::fabs(std::sin(M_PI * x))) - lgamma(1 - x);
  double z = x - 1, a = kLanczos[0];
  for (int k = 1; k < 9; ++k) a += kLanczos[k] / (z + k);
  double t = z + 7.5;
  return kHalfLog2Pi + (z + 0.5) * std::log(t) - t + std::log(a);
}

double digamma(double x) {
  if (x <= 0) return digamma(1 - x) - M_PI / std::tan(M_PI * x);
  double acc = 0;
  while (x < 6) {
    acc += 1 / x;
    x += 1;
  }
  return std::log(x) - 0.5 / x - digammaTail(x) - acc;
}

double trigamma(double x) {
  if (x <= 0) {
    double s = std::sin(M_PI * x);
    return -trigamma(1 - x) + M_PI * M_PI / (s * s);
  }
  double acc = 0;
  while (x < 6) {
    acc += 1 / (x * x);
    x += 1;
  }
  double i = 1 / x, i2 = i * i;
  // A&S 6.4.12
  return acc + i + 0.5 * i2 + i * i2 * (1.0 / 6 - i2 * (1.0 / 30 - i2 * (1.0 / 42 - i2 * (1.0 / 30))));
}

double lbeta(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  double x = std::fmin(a, b), y = std::fmax(a, b);
  if (y < kAsymptoticFrom) return lgamma(a) + lgamma(b) - lgamma(a + b);
  double t = x / (x + y);
  if (x < kAsymptoticFrom)
    return lgamma(x) + stirlingDiff(y) - stirlingDiff(x + y) + (y - 0.5) * std::log1p(-t) + x * (1 - std::log(x + y));
  return stirlingDiff(x) + stirlingDiff(y) - stirlingDiff(x + y) + (x - 0.5) * std::log(t) + y * std::log1p(-t) +
         kHalfLog2Pi - 0.5 * std::log(y);
}

double digammaDiff(double a, double c) {
  double b = a + c;
  if (a >= kAsymptoticFrom && b >= kAsymptoticFrom)
    return -std::log1p(c / a) - 0.5 / a + 0.5 / b - digammaTail(a) + digammaTail(b);
  return digamma(a) - digamma(b);
}

}  // namespace host

namespace {

enum class Fn { LGamma, Digamma, Trigamma, Erf, Sin, Cos };

double erfHost(double x) { return std::erf(x); }
double sinHost(double x) { return std::sin(x); }
double cosHost(double x) { return std::cos(x); }

// Offsets (in elements) of every element of `a` in row-major order of its shape, following its strides
// (broadcast inputs have zero strides, slices an offset already folded into data()).
template <typename F>
void forEachOffset(const mx::array& a, F f) {
  const size_t n = a.size();
  if (a.flags().row_contiguous) {
    for (size_t i = 0; i < n; ++i) f(i, static_cast<int64_t>(i));
    return;
  }
  const auto& shape = a.shape();
  const auto& strides = a.strides();
  const int nd = static_cast<int>(shape.size());
  std::vector<int> idx(nd, 0);
  int64_t off = 0;
  for (size_t i = 0; i < n; ++i) {
    f(i, off);
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        off += strides[d];
        break;
      }
      off -= static_cast<int64_t>(strides[d]) * (shape[d] - 1);
      idx[d] = 0;
    }
  }
}

template <typename T>
void evalUnary(Fn fn, const mx::array& in, mx::array& out) {
  const T* src = in.data<T>();
  T* dst = out.data<T>();
  double (*f)(double) = fn == Fn::LGamma ? host::lgamma : fn == Fn::Digamma ? host::digamma : fn == Fn::Trigamma ? host::trigamma
      : fn == Fn::Erf ? erfHost : fn == Fn::Sin ? sinHost : cosHost;
  forEachOffset(in, [&](size_t i, int64_t off) { dst[i] = static_cast<T>(f(static_cast<double>(src[off]))); });
}

// Both inputs have the output's shape (lbetaCpu broadcasts them first); `grad` writes ∂a and ∂b, else log B.
template <typename T>
void evalBinary(bool grad, const mx::array& a, const mx::array& b, std::vector<mx::array>& outs) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  std::vector<int64_t> offB(a.size());
  forEachOffset(b, [&](size_t i, int64_t off) { offB[i] = off; });
  T* o0 = outs[0].data<T>();
  T* o1 = grad ? outs[1].data<T>() : nullptr;
  forEachOffset(a, [&](size_t i, int64_t off) {
    double x = static_cast<double>(pa[off]), y = static_cast<double>(pb[offB[i]]);
    if (grad) {
      o0[i] = static_cast<T>(host::digammaDiff(x, y));
      o1[i] = static_cast<T>(host::digammaDiff(y, x));
    } else {
      o0[i] = static_cast<T>(host::lbeta(x, y));
    }
  });
}

template <typename Eval>
void dispatch(mx::Stream s, const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs, Eval eval) {
  for (auto& o : outputs) o.set_data(mx::allocator::malloc(o.nbytes()));
  auto& enc = mx::cpu::get_command_encoder(s);
  for (const auto& in : inputs) enc.set_input_array(in);
  for (auto& o : outputs) enc.set_output_array(o);
  std::vector<mx::array> ins, outs;
  for (const auto& in : inputs) ins.push_back(mx::array::unsafe_weak_copy(in));
  for (const auto& o : outputs) outs.push_back(mx::array::unsafe_weak_copy(o));
  enc.dispatch([ins = std::move(ins), outs = std::move(outs), eval]() mutable {
    if (outs[0].dtype() == mx::float64)
      eval(double{}, ins, outs);
    else
      eval(float{}, ins, outs);
  });
}

mx::array special(Fn fn, const mx::array& x);

class SpecialUnary : public mx::UnaryPrimitive {
 public:
  SpecialUnary(mx::Stream s, Fn fn) : mx::UnaryPrimitive(s), fn_(fn) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    std::vector<mx::array> outs{out};
    Fn fn = fn_;
    dispatch(stream(), inputs, outs, [fn](auto tag, std::vector<mx::array>& in, std::vector<mx::array>& o) {
      evalUnary<decltype(tag)>(fn, in[0], o[0]);
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error(std::string("[mlx-nuts native] ") + name() + " has no GPU kernel");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>&) override {
    return {mx::multiply(cotangents[0], derivative(primals[0]))};
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    return {mx::multiply(tangents[0], derivative(primals[0]))};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    return {{special(fn_, inputs[0])}, axes};
  }
  const char* name() const override {
    switch (fn_) {
      case Fn::LGamma: return "LGamma";
      case Fn::Digamma: return "Digamma";
      case Fn::Trigamma: return "Trigamma";
      case Fn::Erf: return "ErfHost";
      case Fn::Sin: return "SinHost";
      default: return "CosHost";
    }
  }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto* o = dynamic_cast<const SpecialUnary*>(&other);
    return o && o->fn_ == fn_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }

 private:
  Fn fn_;
  mx::array derivative(const mx::array& x) const {
    if (fn_ == Fn::Sin) return special(Fn::Cos, x);
    if (fn_ == Fn::Cos) return mx::negative(special(Fn::Sin, x));
    if (fn_ == Fn::Erf) {  // 2/√π · e^{−x²}, with e^y as power(e, y): exact in float64, unlike MLX's CPU exp
      double e = M_E, c = 2 / std::sqrt(M_PI);
      auto base = x.dtype() == mx::float64 ? mx::array(&e, mx::Shape{}, mx::float64) : mx::array(static_cast<float>(e));
      auto k = x.dtype() == mx::float64 ? mx::array(&c, mx::Shape{}, mx::float64) : mx::array(static_cast<float>(c));
      return mx::multiply(k, mx::power(base, mx::negative(mx::square(x))));
    }
    if (fn_ == Fn::Trigamma)
      throw std::invalid_argument("[mlx-nuts native] the derivative of trigamma (a third derivative of lgamma) is not implemented");
    return special(fn_ == Fn::LGamma ? Fn::Digamma : Fn::Trigamma, x);
  }
};

mx::array special(Fn fn, const mx::array& x) {
  if (x.dtype() != mx::float32 && x.dtype() != mx::float64)
    throw std::invalid_argument("[mlx-nuts native] special functions take float32 or float64 arrays");
  auto s = mx::default_stream(mx::Device::cpu);
  return mx::array(x.shape(), x.dtype(), std::make_shared<SpecialUnary>(s, fn), {x});
}

// (ψ(a) − ψ(a+b), ψ(b) − ψ(a+b)): the gradient of log B, two outputs of one primitive.
class LBetaGrad : public mx::Primitive {
 public:
  explicit LBetaGrad(mx::Stream s) : mx::Primitive(s) {}
  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override {
    dispatch(stream(), inputs, outputs, [](auto tag, std::vector<mx::array>& in, std::vector<mx::array>& o) {
      evalBinary<decltype(tag)>(true, in[0], in[1], o);
    });
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("[mlx-nuts native] LBetaGrad has no GPU kernel");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>&, const std::vector<mx::array>&, const std::vector<int>&,
                             const std::vector<mx::array>&) override {
    throw std::invalid_argument("[mlx-nuts native] second derivatives of lbeta are not implemented");
  }
  const char* name() const override { return "LBetaGrad"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return dynamic_cast<const LBetaGrad*>(&other) != nullptr;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return {inputs[0].shape(), inputs[0].shape()};
  }
};

class LBeta : public mx::UnaryPrimitive {
 public:
  explicit LBeta(mx::Stream s) : mx::UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    std::vector<mx::array> outs{out};
    dispatch(stream(), inputs, outs, [](auto tag, std::vector<mx::array>& in, std::vector<mx::array>& o) {
      evalBinary<decltype(tag)>(false, in[0], in[1], o);
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("[mlx-nuts native] LBeta has no GPU kernel");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    auto g = grads(primals);
    std::vector<mx::array> out;
    for (int k : argnums) out.push_back(mx::multiply(cotangents[0], g[k]));
    return out;
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    auto g = grads(primals);
    mx::array acc = mx::multiply(tangents[0], g[argnums[0]]);
    for (size_t i = 1; i < argnums.size(); ++i) acc = mx::add(acc, mx::multiply(tangents[i], g[argnums[i]]));
    return {acc};
  }
  const char* name() const override { return "LBeta"; }
  bool is_equivalent(const mx::Primitive& other) const override { return dynamic_cast<const LBeta*>(&other) != nullptr; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }

 private:
  std::vector<mx::array> grads(const std::vector<mx::array>& primals) {
    const auto& a = primals[0];
    return mx::array::make_arrays({a.shape(), a.shape()}, {a.dtype(), a.dtype()}, std::make_shared<LBetaGrad>(stream()),
                                  primals);
  }
};

}  // namespace

bool cpuSpecials() { return mx::default_device() == mx::Device::cpu; }

mx::array lgammaCpu(const mx::array& x) { return special(Fn::LGamma, x); }
mx::array digammaCpu(const mx::array& x) { return special(Fn::Digamma, x); }
mx::array erfCpu(const mx::array& x) { return special(Fn::Erf, x); }
mx::array sinCpu(const mx::array& x) { return special(Fn::Sin, x); }
mx::array cosCpu(const mx::array& x) { return special(Fn::Cos, x); }

mx::array lbetaCpu(const mx::array& a, const mx::array& b) {
  auto dt = mx::promote_types(a.dtype(), b.dtype());
  if (dt != mx::float32 && dt != mx::float64)
    throw std::invalid_argument("[mlx-nuts native] lbeta takes float32 or float64 arrays");
  auto ab = mx::broadcast_arrays({mx::astype(a, dt), mx::astype(b, dt)});
  auto s = mx::default_stream(mx::Device::cpu);
  return mx::array(ab[0].shape(), dt, std::make_shared<LBeta>(s), ab);
}

}  // namespace mlxnuts
