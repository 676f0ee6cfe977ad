// The fused engine's host side: load a generated model library (dlopen), hold its data, and run every chain's
// NUTS transitions in one call, chains spread over threads; synchronously, or on a worker thread behind a Promise.
#include "fused.h"
#include "napi_args.h"
#include "pool.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "fused_abi.h"
}

namespace mlxnuts {
namespace {

using AbiVersionFn = int (*)();
using InfoFn = void (*)(long long*);
using ScratchFn = long long (*)(int);
using LogpGradFn = double (*)(const double*, double*, const void*, const int*, double*);
using ConstrainFn = void (*)(const double*, double*, const void*, const int*, double*);
using RunChainFn = void (*)(const MnChainArgs*);
using PrepareFn = void (*)(void*, const int*, double*);
using DebugNodesFn = double (*)(const double*, double*, const void*, const int*, double*, double*, double*);

struct Library {
  void* handle = nullptr;
  InfoFn info = nullptr;
  ScratchFn scratch = nullptr;
  LogpGradFn logpGrad = nullptr;
  ConstrainFn constrain = nullptr;
  RunChainFn runChain = nullptr;
  PrepareFn prepare = nullptr;
  DebugNodesFn debugNodes = nullptr;  // only in libraries generated for check()
  long long dim = 0, columns = 0, realBytes = 8, modelDoubles = 0, preSize = 0;
  std::vector<unsigned char> dataF;  // in the model's real type
  std::vector<int> dataI;
  ~Library() {
    if (handle) dlclose(handle);
  }
};

template <class T>
T sym(void* h, const char* name, const std::string& path) {
  void* p = dlsym(h, name);
  if (!p) throw std::runtime_error(std::string("[fused] ") + path + " lacks the symbol " + name + " (a library from another version?)");
  return reinterpret_cast<T>(p);
}

Napi::Float64Array f64(const Napi::Value& v, const char* name, size_t len) { return needF64(v, "fused", name, len); }

double* optF64(const Napi::Value& v, const char* name, size_t len) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  return f64(v, name, len).Data();
}

int num(const Napi::Object& o, const char* key) {
  auto v = o.Get(key);
  if (!v.IsNumber()) throw std::invalid_argument(std::string("[fused] run: ") + key + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

/** A run's arguments, read from JS once; pointers stay valid because the JS arrays are referenced. */
struct RunPlan {
  std::vector<MnChainArgs> chains;
  int threads = 1;
  long long scratchDoubles = 0;
  std::vector<Napi::Reference<Napi::Value>> keep;
};

RunPlan plan(const Library& L, const Napi::Object& o, bool keepRefs) {
  RunPlan p;
  auto ids = o.Get("chainIds");
  if (!ids.IsTypedArray() || ids.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw std::invalid_argument("[fused] run: chainIds must be a Uint32Array");
  auto chainIds = ids.As<Napi::Uint32Array>();
  const size_t n = chainIds.ElementLength();
  const size_t d = static_cast<size_t>(L.dim);
  const int count = num(o, "count");
  const int maxDepth = num(o, "maxDepth");
  const int dense = num(o, "dense");
  if (count < 1) throw std::invalid_argument("[fused] run: count must be >= 1");
  if (maxDepth < 0 || maxDepth > 30) throw std::invalid_argument("[fused] run: maxDepth must be in [0, 30]");
  auto eps = f64(o.Get("stepSizes"), "stepSizes", n);
  if (dense < 0 || dense > 2) throw std::invalid_argument("[fused] run: dense must be 0 (diagonal), 1 (dense) or 2 (low rank)");
  // dense = 2: invMetric holds each chain's diagonal part, chol each chain's packed low-rank factors (one stride per
  // chain, src/kernel/lowRankMetric.ts packLowRank); dense = 1: dim × dim each
  size_t cstride = dense == 1 ? d * d : 0;
  if (dense == 2) {
    auto cv = o.Get("chol");
    const size_t len = cv.IsTypedArray() ? cv.As<Napi::TypedArray>().ElementLength() : 0;
    if (len == 0 || len % n != 0 || len / n < 1 + d)
      throw std::invalid_argument("[fused] run: a low-rank chol must hold chains x (1 + dim + ...) doubles");
    cstride = len / n;
  }
  auto im = f64(o.Get("invMetric"), "invMetric", dense == 1 ? n * d * d : n * d);
  double* chol = dense ? f64(o.Get("chol"), "chol", n * cstride).Data() : nullptr;
  auto q = f64(o.Get("q"), "q", n * d);
  auto lp = f64(o.Get("logp"), "logp", n);
  auto g = f64(o.Get("grad"), "grad", n * d);
  double* outQ = optF64(o.Get("outQ"), "outQ", static_cast<size_t>(count) * n * d);
  double* outC = optF64(o.Get("outColumns"), "outColumns", static_cast<size_t>(count) * n * L.columns);
  double* outS = optF64(o.Get("outStats"), "outStats", static_cast<size_t>(count) * n * MN_STATS);
  double* outD = optF64(o.Get("outDiv"), "outDiv", static_cast<size_t>(count) * n * (d + 1));
  const double key0 = o.Get("key0").As<Napi::Number>().DoubleValue();
  const double key1 = o.Get("key1").As<Napi::Number>().DoubleValue();
  const double iteration = o.Get("iteration").As<Napi::Number>().DoubleValue();
  p.threads = std::max(1, std::min(num(o, "threads"), static_cast<int>(n)));
  p.scratchDoubles = L.scratch(maxDepth);
  p.chains.resize(n);
  for (size_t c = 0; c < n; ++c) {
    MnChainArgs& a = p.chains[c];
    a.key0 = static_cast<unsigned int>(key0);
    a.key1 = static_cast<unsigned int>(key1);
    a.chain = chainIds[c];
    a.iteration = static_cast<unsigned int>(iteration);
    a.count = count;
    a.max_depth = maxDepth;
    a.dense = dense;
    a.step_size = eps[c];
    a.inv_metric = im.Data() + (dense == 1 ? c * d * d : c * d);
    a.chol = chol ? chol + c * cstride : nullptr;
    a.q = q.Data() + c * d;
    a.logp = lp.Data() + c;
    a.grad = g.Data() + c * d;
    // outputs are iteration-major over chains: entry (it · chains + c); the library writes per chain with a
    // stride of one row, so each chain gets its own buffer, scattered afterwards (see scatter()).
    a.out_q = outQ;
    a.out_columns = outC;
    a.out_stats = outS;
    a.out_div = outD;
    a.data_f = L.dataF.data();
    a.data_i = L.dataI.data();
    a.scratch = nullptr;
  }
  if (keepRefs) {
    for (const char* k : {"chainIds", "stepSizes", "invMetric", "chol", "q", "logp", "grad", "outQ", "outColumns", "outStats", "outDiv"}) {
      auto v = o.Get(k);
      if (v.IsObject()) p.keep.push_back(Napi::Persistent(v));
    }
  }
  return p;
}

/** Runs the plan: each thread takes a contiguous group of chains; per-chain outputs go to private rows first. */
void execute(const Library& L, RunPlan& p) {
  const size_t n = p.chains.size();
  const int count = p.chains.empty() ? 0 : p.chains[0].count;
  const size_t d = static_cast<size_t>(L.dim), cols = static_cast<size_t>(L.columns);
  auto work = [&](size_t from, size_t to) {
    std::vector<double> scratch(static_cast<size_t>(p.scratchDoubles));
    std::vector<double> q, c, s, dv;
    for (size_t k = from; k < to; ++k) {
      MnChainArgs a = p.chains[k];
      double* gq = a.out_q;
      double* gc = a.out_columns;
      double* gs = a.out_stats;
      double* gd = a.out_div;
      if (gq) q.resize(count * d), a.out_q = q.data();
      if (gc) c.resize(count * cols), a.out_columns = c.data();
      if (gs) s.resize(count * MN_STATS), a.out_stats = s.data();
      if (gd) dv.resize(count * (d + 1)), a.out_div = dv.data();
      a.scratch = scratch.data();
      L.runChain(&a);
      for (int it = 0; it < count; ++it) {
        const size_t row = static_cast<size_t>(it) * n + k;
        if (gq) std::copy_n(q.data() + it * d, d, gq + row * d);
        if (gc) std::copy_n(c.data() + it * cols, cols, gc + row * cols);
        if (gd) std::copy_n(dv.data() + it * (d + 1), d + 1, gd + row * (d + 1));
        // statistics are stat-major: entry (stat · count · chains + row), so each statistic is one contiguous run
        if (gs) for (int j = 0; j < MN_STATS; ++j) gs[static_cast<size_t>(j) * count * n + row] = s[it * MN_STATS + j];
      }
    }
  };
  const int t = p.threads;
  if (t <= 1) {
    work(0, n);
    return;
  }
  std::function<void(int)> job = [&](int i) { work(n * i / t, n * (i + 1) / t); };
  Pool::instance().run(t, job);
}

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<Library> lib, RunPlan plan)
      : Napi::AsyncWorker(env), lib_(std::move(lib)), plan_(std::move(plan)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      execute(*lib_, plan_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::shared_ptr<Library> lib_;
  RunPlan plan_;
  Napi::Promise::Deferred deferred_;
};

class FusedModel : public Napi::ObjectWrap<FusedModel> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "FusedModel",
                       {InstanceMethod("info", &FusedModel::Info), InstanceMethod("setData", &FusedModel::SetData),
                        InstanceMethod("logpGrad", &FusedModel::LogpGrad), InstanceMethod("constrain", &FusedModel::Constrain),
                        InstanceMethod("run", &FusedModel::Run), InstanceMethod("runAsync", &FusedModel::RunAsync),
                        InstanceMethod("debugNodes", &FusedModel::DebugNodes),
                        InstanceMethod("bindRun", &FusedModel::BindRun), InstanceMethod("runBound", &FusedModel::RunBound),
                        InstanceMethod("dispose", &FusedModel::Dispose)});
  }

  explicit FusedModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FusedModel>(info) {
    if (info.Length() < 1 || !info[0].IsString()) throw std::invalid_argument("[fused] expected the library's path");
    std::string path = info[0].As<Napi::String>().Utf8Value();
    auto lib = std::make_shared<Library>();
    lib->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) throw std::runtime_error(std::string("[fused] cannot load ") + path + ": " + dlerror());
    int abi = sym<AbiVersionFn>(lib->handle, "mn_abi_version", path)();
    if (abi != MN_ABI_VERSION)
      throw std::runtime_error("[fused] " + path + " has ABI " + std::to_string(abi) + ", this addon expects " + std::to_string(MN_ABI_VERSION));
    lib->info = sym<InfoFn>(lib->handle, "mn_info", path);
    lib->scratch = sym<ScratchFn>(lib->handle, "mn_scratch_doubles", path);
    lib->logpGrad = sym<LogpGradFn>(lib->handle, "mn_logp_grad", path);
    lib->constrain = sym<ConstrainFn>(lib->handle, "mn_constrain_values", path);
    lib->runChain = sym<RunChainFn>(lib->handle, "mn_run_chain", path);
    lib->prepare = sym<PrepareFn>(lib->handle, "mn_prepare", path);
    lib->debugNodes = reinterpret_cast<DebugNodesFn>(dlsym(lib->handle, "mn_debug_nodes"));
    long long out[5];
    lib->info(out);
    lib->dim = out[0];
    lib->columns = out[1];
    lib->realBytes = out[2];
    lib->modelDoubles = out[3];
    lib->preSize = out[4];
    lib_ = lib;
  }

