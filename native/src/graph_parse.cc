// Reads the graph IR from JS values and validates it: unknown ops, bad ids, bad shapes and bad indices throw.
#include <set>
#include <stdexcept>

#include "graph.h"

namespace mlxnuts {

namespace {

const std::set<std::string> kUnary = {"neg",  "exp",       "log",      "log1p", "expm1", "sqrt",   "square",
                                      "abs",  "sigmoid",   "logSigmoid", "softplus", "tanh", "lgamma", "digamma",
                                      "erf",  "sin",       "cos",      "floor", "stopGradient"};
const std::set<std::string> kBinary = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "logAddExp", "lbeta"};
const std::set<std::string> kCompare = {"lt", "le", "gt", "ge", "eq", "ne"};
const std::set<std::string> kReduce = {"sum", "mean", "logSumExp", "max"};
const std::set<std::string> kOther = {"param", "const", "where", "cumsum", "matmul", "take", "clamp",
                                      "concat", "stack", "reshape", "broadcastTo", "transpose", "slice"};

[[noreturn]] void bad(size_t i, const std::string& op, const std::string& msg) {
  throw std::invalid_argument("[mlx-nuts native] graph node " + std::to_string(i) + " (" + op + "): " + msg);
}

std::vector<int> intList(const Napi::Value& v, size_t i, const std::string& op, const char* what) {
  std::vector<int> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) bad(i, op, std::string(what) + " must be an array of integers");
  auto arr = v.As<Napi::Array>();
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value e = arr.Get(k);
    if (!e.IsNumber()) bad(i, op, std::string(what) + " must hold integers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (d != static_cast<int>(d)) bad(i, op, std::string(what) + " must hold integers");
    out.push_back(static_cast<int>(d));
  }
  return out;
}

int64_t sizeOf(const std::vector<int>& shape) {
  int64_t s = 1;
  for (int d : shape) s *= d;
  return s;
}

}  // namespace

