// IR → source of the model: logp with its reverse-mode gradient, and the constrained values of named nodes.
// Straight-line code per node, loops over array axes; no user string reaches the source (nodes are numbered).
import type { Dtype } from '../backend/density.ts';
import type { GraphIR, GraphNode } from '../graph/ir.ts';
import { mmDims as mmDimsOf, sizeOf } from '../graph/shape.ts';
import { ancestors, gradNodes, LOCAL_ELEMENTS, planLayout, type Layout } from './layout.ts';
import {
  BINARY_DER, BINARY_FWD, bindex, GATHER, gatherMaps, loops, REDUCE, reduceIndex, UNARY_DER, UNARY_FWD,
} from './opRules.ts';

/** An op the emitter cannot generate; sampling falls back to the MLX graph with a warning naming it. */
export class UnsupportedOpError extends Error {
  constructor(readonly op: string) {
    super(`[codegen] the fused engine has no code for op '${op}'`);
  }
}

export interface EmittedModel {
  /** Source of mn_logp_grad and mn_constrain (without prelude), and the model's constants. */
  readonly source: string;
  readonly dim: number;
  /** Number of constrained values mn_constrain writes. */
  readonly columns: number;
  /** Workspace elements (of the real type) the functions need per call. */
  readonly work: number;
  readonly dataF: Float64Array;
  readonly dataI: Int32Array;
  /** Elements after dataF in the data buffer that mn_prepare fills (parameter-independent nodes). */
  readonly preSize: number;
}

/** Test-only: corrupt the derivative of one op (used to prove that `check` names a planted fault). */
export interface PlantedFault {
  readonly op: string;
  readonly scale: number;
}

interface Fn {
  readonly decl: string[];
  readonly body: string[];
  readonly work: number;
}

const v = (k: number) => `v${k}`;
const g = (k: number) => `g${k}`;
const t = (k: number) => `t${k}`;

class FunctionEmitter {
  private readonly decl: string[] = [];
  private readonly body: string[] = [];
  private work = 0;
  private readonly useLocal: boolean;

  constructor(private readonly ir: GraphIR, private readonly layout: Layout, private readonly live: readonly number[],
    private readonly needGrad: ReadonlySet<number>, private readonly fault?: PlantedFault, private readonly prepare = false) {
    let total = 0;
    for (const k of live) if (this.layout.storage.get(k)!.kind === 'array' || needGrad.has(k)) total += sizeOf(ir.nodes[k]!.shape) * (needGrad.has(k) ? 2 : 1) * 2;
    this.useLocal = total <= LOCAL_ELEMENTS;
  }

  private array(name: string, size: number): void {
    if (this.useLocal) this.decl.push(`R ${name}[${size}];`);
    else {
      this.decl.push(`R* MN_RESTRICT ${name} = W + ${this.work};`);
      this.work += size;
    }
  }

  private declareValues(): void {
    for (const k of this.live) {
      const s = this.layout.storage.get(k)!;
      if (s.kind === 'param') this.decl.push(`const R* ${v(k)} = q + ${s.offset};`);
      else if (s.kind === 'data') this.decl.push(`const R* ${v(k)} = D + ${s.offset};`);
      else if (s.kind === 'pre') this.decl.push(this.prepare ? `R* ${v(k)} = D + ${s.offset};` : `const R* ${v(k)} = D + ${s.offset};`);
      else if (s.kind === 'idata') this.decl.push(`const int* ${v(k)} = I + ${s.offset};`);
      else if (s.kind === 'alias') this.decl.push(`auto ${v(k)} = ${v(s.of)};`);
      else this.array(v(k), s.size);
    }
  }

  private node(k: number): GraphNode {
    return this.ir.nodes[k]!;
  }

  private shapes(n: GraphNode) {
    return n.inputs.map((i) => this.node(i).shape);
  }

  /** Whether node k is an elementwise op that can join a fused loop. */
  private fusible(k: number): boolean {
    const n = this.node(k);
    const st = this.layout.storage.get(k)!;
    if (st.kind !== 'array' || (!this.prepare && st.kind !== 'array')) return false;
    return (UNARY_FWD[n.op] !== undefined || BINARY_FWD[n.op] !== undefined || n.op === 'where' || n.op === 'clamp') &&
      sizeOf(n.shape) > 1;
  }