 private:
  Library& live() {
    if (!lib_) throw std::runtime_error("[fused] this model was disposed");
    return *lib_;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    auto& L = live();
    auto o = Napi::Object::New(info.Env());
    o.Set("dim", static_cast<double>(L.dim));
    o.Set("columns", static_cast<double>(L.columns));
    o.Set("realBytes", static_cast<double>(L.realBytes));
    return o;
  }

  // setData(dataF: Float64Array, dataI: Int32Array): converted to the model's real type and kept; the library then
  // computes its parameter-independent nodes once into the space after the data.
  Napi::Value SetData(const Napi::CallbackInfo& info) {
    auto& L = live();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) throw std::invalid_argument("[fused] setData(dataF, dataI)");
    auto f = info[0].As<Napi::Float64Array>();
    auto i = info[1].As<Napi::Int32Array>();
    const size_t nf = f.ElementLength();
    L.dataF.assign(std::max<size_t>(nf + static_cast<size_t>(L.preSize), 1) * L.realBytes, 0);
    if (L.realBytes == 8) std::copy_n(f.Data(), nf, reinterpret_cast<double*>(L.dataF.data()));
    else for (size_t k = 0; k < nf; ++k) reinterpret_cast<float*>(L.dataF.data())[k] = static_cast<float>(f[k]);
    L.dataI.assign(i.Data(), i.Data() + i.ElementLength());
    if (L.dataI.empty()) L.dataI.push_back(0);
    std::vector<double> scratch(static_cast<size_t>(L.modelDoubles));
    L.prepare(L.dataF.data(), L.dataI.data(), scratch.data());
    return info.Env().Undefined();
  }

  // logpGrad(Q, chains, outLogp, outGrad)
  Napi::Value LogpGrad(const Napi::CallbackInfo& info) {
    auto& L = live();
    int chains = info[1].As<Napi::Number>().Int32Value();
    if (chains < 1) throw std::invalid_argument("[fused] logpGrad: chains must be >= 1");
    const size_t d = static_cast<size_t>(L.dim);
    auto q = f64(info[0], "Q", chains * d);
    auto lp = f64(info[2], "outLogp", chains);
    auto g = f64(info[3], "outGrad", chains * d);
    std::vector<double> scratch(static_cast<size_t>(L.modelDoubles));
    for (int c = 0; c < chains; ++c) lp[c] = L.logpGrad(q.Data() + c * d, g.Data() + c * d, L.dataF.data(), L.dataI.data(), scratch.data());
    return info.Env().Undefined();
  }

  // constrain(Q, n, out): constrained columns of n points
  Napi::Value Constrain(const Napi::CallbackInfo& info) {
    auto& L = live();
    int n = info[1].As<Napi::Number>().Int32Value();
    const size_t d = static_cast<size_t>(L.dim), cols = static_cast<size_t>(L.columns);
    auto q = f64(info[0], "Q", n * d);
    auto out = f64(info[2], "out", n * cols);
    std::vector<double> scratch(static_cast<size_t>(L.modelDoubles));
    for (int k = 0; k < n; ++k) L.constrain(q.Data() + k * d, out.Data() + k * cols, L.dataF.data(), L.dataI.data(), scratch.data());
    return info.Env().Undefined();
  }

  // debugNodes(q, outGrad, vals, adjs) → logp: every node's value and adjoint (a library generated with debug)
  Napi::Value DebugNodes(const Napi::CallbackInfo& info) {
    auto& L = live();
    if (!L.debugNodes) throw std::runtime_error("[fused] this library was not generated with its debug entry point");
    const size_t d = static_cast<size_t>(L.dim);
    auto q = f64(info[0], "q", d);
    auto g = f64(info[1], "grad", d);
    if (!info[2].IsTypedArray() || !info[3].IsTypedArray()) throw std::invalid_argument("[fused] debugNodes(q, grad, vals, adjs)");
    auto vals = info[2].As<Napi::Float64Array>();
    auto adjs = info[3].As<Napi::Float64Array>();
    std::vector<double> scratch(static_cast<size_t>(L.modelDoubles));
    double lp = L.debugNodes(q.Data(), g.Data(), L.dataF.data(), L.dataI.data(), scratch.data(), vals.Data(), adjs.Data());
    return Napi::Number::New(info.Env(), lp);
  }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    auto& L = live();
    if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument("[fused] run(args)");
    RunPlan p = plan(L, info[0].As<Napi::Object>(), false);
    execute(L, p);
    return info.Env().Undefined();
  }

  // bindRun(args): keeps a run's arrays (referenced) for runBound, the per-iteration call of warmup: reading ~17
  // arguments from a JS object per call cost as much as a small model's transition.
  Napi::Value BindRun(const Napi::CallbackInfo& info) {
    auto& L = live();
    if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument("[fused] bindRun(args)");
    bound_ = std::make_unique<RunPlan>(plan(L, info[0].As<Napi::Object>(), true));
    boundEps_ = info[0].As<Napi::Object>().Get("stepSizes").As<Napi::Float64Array>().Data();
    return info.Env().Undefined();
  }

  // runBound(iteration): the bound run at `iteration`, with the step sizes currently in its stepSizes array
  Napi::Value RunBound(const Napi::CallbackInfo& info) {
    auto& L = live();
    if (!bound_) throw std::runtime_error("[fused] runBound before bindRun");
    const unsigned int it = static_cast<unsigned int>(info[0].As<Napi::Number>().DoubleValue());
    for (size_t c = 0; c < bound_->chains.size(); ++c) {
      bound_->chains[c].iteration = it;
      bound_->chains[c].step_size = boundEps_[c];
    }
    execute(L, *bound_);
    return info.Env().Undefined();
  }

  Napi::Value RunAsync(const Napi::CallbackInfo& info) {
    live();
    if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument("[fused] runAsync(args)");
    RunPlan p = plan(*lib_, info[0].As<Napi::Object>(), true);
    auto* w = new RunWorker(info.Env(), lib_, std::move(p));
    auto promise = w->promise();
    w->Queue();
    return promise;
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    bound_.reset();
    lib_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<Library> lib_;
  std::unique_ptr<RunPlan> bound_;
  const double* boundEps_ = nullptr;
};

}  // namespace

void registerFused(Napi::Env env, Napi::Object exports) { exports.Set("FusedModel", FusedModel::Init(env)); }

}  // namespace mlxnuts
