// Debug entry point for check(): every node of a graph evaluated by MLX, and every input cotangent of the vjp.
//
// debug.nodes(graph, { dtype, device }, q) emits the graph node by node with the same emitter as the compiled
// density (emitLogp on a one-node graph whose inputs are the previous nodes' arrays), so the values are what MLX
// computes for each op, eagerly (no mx::compile, one chain). For the backward pass every float edge (node c reads
// node j as its k-th input) reads v[j] + e with e = 0 of j's shape; the vjp of logp with respect to e is the
// cotangent that c's derivative rule sends to that input, which lets the caller name the node whose derivative
// is wrong. Not on the hot path: it is slow by design (one MLX primitive chain per node, evaluated eagerly).
//
// debug.nodes(graph, opts, q, given) with given = { values, adjoints } (the reference's, per node) evaluates each
// node alone instead: on the given values of its inputs (rounded to the dtype), and its vjp with the given
// incoming cotangent. A node is then judged on its own op and derivative rule, free of the rounding its inputs
// picked up upstream (which a float32 chain amplifies at cancellations).
#include <napi.h>

#include <stdexcept>

#include "debug.h"
#include "graph.h"
#include "hostcopy.h"

namespace mx = mlx::core;

namespace mlxnuts {

namespace {

struct DeviceGuard {  // restores MLX's default device when the call ends (densities set their own per call anyway)
  mx::Device prev;
  explicit DeviceGuard(mx::Device d) : prev(mx::default_device()) {
    if (!(prev == d)) mx::set_default_device(d);
  }
  ~DeviceGuard() {
    if (!(mx::default_device() == prev)) mx::set_default_device(prev);
  }
};

size_t sizeOfShape(const std::vector<int>& s) {
  size_t n = 1;
  for (int d : s) n *= static_cast<size_t>(d);
  return n;
}

mx::array constantArray(const Node& n, mx::Dtype dtype) {
  mx::Shape shape = toShape(n.shape);
  if (n.kind == Kind::Float) return fromHost(n.fdata.data(), shape, dtype);
  if (n.kind == Kind::Int) return mx::array(n.idata.data(), shape, mx::int32);
  std::unique_ptr<bool[]> buf(new bool[n.idata.size() > 0 ? n.idata.size() : 1]);
  for (size_t k = 0; k < n.idata.size(); ++k) buf[k] = n.idata[k] != 0;
  return mx::array(buf.get(), shape, mx::bool_);
}

// A host array (one value per element, as double) as an MLX array of the node's kind: floats in `dtype`.
mx::array givenArray(const Napi::Value& v, const Node& n, mx::Dtype dtype, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw std::invalid_argument(std::string("[debug.nodes] given.") + what + " must hold a Float64Array per node");
  auto a = v.As<Napi::Float64Array>();
  if (a.ElementLength() != sizeOfShape(n.shape))
    throw std::invalid_argument(std::string("[debug.nodes] given.") + what + ": an entry has the wrong length");
  mx::Shape shape = toShape(n.shape);
  if (n.kind == Kind::Float) return fromHost(a.Data(), shape, dtype);
  Node c = n;
  c.idata.assign(a.Data(), a.Data() + a.ElementLength());
  return constantArray(c, dtype);
}

Napi::Float64Array toJs(Napi::Env env, const mx::array& a) {
  auto out = Napi::Float64Array::New(env, a.size());
  if (a.size() > 0) copyToHost(a, out.Data());
  return out;
}

}  // namespace

// nodes(graph, { dtype, device }, q: Float64Array(dim)[, given]) →
//   { logp, grad: Float64Array(dim), values: Float64Array[] (per node), edges: (Float64Array | null)[][] }
//   (with `given`: { values, edges } of the nodes evaluated one by one)
Napi::Value DebugNodes(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsObject())
    throw std::invalid_argument("[debug.nodes] expected (graph, { dtype, device }, q)");
  Graph g = parseGraph(info[0].As<Napi::Object>());
  auto opts = info[1].As<Napi::Object>();
  std::string dts = opts.Get("dtype").IsString() ? opts.Get("dtype").As<Napi::String>().Utf8Value() : "float32";
  std::string devs = opts.Get("device").IsString() ? opts.Get("device").As<Napi::String>().Utf8Value() : "cpu";
  if (dts != "float32" && dts != "float64") throw std::invalid_argument("[debug.nodes] dtype must be 'float32' or 'float64'");
  if (devs != "cpu" && devs != "gpu") throw std::invalid_argument("[debug.nodes] device must be 'cpu' or 'gpu'");
  mx::Dtype dtype = dts == "float64" ? mx::float64 : mx::float32;
  mx::Device device(devs == "gpu" ? mx::Device::gpu : mx::Device::cpu);
  if (device.type == mx::Device::gpu && !mx::is_available(device))
    throw std::invalid_argument("[debug.nodes] device 'gpu' is not available in this MLX build");
  if (device.type == mx::Device::gpu && dtype == mx::float64)
    throw std::invalid_argument("[debug.nodes] dtype 'float64' is not supported on the GPU");
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw std::invalid_argument("[debug.nodes] q must be a Float64Array");
  auto qa = info[2].As<Napi::Float64Array>();
  if (qa.ElementLength() != static_cast<size_t>(g.dim))
    throw std::invalid_argument("[debug.nodes] q has length " + std::to_string(qa.ElementLength()) + ", expected " +
                                std::to_string(g.dim));
  DeviceGuard guard(device);
  const size_t N = g.nodes.size();