  /** The lines of fused member k inside its group's loop: a scalar s<k> and the store of the node's value. */
  private memberLines(k: number, members: ReadonlySet<number>, ix: string[]): string[] {
    const n = this.node(k);
    const out = n.shape;
    const ins = this.shapes(n);
    const read = (j: number) => (members.has(n.inputs[j]!) ? `s${n.inputs[j]}` : `(R)${v(n.inputs[j]!)}[${bindex(ins[j]!, out, ix)}]`);
    let body: string[];
    if (UNARY_FWD[n.op] !== undefined) body = [`R x = ${read(0)};`, `s${k} = ${UNARY_FWD[n.op]};`];
    else if (BINARY_FWD[n.op] !== undefined) body = [`R a = ${read(0)};`, `R b = ${read(1)};`, `s${k} = ${BINARY_FWD[n.op]};`];
    else if (n.op === 'where') body = [`s${k} = ${read(0)} ? ${read(1)} : ${read(2)};`];
    else body = [`R x = ${read(0)};`, `R lo = ${read(1)};`, `R hi = ${read(2)};`, `s${k} = x < lo ? lo : (x > hi ? hi : x);`];
    return [`// node ${k}: ${n.op} (fused)`, `R s${k};`, '{', ...body.map((l) => '  ' + l), '}', `${v(k)}[o] = s${k};`];
  }

  /**
   * Forward code for `nodes` in order, with runs of same-shape elementwise nodes fused into one loop that keeps each
   * member's value in a register (and still stores it for the gradient). A node that does not read a member of the
   * open run is emitted before the run's loop; one that does closes the run first. Values are those of separate
   * loops exactly: only where they are kept changes.
   */
  forwardAll(nodes: readonly number[]): void {
    let group: number[] = [];
    let shape: readonly number[] = [];
    const flush = () => {
      if (group.length === 1) this.forward(group[0]!);
      else if (group.length > 1) {
        const members = new Set(group);
        const g = group;
        this.body.push(...loops(shape, (ix) => g.flatMap((k) => this.memberLines(k, members, ix)), 'i'));
      }
      group = [];
    };
    for (const k of nodes) {
      const n = this.node(k);
      const reads = n.inputs.some((i) => group.includes(i));
      if (this.fusible(k) && (group.length === 0 || (n.shape.length === shape.length && n.shape.every((d, i) => d === shape[i])))) {
        if (group.length === 0) shape = n.shape;
        group.push(k);
      } else if (this.fusible(k)) {
        flush();
        shape = n.shape;
        group.push(k);
      } else if (!reads) this.forward(k);
      else {
        flush();
        this.forward(k);
      }
    }
    flush();
  }

