// Node entry point: the Density handle (compile, logpGrad, benchLoop, dispose) and module-level info.
#include <napi.h>

#include <chrono>
#include <memory>

#include "affinity.h"
#include "page_in.h"
#include "napi_args.h"
#include "debug.h"
#include "distributed.h"
#include "density.h"
#include "fused.h"
#include "fused_cuda.h"

namespace mx = mlx::core;
using namespace mlxnuts;

namespace {

mx::Dtype parseDtype(const Napi::Value& v) {
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "float32";
  if (s == "float32") return mx::float32;
  if (s == "float64") return mx::float64;
  throw std::invalid_argument("[logDensity] dtype must be 'float32' or 'float64', got '" + s + "'");
}

mx::Device parseDevice(const Napi::Value& v) {
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "cpu";
  if (s == "cpu") return mx::Device(mx::Device::cpu);
  if (s == "gpu") {
    if (!mx::is_available(mx::Device(mx::Device::gpu)))
      throw std::invalid_argument("[logDensity] device 'gpu' is not available in this MLX build (the mlx-cpu wheel has no GPU backend; install with MLX_NUTS_MLX=cuda-13 on NVIDIA)");
    return mx::Device(mx::Device::gpu);
  }
  throw std::invalid_argument("[logDensity] device must be 'cpu' or 'gpu', got '" + s + "'");
}


class Density : public Napi::ObjectWrap<Density> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Density",
                       {InstanceMethod("logpGrad", &Density::LogpGrad), InstanceMethod("benchLoop", &Density::BenchLoop),
                        InstanceMethod("trajectory", &Density::Trajectory),
                        InstanceMethod("takeProfile", &Density::TakeProfile),
                        InstanceMethod("dispose", &Density::Dispose), InstanceAccessor("dim", &Density::Dim, nullptr)});
  }

  explicit Density(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Density>(info) {
    if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument("[logDensity] expected a graph object");
    Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(info.Env());
    mx::Dtype dtype = parseDtype(opts.Get("dtype"));
    mx::Device device = parseDevice(opts.Get("device"));
    if (!(mx::default_device() == device)) mx::set_default_device(device);
    Graph g = parseGraph(info[0].As<Napi::Object>());
    density_ = std::make_unique<CompiledDensity>(std::move(g), dtype, device);
  }

 private:
  CompiledDensity& live(const char* fn) {
    if (!density_) throw std::runtime_error(std::string("[") + fn + "] this density was disposed");
    return *density_;
  }

  Napi::Value Dim(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), live("dim").dim()); }

  // logpGrad(Q: Float64Array(chains*dim), chains, outLogp: Float64Array(chains), outGrad: Float64Array(chains*dim))
  Napi::Value LogpGrad(const Napi::CallbackInfo& info) {
    auto& d = live("logpGrad");
    if (info.Length() < 4 || !info[1].IsNumber()) throw std::invalid_argument("[logpGrad] expected (Q, chains, outLogp, outGrad)");
    int chains = info[1].As<Napi::Number>().Int32Value();
    if (chains < 1) throw std::invalid_argument("[logpGrad] chains must be >= 1");
    size_t n = static_cast<size_t>(chains) * d.dim();
    auto q = needF64(info[0], "logpGrad", "Q", n);
    auto lp = needF64(info[2], "logpGrad", "outLogp", chains);
    auto gr = needF64(info[3], "logpGrad", "outGrad", n);
    d.logpGrad(q.Data(), chains, lp.Data(), gr.Data());
    return info.Env().Undefined();
  }

  // trajectory(q0, p0, g0, eps, invMetric, dense, steps, chains, outQ, outP, outG, outLp): one native call per doubling.
  Napi::Value Trajectory(const Napi::CallbackInfo& info) {
    auto& d = live("trajectory");
    if (info.Length() < 12) throw std::invalid_argument("[trajectory] expected 12 arguments");
    bool dense = info[5].ToBoolean().Value();
    int steps = info[6].As<Napi::Number>().Int32Value();
    int chains = info[7].As<Napi::Number>().Int32Value();
    if (steps < 1 || chains < 1) throw std::invalid_argument("[trajectory] steps and chains must be >= 1");
    size_t n = static_cast<size_t>(chains) * d.dim();
    auto q0 = needF64(info[0], "trajectory", "q0", n);
    auto p0 = needF64(info[1], "trajectory", "p0", n);
    auto g0 = needF64(info[2], "trajectory", "g0", n);
    auto eps = needF64(info[3], "trajectory", "stepSizes", chains);
    auto im = needF64(info[4], "trajectory", "invMetric", dense ? n * d.dim() : n);
    auto oq = needF64(info[8], "trajectory", "outQ", n * steps);
    auto op = needF64(info[9], "trajectory", "outP", n * steps);
    auto og = needF64(info[10], "trajectory", "outG", n * steps);
    auto ol = needF64(info[11], "trajectory", "outLogp", static_cast<size_t>(chains) * steps);
    d.trajectory(q0.Data(), p0.Data(), g0.Data(), eps.Data(), im.Data(), dense, steps, chains, oq.Data(), op.Data(),
                 og.Data(), ol.Data());
    return info.Env().Undefined();
  }

  // benchLoop(Q, chains, iters): µs per logp-and-gradient timed inside C++ (no JS boundary in the loop).
  Napi::Value BenchLoop(const Napi::CallbackInfo& info) {
    auto& d = live("benchLoop");
    int chains = info[1].As<Napi::Number>().Int32Value();
    int iters = info[2].As<Napi::Number>().Int32Value();
    size_t n = static_cast<size_t>(chains) * d.dim();
    auto q = needF64(info[0], "benchLoop", "Q", n);
    std::vector<double> lp(chains), gr(n);
    d.logpGrad(q.Data(), chains, lp.data(), gr.data());
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) d.logpGrad(q.Data(), chains, lp.data(), gr.data());
    auto t1 = std::chrono::steady_clock::now();
    return Napi::Number::New(info.Env(), std::chrono::duration<double, std::micro>(t1 - t0).count() / iters);
  }

  Napi::Value TakeProfile(const Napi::CallbackInfo& info) {
    auto p = live("takeProfile").takeProfile();
    auto o = Napi::Object::New(info.Env());
    o.Set("buildSeconds", p.buildSeconds);
    o.Set("evalSeconds", p.evalSeconds);
    o.Set("copySeconds", p.copySeconds);
    o.Set("leapfrogHostSeconds", p.leapfrogHostSeconds);
    o.Set("calls", p.calls);
    o.Set("trajectories", p.trajectories);
    o.Set("primitives", p.primitives);
    return o;
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    density_.reset();
    return info.Env().Undefined();
  }

  std::unique_ptr<CompiledDensity> density_;
};

Napi::Value Info(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("mlxVersion", mx::version());
  o.Set("gpuAvailable", mx::is_available(mx::Device(mx::Device::gpu)));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Density", Density::Init(env));
  exports.Set("info", Napi::Function::New(env, Info));
  registerDebug(env, exports);
  registerAffinity(env, exports);
  registerDistributed(env, exports);
  registerFused(env, exports);
  registerFusedCuda(env, exports);
  registerPageIn(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(mlx_nuts, Init)
