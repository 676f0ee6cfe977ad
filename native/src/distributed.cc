// MLX's distributed group for the sampler's ranks: init (ring | nccl | mpi | any), rank and size, and all_gather of
// bytes. Bytes travel the same on every backend (NCCL has no float64 on the GPU; ring gathers bytes anyway), so the
// TypeScript side gathers float64 bit patterns losslessly and does any sum there, in rank order (src/distributed/).
// Each call runs on a libuv worker thread and resolves a promise: MLX's ring collectives wait forever on a peer that
// hangs, so the caller races each promise against a timeout, and hardExit() leaves without running destructors that
// would join a thread stuck in such a collective.
#include "distributed.h"

#include <mlx/distributed/distributed.h>
#include <mlx/distributed/ops.h>
#include <mlx/mlx.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mx = mlx::core;
namespace md = mlx::core::distributed;

namespace mlxnuts {
namespace {

std::mutex groupMutex;
std::optional<md::Group> group;
std::string groupBackend;

const char* const BACKENDS[] = {"ring", "nccl", "mpi", "any"};

std::string checkBackend(const Napi::Value& v) {
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  for (const char* b : BACKENDS)
    if (s == b) return s;
  throw std::invalid_argument("[distributed] backend must be 'ring', 'nccl', 'mpi' or 'any', got '" + s + "'");
}

class InitWorker : public Napi::AsyncWorker {
 public:
  InitWorker(Napi::Env env, std::string backend)
      : Napi::AsyncWorker(env), backend_(std::move(backend)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      md::Group g = md::init(true, backend_);  // strict: a missing configuration is an error, not a size-1 group
      std::lock_guard<std::mutex> lock(groupMutex);
      group = g;
      groupBackend = backend_;
      rank_ = g.rank();
      size_ = g.size();
    } catch (const std::exception& e) {
      SetError(std::string("[distributed] init of backend '") + backend_ + "' failed: " + e.what());
    }
  }
  void OnOK() override {
    auto o = Napi::Object::New(Env());
    o.Set("rank", rank_);
    o.Set("size", size_);
    o.Set("backend", backend_);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::string backend_;
  int rank_ = 0, size_ = 1;
  Napi::Promise::Deferred deferred_;
};

class GatherWorker : public Napi::AsyncWorker {
 public:
  GatherWorker(Napi::Env env, std::vector<uint8_t> in)
      : Napi::AsyncWorker(env), in_(std::move(in)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      std::optional<md::Group> g;
      {
        std::lock_guard<std::mutex> lock(groupMutex);
        g = group;
      }
      if (!g) throw std::runtime_error("init() was not called");
      // the graph is built and evaluated on this thread (MLX streams are thread-affine: /work/shared/MLX.md §4)
      mx::array x(in_.begin(), mx::Shape{static_cast<int32_t>(in_.size())}, mx::uint8);
      mx::array y = md::all_gather(x, *g);
      mx::eval(y);
      y = mx::contiguous(y);
      mx::eval(y);
      out_.resize(y.nbytes());
      std::memcpy(out_.data(), y.data<uint8_t>(), out_.size());
    } catch (const std::exception& e) {
      SetError(std::string("[distributed] all_gather failed: ") + e.what());
    }
  }
  void OnOK() override {
    auto buf = Napi::Buffer<uint8_t>::Copy(Env(), out_.data(), out_.size());
    deferred_.Resolve(buf);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::vector<uint8_t> in_, out_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value IsAvailable(const Napi::CallbackInfo& info) {
  std::string b = checkBackend(info[0]);
  return Napi::Boolean::New(info.Env(), b == "any" ? md::is_available() : md::is_available(b));
}

// init(backend) -> Promise<{ rank, size, backend }>; the backend reads its configuration from the environment.
Napi::Value Init(const Napi::CallbackInfo& info) {
  std::string b = checkBackend(info[0]);
  {
    std::lock_guard<std::mutex> lock(groupMutex);
    if (group && groupBackend != b)
      throw std::invalid_argument("[distributed] already initialised with backend '" + groupBackend + "', asked for '" + b + "'");
  }
  auto* w = new InitWorker(info.Env(), b);
  auto p = w->promise();
  w->Queue();
  return p;
}

// allGather(bytes: Uint8Array) -> Promise<Buffer>: every rank's bytes in rank order (every rank passes the same length).
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw std::invalid_argument("[distributed] allGather expects a Uint8Array");
  auto a = info[0].As<Napi::Uint8Array>();
  if (a.ElementLength() == 0 || a.ElementLength() > (1u << 30))
    throw std::invalid_argument("[distributed] allGather needs between 1 byte and 1 GiB, got " + std::to_string(a.ElementLength()));
  std::vector<uint8_t> in(a.Data(), a.Data() + a.ElementLength());
  auto* w = new GatherWorker(info.Env(), std::move(in));
  auto p = w->promise();
  w->Queue();
  return p;
}

// hardExit(code): _exit, skipping static destructors that would wait for a collective stuck on a dead peer.
Napi::Value HardExit(const Napi::CallbackInfo& info) {
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 1;
  fflush(stdout);
  fflush(stderr);
  _exit(code);
}

}  // namespace

void registerDistributed(Napi::Env env, Napi::Object exports) {
  auto o = Napi::Object::New(env);
  o.Set("isAvailable", Napi::Function::New(env, IsAvailable));
  o.Set("init", Napi::Function::New(env, Init));
  o.Set("allGather", Napi::Function::New(env, AllGather));
  o.Set("hardExit", Napi::Function::New(env, HardExit));
  exports.Set("distributed", o);
}

}  // namespace mlxnuts