  // Leaves: one array per param node (its slice of q) and per constant.
  std::vector<int> paramIds;
  std::vector<mx::array> params;
  std::vector<mx::array> consts(N, mx::array(0.0f));
  for (size_t i = 0; i < N; ++i) {
    const Node& n = g.nodes[i];
    if (n.op == "param") {
      paramIds.push_back(static_cast<int>(i));
      params.push_back(fromHost(qa.Data() + n.offset, toShape(n.shape), dtype));
    } else if (n.op == "const") {
      consts[i] = constantArray(n, dtype);
    }
  }
  // One-node graphs: inputs become placeholder params (emitLogp hands them through unchanged), then the node.
  std::vector<Graph> single(N);
  std::vector<bool> live(N, false);  // depends on q: only such edges carry a cotangent
  // edgeId[i][k]: index of the perturbation read by input k of node i, or -1
  std::vector<std::vector<int>> edgeId(N);
  std::vector<mx::Shape> edgeShape;
  for (size_t i = 0; i < N; ++i) {
    const Node& n = g.nodes[i];
    live[i] = n.op == "param";
    edgeId[i].assign(n.inputs.size(), -1);
    if (n.op == "param" || n.op == "const") continue;
    Graph& s = single[i];
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const Node& in = g.nodes[n.inputs[k]];
      Node ph;
      ph.op = "param";
      ph.shape = in.shape;
      ph.kind = in.kind;
      s.nodes.push_back(ph);
      if (in.kind == Kind::Float && live[n.inputs[k]]) {
        edgeId[i][k] = static_cast<int>(edgeShape.size());
        edgeShape.push_back(toShape(in.shape));
      }
      if (live[n.inputs[k]] && n.kind == Kind::Float) live[i] = true;
    }
    Node copy = n;
    for (size_t k = 0; k < copy.inputs.size(); ++k) copy.inputs[k] = static_cast<int>(k);
    s.nodes.push_back(copy);
    s.output = static_cast<int>(copy.inputs.size());
  }

  if (info.Length() > 3 && info[3].IsObject()) {
    // Each node alone, on the given inputs and incoming cotangent.
    auto given = info[3].As<Napi::Object>();
    if (!given.Get("values").IsArray() || !given.Get("adjoints").IsArray())
      throw std::invalid_argument("[debug.nodes] given must be { values, adjoints }, one entry per node");
    auto gv = given.Get("values").As<Napi::Array>();
    auto ga = given.Get("adjoints").As<Napi::Array>();
    if (gv.Length() != N || ga.Length() != N) throw std::invalid_argument("[debug.nodes] given needs one entry per node");
    std::vector<mx::array> values;
    std::vector<std::vector<int>> where(N);  // where[i][k]: index into `cots` of input k's cotangent, or -1
    std::vector<mx::array> cots;
    for (size_t i = 0; i < N; ++i) {
      const Node& n = g.nodes[i];
      where[i].assign(n.inputs.size(), -1);
      if (n.op == "param") {
        values.push_back(givenArray(gv.Get(i), n, dtype, "values"));
        continue;
      }
      if (n.op == "const") {
        values.push_back(consts[i]);
        continue;
      }
      std::vector<mx::array> ins;
      for (int j : n.inputs) ins.push_back(givenArray(gv.Get(j), g.nodes[j], dtype, "values"));
      values.push_back(emitLogp(single[i], ins, {}, dtype));
      std::vector<size_t> fl;
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (edgeId[i][k] >= 0) fl.push_back(k);
      Napi::Value adj = ga.Get(i);
      if (fl.empty() || adj.IsNull() || adj.IsUndefined()) continue;
      std::vector<mx::array> primals;
      for (size_t k : fl) primals.push_back(ins[k]);
      const Graph& one = single[i];
      auto fn = [&one, &ins, &fl, dtype](const std::vector<mx::array>& x) -> std::vector<mx::array> {
        std::vector<mx::array> all = ins;
        for (size_t t = 0; t < fl.size(); ++t) all[fl[t]] = x[t];
        return {emitLogp(one, all, {}, dtype)};
      };
      auto [outs, vjps] = mx::vjp(fn, primals, {givenArray(adj, n, dtype, "adjoints")});
      for (size_t t = 0; t < fl.size(); ++t) {
        where[i][fl[t]] = static_cast<int>(cots.size());
        cots.push_back(vjps[t]);
      }
    }
    mx::eval(values);
    mx::eval(cots);
    auto result = Napi::Object::New(env);
    auto jsValues = Napi::Array::New(env, N);
    auto jsEdges = Napi::Array::New(env, N);
    for (size_t i = 0; i < N; ++i) {
      jsValues.Set(i, toJs(env, values[i]));
      auto row = Napi::Array::New(env, where[i].size());
      for (size_t k = 0; k < where[i].size(); ++k) {
        if (where[i][k] < 0) row.Set(k, env.Null());
        else row.Set(k, toJs(env, cots[where[i][k]]));
      }
      jsEdges.Set(i, row);
    }
    result.Set("values", jsValues);
    result.Set("edges", jsEdges);
    return result;
  }

  // The chain: every node emitted on its inputs' arrays; `perturb` (may be empty) is added to each live float edge.
  size_t P = params.size();
  auto chain = [&](const std::vector<mx::array>& ps, const std::vector<mx::array>* perturb) {
    std::vector<mx::array> v;
    v.reserve(N);
    size_t nextParam = 0;
    for (size_t i = 0; i < N; ++i) {
      const Node& n = g.nodes[i];
      if (n.op == "param") {
        v.push_back(ps[nextParam++]);
        continue;
      }
      if (n.op == "const") {
        v.push_back(consts[i]);
        continue;
      }
      std::vector<mx::array> ins;
      for (size_t k = 0; k < n.inputs.size(); ++k) {
        int e = edgeId[i][k];
        ins.push_back(perturb && e >= 0 ? mx::add(v[n.inputs[k]], (*perturb)[e]) : v[n.inputs[k]]);
      }
      v.push_back(emitLogp(single[i], ins, {}, dtype));
    }
    return v;
  };

  std::vector<mx::array> values = chain(params, nullptr);
  mx::eval(values);

  // Backward: vjp of logp with respect to [params…, perturbations…] at perturbations = 0.
  std::vector<mx::array> primals = params;
  for (const auto& s : edgeShape) primals.push_back(mx::zeros(s, dtype));
  auto fn = [&](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    std::vector<mx::array> ps(in.begin(), in.begin() + P);
    std::vector<mx::array> pert(in.begin() + P, in.end());
    return {chain(ps, &pert)[g.output]};
  };
  mx::array one = dtype == mx::float64 ? mx::array(1.0, mx::float64) : mx::array(1.0f);
  auto [outs, vjps] = mx::vjp(fn, primals, {one});
  mx::eval(vjps);
  mx::eval(outs);

  auto result = Napi::Object::New(env);
  double lp = 0;
  copyToHost(outs[0], &lp);
  result.Set("logp", lp);
  auto grad = Napi::Float64Array::New(env, g.dim);
  for (size_t k = 0; k < P; ++k) {
    const Node& n = g.nodes[paramIds[k]];
    std::vector<double> buf(sizeOfShape(n.shape));
    if (!buf.empty()) copyToHost(vjps[k], buf.data());
    std::copy(buf.begin(), buf.end(), grad.Data() + n.offset);
  }
  result.Set("grad", grad);
  auto jsValues = Napi::Array::New(env, N);
  auto jsEdges = Napi::Array::New(env, N);
  for (size_t i = 0; i < N; ++i) {
    jsValues.Set(i, toJs(env, values[i]));
    const Node& n = g.nodes[i];
    auto row = Napi::Array::New(env, n.inputs.size());
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      int e = edgeId[i][k];
      if (e < 0) row.Set(k, env.Null());
      else row.Set(k, toJs(env, vjps[P + e]));
    }
    jsEdges.Set(i, row);
  }
  result.Set("values", jsValues);
  result.Set("edges", jsEdges);
  return result;
}

}  // namespace mlxnuts
