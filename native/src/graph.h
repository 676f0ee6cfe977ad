// The graph IR as the addon sees it: parsed from JS, validated, then emitted as MLX ops.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mlx/mlx.h"

namespace mlxnuts {

enum class Kind { Float, Int, Bool };

struct Node {
  std::string op;
  std::vector<int> inputs;
  std::vector<int> shape;
  Kind kind = Kind::Float;
  // attributes (meaning depends on op)
  int offset = 0;                 // param
  std::vector<int> axes;          // sum/mean/logSumExp (empty + allAxes = all), transpose perm
  bool allAxes = false;
  bool keepdims = false;
  int axis = 0;                   // cumsum/take/concat/stack
  bool reverse = false;           // cumsum
  std::vector<int> begin, end;    // slice (unit stride only)
  std::vector<double> fdata;      // const (float)
  std::vector<int32_t> idata;     // const (int / bool)
};

struct Graph {
  std::vector<Node> nodes;
  int output = -1;
  int dim = 0;
  std::vector<int> constIds;  // nodes that are constants, in order: they become compiled-function inputs
};

// Parses and validates a graph passed from JS; throws std::invalid_argument with a message naming the node.
Graph parseGraph(const Napi::Object& obj);

// Emits the graph for one point: params holds one array per param node (in node order, shaped as the node);
// consts are the constant arrays in constIds order.
mlx::core::array emitLogp(const Graph& g, const std::vector<mlx::core::array>& params,
                          const std::vector<mlx::core::array>& consts, mlx::core::Dtype dtype);

// The same graph with a leading batch axis of `chains` on every parameter (no vmap): returns logp [chains].
mlx::core::array emitLogpBatched(const Graph& g, const std::vector<mlx::core::array>& params,
                                 const std::vector<mlx::core::array>& consts, mlx::core::Dtype dtype, int chains);

// Building blocks shared by both emitters (graph_emit.cc).
mlx::core::Shape toShape(const std::vector<int>& s);
std::vector<int> normAxes(const std::vector<int>& axes, int ndim);
mlx::core::array unary(const std::string& op, const mlx::core::array& x);
mlx::core::array binary(const std::string& op, const mlx::core::array& a, const mlx::core::array& b);
mlx::core::array reduceAxes(const Node& n, const mlx::core::array& x, bool batched);

// Builds the constant arrays of a graph in the given float dtype.
std::vector<mlx::core::array> makeConstants(const Graph& g, mlx::core::Dtype dtype);

}  // namespace mlxnuts
