// The fused engine on an NVIDIA GPU: the generated model and NUTS transition (src/codegen/cuda.ts) as one CUDA kernel,
// one thread per chain, compiled by MLX (fast::cuda_kernel → NVRTC, cached per process) and launched on MLX's GPU
// stream. float64 arrays do not exist on MLX's GPU, so double data travels as uint32 pairs (the kernel reads it
// through double*). Built into every addon: against the mlx-cpu wheel the constructor says that there is no GPU.
#include "fused_cuda.h"
#include "device_copy.h"
#include "gpu_args.h"
#include "gpu_profile.h"
#include "deferred_copy.h"
#include "gpu_readback.h"
#include "napi_args.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/mlx.h"

namespace mx = mlx::core;

namespace mlxnuts {
namespace {

constexpr int kStats = kLaunchStats;
constexpr int kCtlWords = 16;
// Threads per block: one warp per block while chains are few, so that they spread over every SM (an H200 has 132;
// each thread is latency-bound on its own local memory), larger blocks once the GPU is full anyway.
// With a warp per chain (lanes = 32), four chains per block.
int threadsPerBlock(int n, int lanes) { return lanes > 1 ? 128 : (n <= 132 * 32 * 4 ? 32 : 64); }
const std::vector<std::string> kInputs = {"ctl", "ids", "eps", "im", "ch", "st", "df", "di", "sc"};
constexpr int kWarmupStats = 7;  // WARMUP_STATS of src/codegen/cuda.ts
const std::vector<std::string> kOutputs = {"so", "oq", "oc", "os", "od"};

Napi::Float64Array f64(const Napi::Value& v, const char* fn, const char* name, size_t len) { return needF64(v, fn, name, len); }


bool gpuAvailable() {
  try {
    return mx::is_available(mx::Device(mx::Device::gpu));
  } catch (const std::exception&) {
    return false;
  }
}

class FusedCudaModel : public Napi::ObjectWrap<FusedCudaModel> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "FusedCudaModel",
                       {InstanceMethod("setData", &FusedCudaModel::SetData), InstanceMethod("compile", &FusedCudaModel::Compile),
                        InstanceMethod("logpGrad", &FusedCudaModel::LogpGrad), InstanceMethod("run", &FusedCudaModel::Run),
                        InstanceMethod("warmup", &FusedCudaModel::Warmup),
                        InstanceMethod("deviceInfo", &FusedCudaModel::DeviceInfo),
                        InstanceMethod("flush", &FusedCudaModel::Flush), InstanceMethod("dispose", &FusedCudaModel::Dispose)});
  }

  // new FusedCudaModel({ header, body, dim, columns, realBytes, lanes }): lanes threads per chain (MN_LANES of the header)
  explicit FusedCudaModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FusedCudaModel>(info) {
    if (!gpuAvailable())
      throw std::runtime_error(
          "[fused-gpu] no GPU: this addon's MLX has no usable GPU backend (built against the mlx-cpu wheel, or no "
          "NVIDIA driver/device). Install on an NVIDIA machine with MLX_NUTS_MLX=cuda-13 npm install, or sample with "
          "device: 'cpu'.");
    if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument("[fused-gpu] expected { header, body, dim, columns, realBytes }");
    auto o = info[0].As<Napi::Object>();
    header_ = o.Get("header").As<Napi::String>().Utf8Value();
    body_ = o.Get("body").As<Napi::String>().Utf8Value();
    dim_ = o.Get("dim").As<Napi::Number>().Int32Value();
    columns_ = o.Get("columns").As<Napi::Number>().Int32Value();
    realBytes_ = o.Get("realBytes").As<Napi::Number>().Int32Value();
    lanes_ = o.Has("lanes") ? o.Get("lanes").As<Napi::Number>().Int32Value() : 1;
    if (lanes_ != 1 && lanes_ != 32) throw std::invalid_argument("[fused-gpu] lanes must be 1 or 32");
    if (dim_ < 1 || columns_ < 0 || (realBytes_ != 4 && realBytes_ != 8)) throw std::invalid_argument("[fused-gpu] bad dim/columns/realBytes");
    dataF_ = mx::array({0u}, {1}, mx::uint32);
    dataI_ = mx::array({0}, {1}, mx::int32);
  }

 private:
  std::string header_, body_;
  int dim_ = 0, columns_ = 0, realBytes_ = 4, lanes_ = 1;
  /** uint32 words per constrained value in the kernel's output (MN_COLUMN_T: the model's real type) */
  int colWords() const { return realBytes_ / 4; }
  mx::array dataF_ = mx::array(0u), dataI_ = mx::array(0);
  std::map<int, mx::fast::CustomKernelFunction> kernels_;
  bool disposed_ = false;

  DeferredCopy deferred_;  // the last run's copy into the fit while the next launch runs (run's overlap option)

  /** Not disposed; and, unless told not to, the last run's deferred copy done (its error thrown here). */
  void live(bool settle = true) {
    if (disposed_) throw std::runtime_error("[fused-gpu] this model was disposed");
    if (settle) gProfile.overlapWaitSeconds += deferred_.settle();
  }

  mx::fast::CustomKernelFunction& kernel(int depth) {
    auto it = kernels_.find(depth);
    if (it != kernels_.end()) return it->second;
    auto k = mx::fast::cuda_kernel("mn_fused", kInputs, kOutputs, body_, header_, true, 0);
    return kernels_.emplace(depth, std::move(k)).first->second;
  }

  /** Launches `n` threads and evaluates the outputs; errors (NVRTC, launch) come back as one prefixed message. */
  std::vector<mx::array> launch(int depth, const std::vector<mx::array>& inputs, const std::vector<mx::Shape>& shapes, int n,
                                bool points = false, bool profiled = true) {
    std::vector<mx::Dtype> dtypes(shapes.size(), mx::uint32);
    mx::Device gpu(mx::Device::gpu);
    copyMode();  // a bad MLX_NUTS_GPU_COPY is an error before the launch, not after it
    try {
      const auto t0 = Clock::now();
      auto outs = kernel(depth)(inputs, shapes, dtypes, {n * lanes_, 1, 1}, {threadsPerBlock(n, lanes_), 1, 1},
                                {{"MN_KD", depth}}, std::nullopt, false, gpu);
      mx::eval(outs);
      if (profiled) {
        (points ? gProfile.pointSeconds : gProfile.deviceSeconds) += since(t0);
        (points ? gProfile.pointLaunches : gProfile.launches) += 1;
      }
      return outs;
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("[fused-gpu] ") + e.what());
    }
  }

  // setData(dataF: Float64Array, dataI: Int32Array, preElements = 0): converted to the model's real type, kept as kernel
  // inputs; with preElements > 0 the buffer gets that many more elements, which the kernel's mode 2 fills once.
  Napi::Value SetData(const Napi::CallbackInfo& info) {
    live();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) throw std::invalid_argument("[fused-gpu] setData(dataF, dataI, preElements)");
    auto f = info[0].As<Napi::Float64Array>();
    auto i = info[1].As<Napi::Int32Array>();
    const long long pre = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0;
    const size_t nf = f.ElementLength();
    const size_t total = std::max<size_t>(nf + static_cast<size_t>(std::max(pre, 0LL)), 1);
    std::vector<uint32_t> words(total * (realBytes_ / 4), 0u);
    if (realBytes_ == 8) std::memcpy(words.data(), f.Data(), nf * sizeof(double));
    else for (size_t k = 0; k < nf; ++k) {
      const float x = static_cast<float>(f[k]);
      std::memcpy(words.data() + k, &x, 4);
    }
    dataF_ = mx::array(words.data(), {static_cast<int>(words.size())}, mx::uint32);
    if (i.ElementLength() == 0) dataI_ = mx::array({0}, {1}, mx::int32);
    else dataI_ = mx::array(i.Data(), {static_cast<int>(i.ElementLength())}, mx::int32);
    mx::eval({dataF_, dataI_});
    if (pre > 0) {
      auto c = ctl(2u, 1u);
      c[9] = static_cast<uint32_t>(words.size());
      const double zero = 0.0;
      std::vector<mx::array> in = {mx::array(c.data(), {kCtlWords}, mx::uint32), mx::array({0u}, {1}, mx::uint32), bits(&zero, 1, 1),
                                   bits(&zero, 1, 1), bits(&zero, 1, 1), bits(&zero, 1, 1), dataF_, dataI_,
                                   bits(&zero, 1, 1)};
      // not profiled: the first launch compiles the kernel (NVRTC), which is compile time
      auto outs = launch(10, in, {{static_cast<int>(words.size())}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}, 1, false, false);
      dataF_ = outs[0];
    }
    return info.Env().Undefined();
  }

  std::vector<uint32_t> ctl(uint32_t mode, uint32_t n) {
    std::vector<uint32_t> c(kCtlWords, 0u);
    c[0] = mode;
    c[1] = n;
    return c;
  }

  // logpGrad(Q, n, outLogp, outGrad, outColumns | null, maxDepth): mode 0 of the kernel over n points.
  Napi::Value LogpGrad(const Napi::CallbackInfo& info) {
    live();
    const int n = info[1].As<Napi::Number>().Int32Value();
    if (n < 1) throw std::invalid_argument("[fused-gpu] logpGrad: n must be >= 1");
    const size_t d = static_cast<size_t>(dim_);
    auto q = f64(info[0], "fused-gpu", "Q", n * d);
    auto lp = f64(info[2], "fused-gpu", "outLogp", n);
    auto g = f64(info[3], "fused-gpu", "outGrad", n * d);
    double* cols = info.Length() > 4 && info[4].IsTypedArray() ? f64(info[4], "fused-gpu", "outColumns", n * columns_).Data() : nullptr;
    const int depth = info.Length() > 5 && info[5].IsNumber() ? info[5].As<Napi::Number>().Int32Value() : 10;
    auto c = ctl(0u, static_cast<uint32_t>(n));
    const double zero = 0.0;
    std::vector<mx::array> in = {mx::array(c.data(), {kCtlWords}, mx::uint32), mx::array({0u}, {1}, mx::uint32),
                                 bits(&zero, 1, 1), bits(&zero, 1, 1), bits(&zero, 1, 1), bits(q.Data(), n, d), dataF_, dataI_, bits(&zero, 1, 1)};
    const long long sw = 2 * d + 1;
    auto outs = launch(depth, in, {{n, static_cast<int>(2 * sw)}, {1, 2}, {n, colWords() * std::max(columns_, 1)}, {1, 2}, {1, 2}}, n, true);
    const double* s = doublesOf(outs[0]);
    for (int k = 0; k < n; ++k) {
      lp[k] = s[k * sw + 2 * d];
      std::memcpy(g.Data() + k * d, s + k * sw + d, d * sizeof(double));
    }
    if (cols && columns_ > 0) columnsToHost(cols, outs[2], static_cast<size_t>(n) * columns_, colWords());
    return info.Env().Undefined();
  }

  // compile(maxDepth): builds the kernel (NVRTC) now, by evaluating it at one point of zeros.
  Napi::Value Compile(const Napi::CallbackInfo& info) {
    live();
    const int depth = info[0].As<Napi::Number>().Int32Value();
    std::vector<double> q(dim_, 0.0), g(dim_), cols(std::max(columns_, 1));
    auto c = ctl(0u, 1u);
    const double zero = 0.0;
    std::vector<mx::array> in = {mx::array(c.data(), {kCtlWords}, mx::uint32), mx::array({0u}, {1}, mx::uint32),
                                 bits(&zero, 1, 1), bits(&zero, 1, 1), bits(&zero, 1, 1), bits(q.data(), 1, dim_), dataF_, dataI_, bits(&zero, 1, 1)};
    // not profiled: the NVRTC compile inside this launch is the model's compile time, not device time
    launch(depth, in, {{1, 2 * (2 * dim_ + 1)}, {1, 2}, {1, colWords() * std::max(columns_, 1)}, {1, 2}, {1, 2}}, 1, false, false);
    warmGather();  // MLX's own run-time compile of the divergent rows' gather, also compile time
    return info.Env().Undefined();
  }

  // run(args): the FusedModel.run arguments (src/backend/native.ts FusedRunArgs) plus sharedMetric (0/1); outputs
  // are iteration-major (entry it·chains + c) like the CPU engine's. Returns the divergent transitions' rows
  // (divergenceRows above).
  Napi::Value Run(const Napi::CallbackInfo& info) {
    live(false);  // the last run's deferred copy may go on while this launch runs: settled after it
    const auto t0 = Clock::now();
    auto o = argsOf(info, "run");
    auto ids = chainIdsOf(o, "run");
    const int n = static_cast<int>(ids.ElementLength());
    const size_t d = static_cast<size_t>(dim_), cols = static_cast<size_t>(columns_);
    const int count = num(o, "count");
    const int maxDepth = num(o, "maxDepth");
    const int dense = num(o, "dense");
    const bool shared = o.Has("sharedMetric") && o.Get("sharedMetric").ToBoolean().Value();
    if (n < 1) throw std::invalid_argument("[fused-gpu] run: no chains");
    if (count < 1) throw std::invalid_argument("[fused-gpu] run: count must be >= 1");
    if (maxDepth < 0 || maxDepth > 30) throw std::invalid_argument("[fused-gpu] run: maxDepth must be in [0, 30]");
    const size_t m = shared ? 1 : static_cast<size_t>(n);
    const size_t msize = dense ? d * d : d;
    auto eps = f64(o.Get("stepSizes"), "fused-gpu", "stepSizes", n);
    auto im = f64(o.Get("invMetric"), "fused-gpu", "invMetric", m * msize);
    auto q = f64(o.Get("q"), "fused-gpu", "q", n * d);
    auto lp = f64(o.Get("logp"), "fused-gpu", "logp", n);
    auto g = f64(o.Get("grad"), "fused-gpu", "grad", n * d);
    const bool fit = o.Has("fit") && o.Get("fit").IsObject();
    Napi::Float64Array outQ, outC, outS;
    if (!fit) {
      outQ = f64(o.Get("outQ"), "fused-gpu", "outQ", static_cast<size_t>(count) * n * d);
      outC = f64(o.Get("outColumns"), "fused-gpu", "outColumns", static_cast<size_t>(count) * n * cols);
      outS = f64(o.Get("outStats"), "fused-gpu", "outStats", static_cast<size_t>(count) * n * kStats);
    }
    const long long sw = 2 * d + 1;
    std::vector<double> st(static_cast<size_t>(n) * sw);
    for (int k = 0; k < n; ++k) {
      std::memcpy(st.data() + k * sw, q.Data() + k * d, d * sizeof(double));
      std::memcpy(st.data() + k * sw + d, g.Data() + k * d, d * sizeof(double));
      st[k * sw + 2 * d] = lp[k];
    }
    auto c = ctl(1u, static_cast<uint32_t>(n));
    streamWords(c, o);
    c[5] = static_cast<uint32_t>(count);
    c[6] = static_cast<uint32_t>(maxDepth);
    c[7] = static_cast<uint32_t>(dense);
    c[8] = shared ? 0u : 1u;
    const double zero = 0.0;
    mx::array chol = bits(&zero, 1, 1);
    if (dense) chol = bits(f64(o.Get("chol"), "fused-gpu", "chol", m * msize).Data(), static_cast<int>(m), static_cast<long long>(msize));
    // into the fit: the kernel counts the clamp's hits (ctl word 10, sc = [limit, mask]) in place of draws (cuda.ts oq)
    std::vector<double> sc(1, 0.0);
    if (fit) {
      const Napi::Object f = o.Get("fit").As<Napi::Object>();
      auto maskV = f.Get("clampMask");
      if (!maskV.IsTypedArray() || maskV.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
          maskV.As<Napi::Uint8Array>().ElementLength() != d)
        throw std::invalid_argument("[fused-gpu] run: fit.clampMask must be a Uint8Array of dim");
      auto mask = maskV.As<Napi::Uint8Array>();
      sc.assign(1 + d, 0.0);
      sc[0] = f.Get("clamp").As<Napi::Number>().DoubleValue();
      for (size_t i = 0; i < d; ++i) sc[1 + i] = mask[i] ? 1.0 : 0.0;
      c[10] = 1u;
    }
    std::vector<mx::array> in = {mx::array(c.data(), {kCtlWords}, mx::uint32), mx::array(ids.Data(), {n}, mx::uint32),
                                 bits(eps.Data(), n, 1), bits(im.Data(), static_cast<int>(m), static_cast<long long>(msize)), chol,
                                 bits(st.data(), n, sw), dataF_, dataI_, bits(sc.data(), 1, static_cast<long long>(sc.size()))};
    auto words = [](long long x) { return static_cast<int>(2 * std::max(x, 1LL)); };
    const int depth = std::max(maxDepth, 10);
    gProfile.inputSeconds += since(t0);
    auto outs = launch(depth, in,
                       {{n, words(sw)}, {n, fit ? 2 : words(count * static_cast<long long>(d))}, {n, colWords() * static_cast<int>(std::max(count * static_cast<long long>(cols), 1LL))},
                        {n, colWords() * static_cast<int>(count * static_cast<long long>(kStats))}, {n, words(count * (1 + static_cast<long long>(d)))}},
                       n);
    gProfile.overlapWaitSeconds += deferred_.settle();
    const auto t1 = Clock::now();
    gProfile.outputBytes += 8.0 * n * (sw + (fit ? 1.0 : static_cast<double>(count) * d)) + 4.0 * colWords() * n * static_cast<double>(count) * (cols + kStats);
    std::vector<double> host(static_cast<size_t>(n) * sw);
    gProfile.copyEngine = copyToHost(host.data(), doublesOf(outs[0]), host.size() * sizeof(double)) ? 1 : 0;
    gProfile.stateSeconds += since(t1);
    for (int k = 0; k < n; ++k) {
      std::memcpy(q.Data() + k * d, host.data() + k * sw, d * sizeof(double));
      std::memcpy(g.Data() + k * d, host.data() + k * sw + d, d * sizeof(double));
      lp[k] = host[k * sw + 2 * d];
    }
    if (fit) {
      const bool overlap = o.Has("overlap") && o.Get("overlap").ToBoolean().Value();
      auto div = intoFit(info.Env(), o.Get("fit").As<Napi::Object>(), outs, n, count, dim_, columns_, colWords(), overlap ? &deferred_ : nullptr);
      gProfile.outputSeconds += since(t1);
      return div;
    }
    const bool chainMajor = o.Has("chainMajor") && o.Get("chainMajor").ToBoolean().Value();
    auto div = intoArrays(info.Env(), outs, n, count, dim_, columns_, colWords(), outQ.Data(), outC.Data(), outS.Data(), chainMajor);
    gProfile.outputSeconds += since(t1);
    return div;
  }

  // warmup({ key0, key1, chainIds, iteration, count, maxDepth, invMetric (one shared diagonal), state, scalars,
  // outStats, mode? }): mode 3 (or 4, see src/codegen/cuda.ts), `count` pooled-warmup iterations of every chain in one launch (src/nuts/nativeWarmup.ts).
  // state (n × (4·dim + 6), in/out) and outStats (n × count × 7) are chain-major, as the kernel has them. Returns the
  // divergent transitions' rows (mode 3; empty for mode 4).
  Napi::Value Warmup(const Napi::CallbackInfo& info) {
    live();
    const auto t0 = Clock::now();
    auto o = argsOf(info, "warmup");
    auto ids = chainIdsOf(o, "warmup");
    const int n = static_cast<int>(ids.ElementLength());
    const size_t d = static_cast<size_t>(dim_);
    const int count = num(o, "count");
    const int maxDepth = num(o, "maxDepth");
    if (n < 1 || count < 1 || maxDepth < 0 || maxDepth > 30) throw std::invalid_argument("[fused-gpu] warmup: bad chains/count/maxDepth");
    const long long sw = 4 * static_cast<long long>(d) + 6;
    auto im = f64(o.Get("invMetric"), "fused-gpu", "invMetric", d);
    auto state = f64(o.Get("state"), "fused-gpu", "state", static_cast<size_t>(n) * sw);
    auto sc = f64(o.Get("scalars"), "fused-gpu", "scalars", 2 + 4 * static_cast<size_t>(count));
    // with fit ({ stats, statCount, statRows (Int32Array of 7), total, offset }) the statistics go straight into the
    // fit's warmup rows ([chain][statCount][total], statistic j at row statRows[j]) and outStats is not used
    const bool fit = o.Has("fit") && o.Get("fit").IsObject();
    Napi::Float64Array outS;
    if (!fit) outS = f64(o.Get("outStats"), "fused-gpu", "outStats", static_cast<size_t>(n) * count * kWarmupStats);
    // mode 3 (warmup iterations) unless told 4 (each chain's step-size search from the ε in its state; count 1)
    const uint32_t mode = o.Has("mode") ? static_cast<uint32_t>(num(o, "mode")) : 3u;
    if (mode != 3u && mode != 4u) throw std::invalid_argument("[fused-gpu] warmup: mode must be 3 or 4");
    auto c = ctl(mode, static_cast<uint32_t>(n));
    streamWords(c, o);
    c[5] = static_cast<uint32_t>(count);
    c[6] = static_cast<uint32_t>(maxDepth);
    c[7] = 0u;
    c[8] = 0u;
    const double zero = 0.0;
    std::vector<mx::array> in = {mx::array(c.data(), {kCtlWords}, mx::uint32), mx::array(ids.Data(), {n}, mx::uint32),
                                 bits(&zero, 1, 1), bits(im.Data(), 1, static_cast<long long>(d)), bits(&zero, 1, 1),
                                 bits(state.Data(), n, sw), dataF_, dataI_, bits(sc.Data(), 1, 2 + 4 * static_cast<long long>(count))};
    const int depth = std::max(maxDepth, 10);
    gProfile.inputSeconds += since(t0);
    const int divWords = mode == 3u ? static_cast<int>(2 * count * (1 + static_cast<long long>(d))) : 2;
    auto outs = launch(depth, in, {{n, static_cast<int>(2 * sw)}, {1, 2}, {1, 2}, {n, static_cast<int>(colWords() * count * kWarmupStats)}, {n, divWords}}, n);
    const auto t1 = Clock::now();
    copyToHost(state.Data(), doublesOf(outs[0]), static_cast<size_t>(n) * sw * sizeof(double));
    gProfile.stateSeconds += since(t1);
    gProfile.outputBytes += 8.0 * n * sw + 4.0 * colWords() * n * static_cast<double>(count) * kWarmupStats;
    Napi::Value div;
    if (fit && mode == 3u) {
      FitRows fr = fitRows(o.Get("fit").As<Napi::Object>(), kWarmupStats, n, count);
      placeStats(fr, outs[3], kWarmupStats, n, count, colWords());
      div = fitDivergenceRows(info.Env(), fr, outs[4], n, count, dim_);
    } else {
      if (fit) throw std::invalid_argument("[fused-gpu] warmup: fit is for mode 3");
      columnsToHost(outS.Data(), outs[3], static_cast<size_t>(n) * count * kWarmupStats, colWords());
      // mode 4 leaves its status in the statistics' first column: no divergence rows
      div = mode == 3u ? divergenceRows(info.Env(), outS.Data(), kWarmupStats, outs[4], n, count, dim_)
                       : Napi::Float64Array::New(info.Env(), 0);
    }
    gProfile.outputSeconds += since(t1);
    gProfile.warmupOutputSeconds += since(t1);
    return div;
  }

  // deviceInfo(): the GPU's name, total and free memory (bytes)
  Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
    auto r = Napi::Object::New(info.Env());
    const auto& di = mx::device_info(mx::Device(mx::Device::gpu));
    for (const auto& [k, v] : di) {
      if (std::holds_alternative<std::string>(v)) r.Set(k, std::get<std::string>(v));
      else r.Set(k, static_cast<double>(std::get<size_t>(v)));
    }
    return r;
  }

  // flush(): waits for the last run's deferred copy into the fit (run with overlap), throwing its error
  Napi::Value Flush(const Napi::CallbackInfo& info) {
    live();
    return info.Env().Undefined();
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    try {
      deferred_.settle();
    } catch (const std::exception&) {  // disposing anyway: the fit it was filling is being dropped
    }
    kernels_.clear();
    dataF_ = mx::array(0u);
    dataI_ = mx::array(0);
    disposed_ = true;
    return info.Env().Undefined();
  }
};

}  // namespace

void registerFusedCuda(Napi::Env env, Napi::Object exports) {
  exports.Set("FusedCudaModel", FusedCudaModel::Init(env));
  exports.Set("gpuProfile", Napi::Function::New(env, gpuProfileOf));
}

}  // namespace mlxnuts
