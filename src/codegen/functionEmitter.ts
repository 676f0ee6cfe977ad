// One generated function's body: storage declarations, the forward code of each node (elementwise runs fused into
// one loop) and the reverse-mode adjoint code, in the dialect of prelude.ts.
import { EngineError } from '../base/errors.ts';
import type { GraphIR, GraphNode } from '../graph/ir.ts';
import { mmDims as mmDimsOf, sizeOf } from '../graph/shape.ts';
import { LOCAL_ELEMENTS, type Layout } from './layout.ts';
import { RegionEmitter, singlePassable, type Region, type RegionPlan } from './regions.ts';
import {
  BINARY_DER, BINARY_FWD, bindex, CLAMP_BRANCH, CLAMP_FWD, faultFactor, g, GATHER, gatherMaps, loops, REDUCE, reduceIndex,
  UNARY_DER, UNARY_FWD, v,
} from './opRules.ts';

/** An op the emitter cannot generate; sampling falls back to the MLX graph with a warning naming it. */
export class UnsupportedOpError extends EngineError {
  constructor(readonly op: string) {
    super(`[codegen] the fused engine has no code for op '${op}'`);
  }
}

/** Test-only: corrupt the derivative of one op (used to prove that `check` names a planted fault). */
export interface PlantedFault {
  readonly op: string;
  readonly scale: number;
}
export interface Fn {
  readonly decl: string[];
  readonly body: string[];
  readonly work: number;
}

const t = (k: number) => `t${k}`;

export class FunctionEmitter {
  private readonly decl: string[] = [];
  private readonly body: string[] = [];
  private work = 0;
  private readonly useLocal: boolean;
  private readonly regions: RegionEmitter;
  /** Per region root: whether it runs in one pass (singlePass). */
  private readonly onePass = new Map<number, boolean>();

  /** `plan`: reduction regions (regions.ts) whose members get no arrays; only for functions that evaluate every member. */
  constructor(private readonly ir: GraphIR, private readonly layout: Layout, private readonly live: readonly number[],
    private readonly needGrad: ReadonlySet<number>, private readonly fault?: PlantedFault, private readonly prepare = false,
    private readonly plan: RegionPlan = { byRoot: new Map(), members: new Set() }) {
    this.regions = new RegionEmitter(ir, layout, needGrad, fault);
    let total = 0;
    for (const k of live) if (!plan.members.has(k) && (this.layout.storage.get(k)!.kind === 'array' || needGrad.has(k))) total += sizeOf(ir.nodes[k]!.shape) * (needGrad.has(k) ? 2 : 1) * 2;
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
      if (this.plan.members.has(k)) continue;
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

  /** Whether region r computes its value and its adjoint in one loop (regions.ts singlePassable). */
  private singlePass(r: Region): boolean {
    // asked at the region's forward and again at its backward: decided once
    let known = this.onePass.get(r.root);
    if (known === undefined) {
      const rootOf = new Map<number, number>();
      for (const reg of this.plan.byRoot.values()) for (const m of reg.members) rootOf.set(m, reg.root);
      known = singlePassable(this.ir, this.live, this.needGrad, r, this.fault, (c) => rootOf.get(c) ?? c);
      this.onePass.set(r.root, known);
    }
    return known;
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
    else body = [`R x = ${read(0)};`, `R lo = ${read(1)};`, `R hi = ${read(2)};`, `s${k} = ${CLAMP_FWD};`];
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
      if (this.plan.members.has(k)) continue;
      const n = this.node(k);
      // a region's loop reads its members' inputs, which the open run may compute
      const reads = this.plan.byRoot.has(k) || n.inputs.some((i) => group.includes(i));
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
    const region = this.plan.byRoot.get(k);
    if (region && this.singlePass(region)) {
      const sp = this.regions.singlePass(region);
      this.decl.push(...sp.decl);
      B.push(...sp.forward);
    } else if (region) B.push(...this.regions.forward(region));
    else if (UNARY_FWD[op] !== undefined) {
      B.push(...loops(out, (ix) => [`R x = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `${v(k)}[o] = ${UNARY_FWD[op]};`], 'i'));
    } else if (BINARY_FWD[op] !== undefined) {
      B.push(...loops(out, (ix) => [`R a = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `R b = (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}];`,
        `${v(k)}[o] = ${BINARY_FWD[op]};`], 'i'));
    } else if (op === 'where') {
      B.push(...loops(out, (ix) => [`${v(k)}[o] = ${v(a0!)}[${bindex(ins[0]!, out, ix)}] ? (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}] : (R)${v(a2!)}[${bindex(ins[2]!, out, ix)}];`], 'i'));
    } else if (op === 'clamp') {
      B.push(...loops(out, (ix) => [`R x = (R)${v(a0!)}[${bindex(ins[0]!, out, ix)}];`, `R lo = (R)${v(a1!)}[${bindex(ins[1]!, out, ix)}];`,
        `R hi = (R)${v(a2!)}[${bindex(ins[2]!, out, ix)}];`, `${v(k)}[o] = ${CLAMP_FWD};`], 'i'));
    } else if (REDUCE.has(op)) this.reduceForward(k, n, ins[0]!);
    else if (op === 'matmul' && this.layout.csr.has(a0!)) {
      const [m, , nn] = mmDimsOf(ins[0]!, ins[1]!);
      const c = this.layout.csr.get(a0!)!;
      B.push(`for (int i = 0; i < ${m}; ++i) for (int j = 0; j < ${nn}; ++j) {`, `  R s = 0;`,
        `  for (int p = I[${c.rowStart} + i]; p < I[${c.rowStart} + i + 1]; ++p) s += D[${c.val} + p] * ${v(a1!)}[I[${c.col} + p] * ${nn} + j];`,
        `  ${v(k)}[i * ${nn} + j] = (R)s;`, '}');
    } else if (op === 'matmul') {
      const [m, kk, nn] = mmDimsOf(ins[0]!, ins[1]!);
      B.push(`for (int i = 0; i < ${m}; ++i) for (int j = 0; j < ${nn}; ++j) {`, `  R s = 0;`,
        `  for (int t = 0; t < ${kk}; ++t) s += ${v(a0!)}[i * ${kk} + t] * ${v(a1!)}[t * ${nn} + j];`,
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
      if (!this.needGrad.has(k) || this.plan.members.has(k)) continue;
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
    if (op === 'param' || op === 'const' || !this.needGrad.has(k) || this.plan.members.has(k)) return;
    const region = this.plan.byRoot.get(k);
    if (region) {
      this.body.push(...(this.singlePass(region) ? this.regions.singlePassBackward(region) : this.regions.backward(region)));
      return;
    }
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
    const f = faultFactor(this.fault, op);
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
        ...[0, 1, 2].filter((j) => need[j]).map((j) => `if (${CLAMP_BRANCH} == ${j}) ${g(n.inputs[j]!)}[${bindex(ins[j]!, out, ix)}] += ${g(k)}[o];`)], 'i'));
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

function lineDims(n: GraphNode): { outer: number; len: number; inner: number } {
  const ax = n.attrs!.axis!;
  const s = n.shape;
  return {
    outer: s.slice(0, ax).reduce((p, d) => p * d, 1), len: s[ax]!, inner: s.slice(ax + 1).reduce((p, d) => p * d, 1),
  };
}
