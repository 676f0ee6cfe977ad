// Emits a validated graph as MLX ops for one unconstrained vector; every node's shape is checked as it is built.
#include <stdexcept>

#include "constants.h"
#include "graph.h"
#include "special.h"
#include "special_prims.h"

namespace mx = mlx::core;

namespace mlxnuts {

mx::Shape toShape(const std::vector<int>& s) { return mx::Shape(s.begin(), s.end()); }

std::vector<int> normAxes(const std::vector<int>& axes, int ndim) {
  std::vector<int> out;
  for (int a : axes) out.push_back(a < 0 ? a + ndim : a);
  return out;
}

// MLX's CPU float64 exp (and everything built on it: sigmoid, logaddexp, logsumexp) has float32 accuracy
// (MLX.md §2, issue #3047); float64 power() uses libm and is exact, so float64 exp is emitted as e^x via power.
mx::array expF(const mx::array& x) {
  if (x.dtype() != mx::float64) return mx::exp(x);
  double e = M_E;
  return mx::power(mx::array(&e, mx::Shape{}, mx::float64), x);
}

// log(e^a + e^b) = max(a, b) + log1p(e^−|a−b|), with exact float64 exp. |a−b| is taken on the same side as
// maximum's gradient (which gives a tie to b) so that the gradient at a = b is ½ each, not 0 and 1 (found by check()).
mx::array logAddExpF(const mx::array& a, const mx::array& b) {
  if (a.dtype() != mx::float64) return mx::logaddexp(a, b);
  auto m = mx::maximum(a, b);
  auto d = mx::where(mx::greater(a, b), mx::subtract(a, b), mx::subtract(b, a));
  auto safe = mx::where(mx::isnan(d), d, mx::where(mx::isinf(m), mx::zeros_like(d), d));
  return mx::add(m, mx::log1p(expF(mx::negative(safe))));
}

mx::array softplusF(const mx::array& x) { return logAddExpF(x, mx::zeros_like(x)); }

mx::array unary(const std::string& op, const mx::array& x) {
  if (op == "neg") return mx::negative(x);
  if (op == "exp") return expF(x);
  if (op == "log") return mx::log(x);
  if (op == "log1p") return mx::log1p(x);
  if (op == "expm1") return mx::expm1(x);
  if (op == "sqrt") return mx::sqrt(x);
  if (op == "square") return mx::square(x);
  if (op == "abs") return mx::abs(x);
  if (op == "sigmoid") {
    if (x.dtype() != mx::float64) return mx::sigmoid(x);
    return expF(mx::negative(softplusF(mx::negative(x))));  // σ(x) = e^{log σ(x)}
  }
  if (op == "softplus") return softplusF(x);
  if (op == "logSigmoid") return mx::negative(softplusF(mx::negative(x)));
  if (op == "tanh") return mx::tanh(x);
  // on the CPU one primitive each (special_prims.h); on a GPU built from MLX ops (special.h)
  if (op == "lgamma") return cpuSpecials() ? lgammaCpu(x) : lgamma(x);
  if (op == "digamma") return cpuSpecials() ? digammaCpu(x) : digamma(x);
  // float64 on the CPU: host math (MLX's own have float32 accuracy there); float32 keeps MLX's fusable kernels
  const bool host64 = x.dtype() == mx::float64 && cpuSpecials();
  if (op == "erf") return host64 ? erfCpu(x) : mx::erf(x);
  if (op == "sin") return host64 ? sinCpu(x) : mx::sin(x);
  if (op == "cos") return host64 ? cosCpu(x) : mx::cos(x);
  if (op == "floor") return mx::floor(x);
  if (op == "stopGradient") return mx::stop_gradient(x);
  throw std::invalid_argument("unknown unary op " + op);
}

mx::array binary(const std::string& op, const mx::array& a, const mx::array& b) {
  if (op == "add") return mx::add(a, b);
  if (op == "sub") return mx::subtract(a, b);
  if (op == "mul") return mx::multiply(a, b);
  if (op == "div") return mx::divide(a, b);
  if (op == "pow") return mx::power(a, b);
  if (op == "maximum") return mx::maximum(a, b);
  if (op == "minimum") return mx::minimum(a, b);
  if (op == "logAddExp") return logAddExpF(a, b);
  if (op == "lbeta") {
    if (cpuSpecials()) return lbetaCpu(a, b);
    // GPU: the direct difference (it loses digits when both arguments are large; the CPU primitive does not)
    return mx::subtract(mx::add(lgamma(a), lgamma(b)), lgamma(mx::add(a, b)));
  }
  if (op == "lt") return mx::less(a, b);
  if (op == "le") return mx::less_equal(a, b);
  if (op == "gt") return mx::greater(a, b);
  if (op == "ge") return mx::greater_equal(a, b);
  if (op == "eq") return mx::equal(a, b);
  if (op == "ne") return mx::not_equal(a, b);
  throw std::invalid_argument("unknown binary op " + op);
}

// Sums a float32 array in blocks of kFloat32SumBlock (constants.h; pairwise over levels): MLX's CPU float32 sum
// accumulates naively in float32 (verified on 0.32.4: 1e7 × 0.1f sums to 1087937), which would lose a long
// log-likelihood's accuracy.
// rows > 0: x is [rows, …] and each row is summed separately (the batched form).
mx::array blockedSum(const mx::array& x0, int rows) {
  constexpr int B = kFloat32SumBlock;
  const int r = rows > 0 ? rows : 1;
  auto x = mx::reshape(x0, {r, static_cast<int>(x0.size() / r)});
  while (x.shape(1) > B) {
    int n = x.shape(1);
    int pad = (B - n % B) % B;
    if (pad) x = mx::concatenate({x, mx::zeros({r, pad}, x.dtype())}, 1);
    x = mx::sum(mx::reshape(x, {r, (n + pad) / B, B}), 2);
  }
  auto s = mx::sum(x, 1);
  return rows > 0 ? s : mx::reshape(s, {});
}

mx::array reduce(const Node& n, const mx::array& x) { return reduceAxes(n, x, false); }

mx::array reduceAxes(const Node& n, const mx::array& x, bool batched) {
  const int off = batched ? 1 : 0;
  std::vector<int> axes;
  if (n.allAxes) {
    for (int k = off; k < x.ndim(); ++k) axes.push_back(k);
  } else {
    for (int a : normAxes(n.axes, x.ndim() - off)) axes.push_back(a + off);
  }
  if (axes.empty()) return x;  // reducing no axes (a scalar) is the identity
  const size_t per = batched ? x.size() / x.shape(0) : x.size();
  if (n.op == "sum" && n.allAxes && !n.keepdims && x.dtype() == mx::float32 && per > kFloat32SumBlock)
    return blockedSum(x, batched ? x.shape(0) : 0);
  if (n.op == "sum") return mx::sum(x, axes, n.keepdims);
  if (n.op == "mean") return mx::mean(x, axes, n.keepdims);
  if (n.op == "logSumExp") {
    if (x.dtype() != mx::float64) return mx::logsumexp(x, axes, n.keepdims);
    // m + log Σ e^{x−m} with m = max (held constant for the gradient), exact float64 exp; all −∞ gives −∞
    auto m = mx::stop_gradient(mx::max(x, axes, true));
    auto mf = mx::where(mx::isinf(m), mx::zeros_like(m), m);
    auto r = mx::add(mf, mx::log(mx::sum(expF(mx::subtract(x, mf)), axes, true)));
    return n.keepdims ? r : mx::squeeze(r, axes);
  }
  if (n.op == "max") return mx::max(x, axes, n.keepdims);
  throw std::invalid_argument("unknown reduction " + n.op);
}

// Constants stay inputs of the compiled function: a scalar created inside the traced function would be inlined by
// the fuser, but every distinct value then names a distinct JIT kernel, so each new model or data set pays g++
// compiles (measured: the distribution table test went from ~10 s to ~18 min on a cold kernel cache).
std::vector<mx::array> makeConstants(const Graph& g, mx::Dtype dtype) {
  // Constants the log density does not reach (the inputs of folded constants, data only a deterministic uses)
  // become zero-stride placeholders of their shape: no copy of their data is kept on the device.
  std::vector<bool> live(g.nodes.size(), false);
  if (g.output >= 0) live[g.output] = true;
  for (size_t i = g.nodes.size(); i-- > 0;)
    if (live[i])
      for (int k : g.nodes[i].inputs) live[k] = true;
  std::vector<mx::array> out;
  for (int id : g.constIds) {
    const Node& n = g.nodes[id];
    mx::Shape shape = toShape(n.shape);
    if (!live[id]) {
      mx::Dtype dt = n.kind == Kind::Float ? dtype : n.kind == Kind::Int ? mx::int32 : mx::bool_;
      out.push_back(mx::broadcast_to(mx::zeros({}, dt), shape));
      continue;
    }
    if (n.kind == Kind::Float) {
      if (dtype == mx::float64) {
        out.push_back(mx::array(n.fdata.data(), shape, mx::float64));
      } else {
        std::vector<float> f(n.fdata.begin(), n.fdata.end());
        out.push_back(mx::array(f.data(), shape, mx::float32));
      }
    } else if (n.kind == Kind::Int) {
      out.push_back(mx::array(n.idata.data(), shape, mx::int32));
    } else {
      std::vector<bool> b;
      std::unique_ptr<bool[]> buf(new bool[n.idata.size()]);
      for (size_t k = 0; k < n.idata.size(); ++k) buf[k] = n.idata[k] != 0;
      out.push_back(mx::array(buf.get(), shape, mx::bool_));
    }
  }
  return out;
}

mx::array emitLogp(const Graph& g, const std::vector<mx::array>& params, const std::vector<mx::array>& consts,
                   mx::Dtype dtype) {
  size_t nextParam = 0;
  std::vector<mx::array> v;
  v.reserve(g.nodes.size());
  size_t nextConst = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    auto in = [&](size_t k) -> const mx::array& { return v[n.inputs[k]]; };
    mx::array r = mx::array(0.0f);
    if (n.op == "param") {
      // each parameter arrives as its own input (no slicing of q at all, so no strided one-element slice: MLX #4444)
      r = params.at(nextParam++);
    } else if (n.op == "const") {
      const mx::array& c = consts.at(nextConst++);
      r = c;
    } else if (n.inputs.size() == 1 && (n.op == "neg" || n.op == "exp" || n.op == "log" || n.op == "log1p" ||
                                        n.op == "expm1" || n.op == "sqrt" || n.op == "square" || n.op == "abs" ||
                                        n.op == "sigmoid" || n.op == "softplus" || n.op == "logSigmoid" ||
                                        n.op == "tanh" || n.op == "lgamma" || n.op == "digamma" || n.op == "erf" ||
                                        n.op == "sin" || n.op == "cos" || n.op == "floor" || n.op == "stopGradient")) {
      r = unary(n.op, in(0));
    } else if (n.op == "sum" || n.op == "mean" || n.op == "logSumExp" || n.op == "max") {
      r = reduce(n, in(0));
    } else if (n.op == "where") {
      r = mx::where(in(0), in(1), in(2));
    } else if (n.op == "clamp") {
      // exact gradient: 1 strictly inside [lo, hi] and 0 outside (a library's clip gradient was wrong for a seed)
      const auto& x = in(0);
      r = mx::where(mx::less(x, in(1)), mx::broadcast_to(in(1), x.shape()),
                    mx::where(mx::greater(x, in(2)), mx::broadcast_to(in(2), x.shape()), x));
      r = mx::broadcast_to(r, toShape(n.shape));
    } else if (n.op == "cumsum") {
      r = mx::cumsum(in(0), n.axis, n.reverse, true);
    } else if (n.op == "matmul") {
      r = mx::matmul(in(0), in(1));
    } else if (n.op == "take") {
      r = mx::take(in(0), in(1), n.axis);
    } else if (n.op == "concat" || n.op == "stack") {
      std::vector<mx::array> xs;
      for (size_t k = 0; k < n.inputs.size(); ++k) xs.push_back(in(k));
      r = n.op == "concat" ? mx::concatenate(xs, n.axis) : mx::stack(xs, n.axis);
    } else if (n.op == "reshape") {
      r = mx::reshape(in(0), toShape(n.shape));
    } else if (n.op == "broadcastTo") {
      r = mx::broadcast_to(in(0), toShape(n.shape));
    } else if (n.op == "transpose") {
      r = mx::transpose(in(0), n.axes);
    } else if (n.op == "slice") {
      r = mx::slice(in(0), toShape(n.begin), toShape(n.end));
    } else if (n.inputs.size() == 2) {
      r = binary(n.op, in(0), in(1));
    } else {
      throw std::invalid_argument("[mlx-nuts native] graph node " + std::to_string(i) + " (" + n.op + "): cannot emit");
    }
    if (r.shape() != toShape(n.shape)) {
      std::string got, want;
      for (int d : r.shape()) got += std::to_string(d) + ",";
      for (int d : n.shape) want += std::to_string(d) + ",";
      throw std::invalid_argument("[mlx-nuts native] graph node " + std::to_string(i) + " (" + n.op + "): shape [" +
                                  got + "] does not match the declared [" + want + "]");
    }
    v.push_back(std::move(r));
  }
  return v[g.output];
}

}  // namespace mlxnuts