  forward(k: number): void {
    const n = this.node(k);
    const op = n.op;
    const out = n.shape;
    const [a0, a1, a2] = n.inputs;
    const ins = this.shapes(n);
    const B = this.body;
    B.push(`// node ${k}: ${op}`);
    if (op === 'param' || op === 'const' || op === 'reshape') return;
    if (!this.prepare && this.layout.storage.get(k)!.kind === 'pre') return;
    if (UNARY_FWD[op] !== undefined) {
      B.push(...loops(out, (ix) => [`R x = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `${v(k)}[o] = ${UNARY_FWD[op]};`], 'i'));
    } else if (BINARY_FWD[op] !== undefined) {
      B.push(...loops(out, (ix) => [`R a = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `R b = (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}];`,
        `${v(k)}[o] = ${BINARY_FWD[op]};`], 'i'));
    } else if (op === 'where') {
      B.push(...loops(out, (ix) => [`${v(k)}[o] = ${v(a0!)}[${bindex(ins[0]!, out, ix)}] ? (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}] : (R)${v(a2!)}[${bindex(ins[2]!, out, ix)}];`], 'i'));
    } else if (op === 'clamp') {
      B.push(...loops(out, (ix) => [`R x = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `R lo = (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}];`,
        `R hi = (R)${v(a2!)}[${bindex(ins[2]!, out, ix)}];`, `${v(k)}[o] = x < lo ? lo : (x > hi ? hi : x);`], 'i'));
    } else if (REDUCE.has(op)) this.reduceForward(k, n, ins[0]!);
    else if (op === 'matmul' && this.layout.csr.has(a0!)) {
      const [m, , nn] = mmDimsOf(ins[0]!, ins[1]!);
      const c = this.layout.csr.get(a0!)!;
      B.push(`for (int i = 0; i < ${m}; ++i) for (int j = 0; j < ${nn}; ++j) {`, `  double s = 0;`,
        `  for (int p = I[${c.rowStart} + i]; p < I[${c.rowStart} + i + 1]; ++p) s += (double)D[${c.val} + p] * (double)${v(a1!)}[I[${c.col} + p] * ${nn} + j];`,
        `  ${v(k)}[i * ${nn} + j] = (R)s;`, '}');
    } else if (op === 'matmul') {
      const [m, kk, nn] = mmDimsOf(ins[0]!, ins[1]!);
      B.push(`for (int i = 0; i < ${m}; ++i) for (int j = 0; j < ${nn}; ++j) {`, `  double s = 0;`,
        `  for (int t = 0; t < ${kk}; ++t) s += (double)${v(a0!)}[i * ${kk} + t] * (double)${v(a1!)}[t * ${nn} + j];`,
        `  ${v(k)}[i * ${nn} + j] = (R)s;`, '}');
    } else if (op === 'cumsum') {
      const { outer, len, inner } = lineDims(n);
      const j = n.attrs!.reverse ? `base + (${len - 1} - t) * ${inner}` : `base + t * ${inner}`;
      B.push(`for (int a = 0; a < ${outer}; ++a) for (int c = 0; c < ${inner}; ++c) {`, `  const int base = a * ${len * inner} + c;`,
        `  double s = 0;`, `  for (int t = 0; t < ${len}; ++t) { const int j = ${j}; s += ${v(a0!)}[j]; ${v(k)}[j] = (R)s; }`, '}');
    } else if (GATHER.has(op)) {
      for (const gm of gatherMaps(n, ins, (i) => v(n.inputs[i]!))) {
        B.push(...loops(gm.shape, (ix) => { const [oi, ii] = gm.at(ix); return [`${v(k)}[${oi}] = (R)${v(n.inputs[gm.input]!)}[${ii}];`]; }, 'i'));
      }
    } else throw new UnsupportedOpError(op);
  }

  private reduceForward(k: number, n: GraphNode, inp: readonly number[]): void {
    const x = v(n.inputs[0]!);
    const B = this.body;
    const { count, outSize } = reduceIndex(n, inp, inp.map((_, i) => `i${i}`));
    const ridx = (ix: string[]) => reduceIndex(n, inp, ix).idx;
    if (n.op === 'sum' || n.op === 'mean') {
      if (outSize === 1) {
        B.push('{', '  double acc = 0;', ...loops(inp, () => [`acc += ${x}[o];`], 'i').map((l) => '  ' + l),
          `  ${v(k)}[0] = (R)${n.op === 'mean' ? `(acc / ${count})` : 'acc'};`, '}');
      } else {
        B.push(`for (int r = 0; r < ${outSize}; ++r) ${v(k)}[r] = 0;`, ...loops(inp, (ix) => [`${v(k)}[${ridx(ix)}] += ${x}[o];`], 'i'));
        if (n.op === 'mean') B.push(`for (int r = 0; r < ${outSize}; ++r) ${v(k)}[r] /= ${count};`);
      }
      return;
    }
    B.push(`for (int r = 0; r < ${outSize}; ++r) ${v(k)}[r] = -MN_INF;`,
      ...loops(inp, (ix) => [`R xv = ${x}[o];`, `if (xv > ${v(k)}[${ridx(ix)}] || mn_isnan(xv)) ${v(k)}[${ridx(ix)}] = xv;`], 'i'));
    if (n.op === 'logSumExp') {
      this.array(t(k), outSize);
      B.push(`for (int r = 0; r < ${outSize}; ++r) ${t(k)}[r] = 0;`,
        ...loops(inp, (ix) => [`const int r = ${ridx(ix)};`, `R mi = ${v(k)}[r];`,
          `${t(k)}[r] += mn_isfinite(mi) ? mn_exp(${x}[o] - mi) : (${x}[o] == mi ? (R)1 : (R)0);`], 'i'),
        `for (int r = 0; r < ${outSize}; ++r) if (mn_isfinite(${v(k)}[r])) ${v(k)}[r] = ${v(k)}[r] + mn_log(${t(k)}[r]);`);
    }
  }

  /** Declares adjoints (zeroed; parameters' adjoints are the gradient output itself). */
  declareAdjoints(): void {
    for (const k of this.live) {
      if (!this.needGrad.has(k)) continue;
      const s = this.layout.storage.get(k)!;
      if (s.kind === 'param') this.body.push(`R* ${g(k)} = gq + ${s.offset};`);
      else if (s.kind === 'array' || s.kind === 'alias') {
        // a reshape's adjoint has its own array, added to its input's at its turn as the oracle does: sharing the
        // input's would interleave the additions differently and round differently
        const size = sizeOf(this.node(k).shape);
        this.array(g(k), size);
        this.body.push(`for (int z = 0; z < ${size}; ++z) ${g(k)}[z] = 0;`);
      }
    }
  }

  backward(k: number): void {
    const n = this.node(k);
    const op = n.op;
    if (op === 'param' || op === 'const' || !this.needGrad.has(k)) return;
    if (op === 'reshape') {
      if (this.needGrad.has(n.inputs[0]!)) {
        this.body.push(`// adjoint of node ${k}: reshape`, `for (int i = 0; i < ${sizeOf(n.shape)}; ++i) ${g(n.inputs[0]!)}[i] += ${g(k)}[i];`);
      }
      return;
    }
    const need = n.inputs.map((i) => this.needGrad.has(i));
    if (!need.some(Boolean)) return;
    const out = n.shape;
    const ins = this.shapes(n);
    const [a0, a1, a2] = n.inputs;
    const B = this.body;
    const f = this.fault && this.fault.op === op ? ` * (R)${this.fault.scale}` : '';
    B.push(`// adjoint of node ${k}: ${op}`);
    if (UNARY_DER[op] !== undefined) {
      B.push(...loops(out, (ix) => [`R gy = ${g(k)}[o];`, 'if (gy != 0) {', `  R x = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}]; R y = ${v(k)}[o]; (void)x; (void)y;`,
        `  ${g(a0!)}[${bindex(ins[0]!, out, ix)}] += gy * (${UNARY_DER[op]})${f};`, '}'], 'i'));
    } else if (BINARY_DER[op] !== undefined) {
      const [da, db] = BINARY_DER[op]!;
      B.push(...loops(out, (ix) => [`R gy = ${g(k)}[o];`, 'if (gy != 0) {',
        `  R a = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}]; R b = (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}]; R y = ${v(k)}[o]; (void)a; (void)b; (void)y;`,
        ...(need[0] ? [`  ${g(a0!)}[${bindex(ins[0]!, out, ix)}] += gy * (${da})${f};`] : []),
        ...(need[1] ? [`  ${g(a1!)}[${bindex(ins[1]!, out, ix)}] += gy * (${db})${f};`] : []), '}'], 'i'));
    } else if (op === 'where') {
      B.push(...loops(out, (ix) => [`if (${v(a0!)}[${bindex(ins[0]!, out, ix)}]) {`,
        ...(need[1] ? [`  ${g(a1!)}[${bindex(ins[1]!, out, ix)}] += ${g(k)}[o];`] : []), '} else {',
        ...(need[2] ? [`  ${g(a2!)}[${bindex(ins[2]!, out, ix)}] += ${g(k)}[o];`] : []), '}'], 'i'));
    } else if (op === 'clamp') {
      B.push(...loops(out, (ix) => [`R x = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `R lo = (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}];`,
        `R hi = (R)${v(a2!)}[${bindex(ins[2]!, out, ix)}];`,
        ...[0, 1, 2].filter((j) => need[j]).map((j) => `if ((x < lo ? 1 : (x > hi ? 2 : 0)) == ${j}) ${g(n.inputs[j]!)}[${bindex(ins[j]!, out, ix)}] += ${g(k)}[o];`)], 'i'));
    } else if (REDUCE.has(op)) this.reduceBackward(k, n, ins[0]!, f);
    else if (op === 'matmul' && this.layout.csr.has(a0!) && !need[0]) {
      const [m, , nn] = mmDimsOf(ins[0]!, ins[1]!);
      const c = this.layout.csr.get(a0!)!;
      B.push(`for (int i = 0; i < ${m}; ++i) for (int j = 0; j < ${nn}; ++j) {`, `  R gy = ${g(k)}[i * ${nn} + j];`, '  if (gy == 0) continue;',
        `  for (int p = I[${c.rowStart} + i]; p < I[${c.rowStart} + i + 1]; ++p) ${g(a1!)}[I[${c.col} + p] * ${nn} + j] += gy * D[${c.val} + p]${f};`, '}');
    } else if (op === 'matmul') {
      const [m, kk, nn] = mmDimsOf(ins[0]!, ins[1]!);
      B.push(`for (int i = 0; i < ${m}; ++i) for (int j = 0; j < ${nn}; ++j) {`, `  R gy = ${g(k)}[i * ${nn} + j];`, '  if (gy == 0) continue;',
        `  for (int t = 0; t < ${kk}; ++t) {`,
        ...(need[0] ? [`    ${g(a0!)}[i * ${kk} + t] += gy * ${v(a1!)}[t * ${nn} + j]${f};`] : []),
        ...(need[1] ? [`    ${g(a1!)}[t * ${nn} + j] += gy * ${v(a0!)}[i * ${kk} + t]${f};`] : []), '  }', '}');
    } else if (op === 'cumsum') {
      const { outer, len, inner } = lineDims(n);
      const j = n.attrs!.reverse ? `base + (${len - 1} - t) * ${inner}` : `base + t * ${inner}`;
      B.push(`for (int a = 0; a < ${outer}; ++a) for (int c = 0; c < ${inner}; ++c) {`, `  const int base = a * ${len * inner} + c;`,
        `  double s = 0;`, `  for (int t = ${len - 1}; t >= 0; --t) { const int j = ${j}; s += ${g(k)}[j]; ${g(a0!)}[j] += (R)s${f}; }`, '}');
    } else if (GATHER.has(op)) {
      for (const gm of gatherMaps(n, ins, (i) => v(n.inputs[i]!))) {
        if (!need[gm.input]) continue;
        B.push(...loops(gm.shape, (ix) => { const [oi, ii] = gm.at(ix); return [`${g(n.inputs[gm.input]!)}[${ii}] += ${g(k)}[${oi}]${f};`]; }, 'i'));
      }
    }
    // comparisons, floor and stopGradient pass no gradient
  }

  private reduceBackward(k: number, n: GraphNode, inp: readonly number[], f: string): void {
    const x = v(n.inputs[0]!);
    const gx = g(n.inputs[0]!);
    const { count, outSize } = reduceIndex(n, inp, inp.map((_, i) => `i${i}`));
    const ridx = (ix: string[]) => reduceIndex(n, inp, ix).idx;
    const B = this.body;
    if (n.op === 'sum') B.push(...loops(inp, (ix) => [`${gx}[o] += ${g(k)}[${ridx(ix)}]${f};`], 'i'));
    else if (n.op === 'mean') B.push(...loops(inp, (ix) => [`${gx}[o] += ${g(k)}[${ridx(ix)}] / ${count}${f};`], 'i'));
    else if (n.op === 'logSumExp') {
      B.push(...loops(inp, (ix) => [`const int r = ${ridx(ix)};`, `${gx}[o] += ${g(k)}[r] * mn_exp(${x}[o] - ${v(k)}[r])${f};`], 'i'));
    } else {
      this.array(`${t(k)}b`, outSize);
      B.push(`for (int r = 0; r < ${outSize}; ++r) ${t(k)}b[r] = 0;`,
        ...loops(inp, (ix) => [`const int r = ${ridx(ix)};`, `if (${t(k)}b[r] == 0 && ${x}[o] == ${v(k)}[r]) { ${t(k)}b[r] = 1; ${gx}[o] += ${g(k)}[r]${f}; }`], 'i'));
    }
  }

  finish(): Fn {
    this.declareValues();
    return { decl: this.decl, body: this.body, work: this.work };
  }
}

/** Offset of each node's values in the flat per-node buffers of the debug entry point (row-major, node order). */
export function nodeOffsets(ir: GraphIR): number[] {
  let o = 0;
  return ir.nodes.map((n) => {
    const at = o;
    o += sizeOf(n.shape);
    return at;
  });
}

function lineDims(n: GraphNode): { outer: number; len: number; inner: number } {
  const ax = n.attrs!.axis!;
  const s = n.shape;
  return {
    outer: s.slice(0, ax).reduce((p, d) => p * d, 1), len: s[ax]!, inner: s.slice(ax + 1).reduce((p, d) => p * d, 1),
  };
}

function indent(lines: string[]): string {
  return lines.map((l) => '  ' + l).join('\n');
}

/**
 * The model as source: `mn_logp_grad_r(q, gq, D, I, W)` returns logp and writes the gradient, `mn_constrain_r(q, out,
 * D, I, W)` writes the values of `named` nodes in order. Both work in the real type R of `dtype`.
 */
export function emitModel(ir: GraphIR, named: readonly number[], dtype: Dtype, fault?: PlantedFault, debug = false): EmittedModel {
  const out = ir.output;
  const layout = planLayout(ir, [out, ...named]);
  // logp and gradient
  const liveL = ancestors(ir, [out]);
  const needGrad = gradNodes(ir, liveL);
  const fl = new FunctionEmitter(ir, layout, liveL, needGrad, fault);
  fl.forwardAll(liveL);
  fl.declareAdjoints();
  if (needGrad.has(out)) fl['body'].push(`${g(out)}[0] = 1;`);
  for (let i = liveL.length - 1; i >= 0; i--) fl.backward(liveL[i]!);
  const L = fl.finish();
  // debug: the same computation, then every live node's value and adjoint copied out (offsets: nodeOffsets(ir))
  let debugFn = '';
  if (debug) {
    const liveAll = ancestors(ir, [out, ...named]);
    const fd = new FunctionEmitter(ir, layout, liveAll, needGrad, fault);
    fd.forwardAll(liveAll);
    fd.declareAdjoints();
    if (needGrad.has(out)) fd['body'].push(`${g(out)}[0] = 1;`);
    for (let i = liveL.length - 1; i >= 0; i--) fd.backward(liveL[i]!);
    const offs = nodeOffsets(ir);
    for (const k of liveAll) {
      const n = sizeOf(ir.nodes[k]!.shape);
      fd['body'].push(`for (int i = 0; i < ${n}; ++i) vals[${offs[k]} + i] = (double)${v(k)}[i];`);
      if (needGrad.has(k)) fd['body'].push(`for (int i = 0; i < ${n}; ++i) adjs[${offs[k]} + i] = (double)${g(k)}[i];`);
    }
    const Dd = fd.finish();
    debugFn = `
DEVICE double mn_debug_nodes_r(const R* MN_RESTRICT q, R* MN_RESTRICT gq, const R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W, double* vals, double* adjs) {
  (void)D; (void)I; (void)W;
  for (int i = 0; i < MN_DIM; ++i) gq[i] = 0;
${indent(Dd.decl)}
${indent(Dd.body)}
  return (double)${v(out)}[0];
}
`;
  }
  // constrained values
  const liveC = ancestors(ir, named);
  const fc = new FunctionEmitter(ir, layout, liveC, new Set());
  fc.forwardAll(liveC);
  const C = fc.finish();
  let col = 0;
  const copies = named.map((k) => {
    const n = sizeOf(ir.nodes[k]!.shape);
    const line = `for (int i = 0; i < ${n}; ++i) out[${col} + i] = (double)${v(k)}[i];`;
    col += n;
    return line;
  });
  // parameter-independent nodes, once per data set
  const fp = new FunctionEmitter(ir, layout, layout.pre.length ? ancestors(ir, layout.pre) : [], new Set(), undefined, true);
  for (const k of layout.pre) fp.forward(k);
  const P = fp.finish();
  const R = dtype === 'float64' ? 'double' : 'float';
  const source = `
typedef ${R} R;
#define MN_DIM ${ir.dim}
#define MN_COLUMNS ${col}
DEVICE void mn_prepare_r(R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W) {
  (void)D; (void)I; (void)W;
${indent(P.decl)}
${indent(P.body)}
}
DEVICE double mn_logp_grad_r(const R* MN_RESTRICT q, R* MN_RESTRICT gq, const R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W) {
  (void)D; (void)I; (void)W;
  for (int i = 0; i < MN_DIM; ++i) gq[i] = 0;
${indent(L.decl)}
${indent(L.body)}
  return (double)${v(out)}[0];
}
${debugFn}
DEVICE void mn_constrain_r(const R* MN_RESTRICT q, double* MN_RESTRICT out, const R* MN_RESTRICT D, const int* MN_RESTRICT I, R* MN_RESTRICT W) {
  (void)q; (void)D; (void)I; (void)W;
${indent(C.decl)}
${indent(C.body)}
${indent(copies)}
}
`;
  return {
    source, dim: ir.dim, columns: col, work: Math.max(L.work, C.work, P.work), dataF: layout.dataF, dataI: layout.dataI,
    preSize: layout.preSize,
  };
}