Graph parseGraph(const Napi::Object& obj) {
  Graph g;
  if (!obj.Get("nodes").IsArray()) throw std::invalid_argument("[mlx-nuts native] graph.nodes must be an array");
  if (!obj.Get("output").IsNumber()) throw std::invalid_argument("[mlx-nuts native] graph.output must be a node id");
  if (!obj.Get("dim").IsNumber()) throw std::invalid_argument("[mlx-nuts native] graph.dim must be a number");
  g.dim = obj.Get("dim").As<Napi::Number>().Int32Value();
  if (g.dim < 0) throw std::invalid_argument("[mlx-nuts native] graph.dim must be >= 0");
  auto nodes = obj.Get("nodes").As<Napi::Array>();
  for (uint32_t i = 0; i < nodes.Length(); ++i) {
    if (!nodes.Get(i).IsObject()) bad(i, "?", "node is not an object");
    auto o = nodes.Get(i).As<Napi::Object>();
    Node n;
    if (!o.Get("op").IsString()) bad(i, "?", "op must be a string");
    n.op = o.Get("op").As<Napi::String>().Utf8Value();
    if (!kUnary.count(n.op) && !kBinary.count(n.op) && !kCompare.count(n.op) && !kReduce.count(n.op) &&
        !kOther.count(n.op))
      bad(i, n.op, "unknown op");
    n.inputs = intList(o.Get("inputs"), i, n.op, "inputs");
    for (int in : n.inputs)
      if (in < 0 || in >= static_cast<int>(i)) bad(i, n.op, "input id " + std::to_string(in) + " is not an earlier node");
    n.shape = intList(o.Get("shape"), i, n.op, "shape");
    for (int d : n.shape)
      if (d < 0) bad(i, n.op, "negative dimension in shape");
    std::string kind = o.Get("dtype").IsString() ? o.Get("dtype").As<Napi::String>().Utf8Value() : "float";
    if (kind == "float") n.kind = Kind::Float;
    else if (kind == "int") n.kind = Kind::Int;
    else if (kind == "bool") n.kind = Kind::Bool;
    else bad(i, n.op, "dtype must be float, int or bool");
    Napi::Value attrs = o.Get("attrs");
    Napi::Object a = attrs.IsObject() ? attrs.As<Napi::Object>() : Napi::Object::New(obj.Env());
    auto num = [&](const char* k, int def) {
      Napi::Value v = a.Get(k);
      return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : def;
    };
    n.offset = num("offset", 0);
    n.axis = num("axis", 0);
    n.reverse = a.Get("reverse").IsBoolean() && a.Get("reverse").As<Napi::Boolean>().Value();
    n.keepdims = a.Get("keepdims").IsBoolean() && a.Get("keepdims").As<Napi::Boolean>().Value();
    Napi::Value axes = a.Get("axes");
    n.allAxes = axes.IsUndefined() || axes.IsNull();
    n.axes = n.allAxes ? std::vector<int>{} : intList(axes, i, n.op, "axes");
    if (n.op == "transpose") n.axes = intList(a.Get("perm"), i, n.op, "perm");
    n.begin = intList(a.Get("begin"), i, n.op, "begin");
    n.end = intList(a.Get("end"), i, n.op, "end");

    size_t arity = kUnary.count(n.op) ? 1 : (kBinary.count(n.op) || kCompare.count(n.op)) ? 2 : kReduce.count(n.op) ? 1 : 0;
    if (arity && n.inputs.size() != arity) bad(i, n.op, "expects " + std::to_string(arity) + " input(s)");
    if (n.op == "param") {
      if (!n.inputs.empty()) bad(i, n.op, "takes no inputs");
      if (n.offset < 0 || n.offset + sizeOf(n.shape) > g.dim)
        bad(i, n.op, "slice [" + std::to_string(n.offset) + ", " + std::to_string(n.offset + sizeOf(n.shape)) +
                         ") is outside the unconstrained vector of length " + std::to_string(g.dim));
    } else if (n.op == "const") {
      Napi::Value d = o.Get("data");
      int64_t want = sizeOf(n.shape);
      if (d.IsTypedArray()) {
        auto ta = d.As<Napi::TypedArray>();
        if (static_cast<int64_t>(ta.ElementLength()) != want)
          bad(i, n.op, "data has " + std::to_string(ta.ElementLength()) + " values but shape needs " + std::to_string(want));
        if (ta.TypedArrayType() == napi_float64_array) {
          auto f = d.As<Napi::Float64Array>();
          n.fdata.assign(f.Data(), f.Data() + f.ElementLength());
        } else if (ta.TypedArrayType() == napi_int32_array) {
          auto f = d.As<Napi::Int32Array>();
          n.idata.assign(f.Data(), f.Data() + f.ElementLength());
        } else {
          bad(i, n.op, "data must be a Float64Array or an Int32Array");
        }
      } else {
        bad(i, n.op, "data must be a typed array");
      }
      if (n.kind == Kind::Float && n.fdata.empty() && want > 0) bad(i, n.op, "a float constant needs Float64Array data");
      if (n.kind != Kind::Float && n.idata.empty() && want > 0) bad(i, n.op, "an int/bool constant needs Int32Array data");
      g.constIds.push_back(static_cast<int>(i));
    } else if (n.op == "where" && n.inputs.size() != 3) {
      bad(i, n.op, "expects 3 inputs");
    } else if (n.op == "clamp" && n.inputs.size() != 3) {
      bad(i, n.op, "expects 3 inputs (x, lo, hi)");
    } else if ((n.op == "matmul" || n.op == "take") && n.inputs.size() != 2) {
      bad(i, n.op, "expects 2 inputs");
    } else if ((n.op == "cumsum" || n.op == "reshape" || n.op == "broadcastTo" || n.op == "transpose" ||
                n.op == "slice") && n.inputs.size() != 1) {
      bad(i, n.op, "expects 1 input");
    } else if ((n.op == "concat" || n.op == "stack") && n.inputs.empty()) {
      bad(i, n.op, "expects at least 1 input");
    }
    if (n.op == "take") {
      const Node& idx = g.nodes[n.inputs[1]];
      const Node& src = g.nodes[n.inputs[0]];
      if (idx.kind != Kind::Int) bad(i, n.op, "indices must be an int node");
      int ax = n.axis < 0 ? n.axis + static_cast<int>(src.shape.size()) : n.axis;
      if (ax < 0 || ax >= static_cast<int>(src.shape.size())) bad(i, n.op, "axis out of range");
      if (idx.op == "const")
        for (int32_t v : idx.idata)
          if (v < 0 || v >= src.shape[ax])
            bad(i, n.op, "index " + std::to_string(v) + " is out of range for axis of length " + std::to_string(src.shape[ax]));
    }
    g.nodes.push_back(std::move(n));
  }
  g.output = obj.Get("output").As<Napi::Number>().Int32Value();
  if (g.output < 0 || g.output >= static_cast<int>(g.nodes.size())) throw std::invalid_argument("[mlx-nuts native] graph.output is not a node id");
  if (!g.nodes[g.output].shape.empty()) throw std::invalid_argument("[mlx-nuts native] graph.output must be a scalar node");
  return g;
}

}  // namespace mlxnuts
