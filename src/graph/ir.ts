// The graph IR: typed nodes with static shapes, appended in topological order by the tracing API.
import { ModelError } from '../base/errors.ts';
import { sizeOf, type Shape } from './shape.ts';
import { recordSite } from './source.ts';

export type NodeDtype = 'float' | 'int' | 'bool';

export const UNARY_OPS = [
  'neg', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'square', 'abs', 'sigmoid', 'logSigmoid', 'softplus', 'tanh',
  'lgamma', 'digamma', 'erf', 'sin', 'cos', 'floor', 'stopGradient',
] as const;
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'logAddExp', 'lbeta'] as const;
export const COMPARE_OPS = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const;
export const REDUCE_OPS = ['sum', 'mean', 'logSumExp', 'max'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type CompareOp = (typeof COMPARE_OPS)[number];
export type ReduceOp = (typeof REDUCE_OPS)[number];
export type Op = UnaryOp | BinaryOp | CompareOp | ReduceOp | 'param' | 'const' | 'where' | 'cumsum' | 'matmul' |
  'take' | 'clamp' | 'concat' | 'stack' | 'reshape' | 'broadcastTo' | 'transpose' | 'slice';

export interface NodeAttrs {
  offset?: number; // param: start in the unconstrained vector
  axes?: number[] | null; // reductions: null = all axes
  keepdims?: boolean;
  axis?: number; // cumsum / take / concat / stack
  reverse?: boolean; // cumsum
  perm?: number[]; // transpose
  begin?: number[]; // slice (unit stride)
  end?: number[];
}

export interface GraphNode {
  readonly op: Op;
  readonly inputs: readonly number[];
  readonly shape: Shape;
  readonly dtype: NodeDtype;
  readonly attrs?: NodeAttrs;
  readonly data?: Float64Array | Int32Array; // const nodes: float → Float64Array, int/bool → Int32Array
  /** `file:line:col` of the model code that created the node (a lazy, non-enumerable getter; see source.ts). */
  readonly src?: string;
}

/** The serialised form handed to a backend: nodes, the scalar log-density node and the unconstrained length. */
export interface GraphIR {
  readonly nodes: readonly GraphNode[];
  readonly output: number;
  readonly dim: number;
}

/** Append-only node list with the running length of the unconstrained vector. */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  dim = 0;

  add(node: GraphNode): number {
    for (const i of node.inputs) {
      if (!(i >= 0 && i < this.nodes.length)) throw new Error(`[graph] input ${i} of a ${node.op} node is not an earlier node`);
    }
    recordSite(node);
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  /** Reserves `shape`'s worth of the unconstrained vector and returns a param node reading it. */
  param(shape: Shape): number {
    const offset = this.dim;
    this.dim += sizeOf(shape);
    return this.add({ op: 'param', inputs: [], shape: [...shape], dtype: 'float', attrs: { offset } });
  }

  toIR(output: number): GraphIR {
    return { nodes: this.nodes, output, dim: this.dim };
  }
}

let active: GraphBuilder | null = null;

/** Runs `fn` with `g` as the graph that constants and new nodes go to. */
export function withBuilder<T>(g: GraphBuilder, fn: () => T): T {
  const prev = active;
  active = g;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

export function activeBuilder(fn: string): GraphBuilder {
  if (!active) throw new ModelError(`[${fn}] must be called while a model is being built (inside model(name, (m) => ...))`);
  return active;
}
