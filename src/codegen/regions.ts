// Reduction regions: a full sum (or mean) and the elementwise, matmul and gather nodes that only it consumes, as one
// loop whose per-element values stay in registers. The forward loop accumulates the sum; the adjoint loop recomputes the members'
// values of each element and passes the sum's adjoint back through them into the inputs' adjoints. No member has an
// array, so a likelihood over N observations needs no N-element workspace (on the GPU, one thread per chain kept its
// arrays in local memory: for logistic, 14 arrays of 500 per gradient). The arithmetic of each element is that of the
// unfused code (functionEmitter.ts), in the same order per adjoint; only the interleaving of adjoint additions across
// elements can differ, where an input outside the region is read by two members.
import type { GraphIR, GraphNode } from '../graph/ir.ts';
import { mmDims, sameShape, sizeOf, stridesOf, type Shape } from '../graph/shape.ts';
import { gradNodes, type Layout } from './layout.ts';
import { BINARY_DER, BINARY_FWD, bindex, CLAMP_BRANCH, CLAMP_FWD, faultFactor, g, gatherMaps, UNARY_DER, UNARY_FWD, UNARY_SHARED, v } from './opRules.ts';

export interface Region {
  /** The sum or mean node whose value the region computes. */
  readonly root: number;
  /** Members in topological order (the root's input last). */
  readonly members: readonly number[];
  /** The shape every member has: the root's input shape. */
  readonly shape: Shape;
}

export interface RegionPlan {
  readonly byRoot: ReadonlyMap<number, Region>;
  readonly members: ReadonlySet<number>;
}

const GATHERS = new Set(['take', 'broadcastTo', 'slice', 'transpose']);
/**
 * Adjoint buffers of a single-pass region (RegionEmitter.singlePass) up to this many elements in all: they live through
 * the whole gradient function (registers or local memory on the GPU), where the two-pass loop's live only in its block.
 */
export const SINGLE_PASS_ELEMENTS = 256;
/** Member ops (besides the unary ones) that may sit inside a where's branch (RegionEmitter.branches): one register each. */
const LAZY = new Set([...Object.keys(BINARY_FWD), 'where', 'clamp']);

/**
 * Which regions to fuse: every one (the GPU, where per-element arrays live in slow local memory), those that compute
 * in one pass (singlePassable) or whose adjoint loop recomputes cheaply (the C++ target: no matmul, at most one
 * transcendental op per element — measured on this machine, `bench/regions.ts`: with two passes, logistic's
 * recomputed dot products ran 0.89× and sv's three transcendentals 0.76× the unfused code; in one pass 1.52× and 1.24×,
 * simple 1.99×, medium 2.05×, stress 1.90×: bench/results/2026-11-30-regions-singlepass-vm.md), or none.
 */
export type RegionPolicy = 'all' | 'cheap' | 'none';
const TRANSCENDENTAL = new Set(['exp', 'log', 'log1p', 'expm1', 'sqrt', 'sigmoid', 'logSigmoid', 'softplus', 'tanh', 'lgamma',
  'digamma', 'erf', 'sin', 'cos', 'pow', 'logAddExp', 'lbeta']);

function cheap(ir: GraphIR, members: readonly number[]): boolean {
  const ops = members.map((k) => ir.nodes[k]!.op);
  return !ops.includes('matmul') && ops.filter((op) => TRANSCENDENTAL.has(op)).length <= 1;
}

function memberOp(n: GraphNode): boolean {
  return UNARY_FWD[n.op] !== undefined || BINARY_FWD[n.op] !== undefined || n.op === 'where' || n.op === 'clamp' ||
    n.op === 'matmul' || GATHERS.has(n.op);
}

/**
 * The regions of the nodes `live` (topological order) evaluate: for each full sum/mean of an array of 2 or more
 * elements, the computed nodes of the same shape that feed only it or other members (matmul and gather sources stay
 * outside: they are read at other indices).
 */
export function findRegions(ir: GraphIR, layout: Layout, live: readonly number[], policy: RegionPolicy = 'all'): RegionPlan {
  const consumers = new Map<number, number[]>();
  for (const k of live) for (const i of ir.nodes[k]!.inputs) (consumers.get(i) ?? consumers.set(i, []).get(i)!).push(k);
  const byRoot = new Map<number, Region>();
  const all = new Set<number>();
  let grads: Set<number> | undefined;
  const needGrad = () => (grads ??= gradNodes(ir, live));
  for (const root of live) {
    const r = ir.nodes[root]!;
    if ((r.op !== 'sum' && r.op !== 'mean') || r.inputs.length !== 1) continue;
    const x0 = r.inputs[0]!;
    const shape = ir.nodes[x0]!.shape;
    const axes = r.attrs?.axes;
    if (sizeOf(shape) < 2 || (axes && axes.length !== shape.length)) continue;
    const candidate = (k: number, set: Set<number>) => {
      const n = ir.nodes[k]!;
      return !all.has(k) && !set.has(k) && k !== ir.output && layout.storage.get(k)?.kind === 'array' && memberOp(n) &&
        sameShape(n.shape, shape) && (consumers.get(k) ?? []).every((c) => c === root || set.has(c));
    };
    const members = new Set<number>();
    if (!candidate(x0, members)) continue;
    members.add(x0);
    for (let grown = true; grown;) {
      grown = false;
      for (const m of [...members]) {
        const n = ir.nodes[m]!;
        if (n.op === 'matmul' || GATHERS.has(n.op)) continue;
        for (const i of n.inputs) if (candidate(i, members)) { members.add(i); grown = true; }
      }
    }
    const list = [...members].sort((a, b) => a - b);
    const region = { root, members: list, shape };
    if (policy === 'none' || (policy === 'cheap' && !cheap(ir, list) && !singlePassable(ir, live, needGrad(), region))) continue;
    byRoot.set(root, region);
    for (const m of list) all.add(m);
  }
  return { byRoot, members: all };
}

/** Inputs outside the region whose adjoints the region adds to, in node order. */
function outsideInputs(ir: GraphIR, needGrad: ReadonlySet<number>, r: Region): number[] {
  const set = new Set(r.members);
  const out = new Set<number>();
  for (const k of r.members) {
    const n = ir.nodes[k]!;
    const takes = n.op === 'matmul' ? [0, 1] : GATHERS.has(n.op) ? [0] : n.inputs.map((_, j) => j);
    for (const j of takes) {
      const i = n.inputs[j]!;
      if (!set.has(i) && needGrad.has(i)) out.add(i);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Whether region r computes its value and its adjoint in one loop (RegionEmitter.singlePass): the root's adjoint is
 * exactly 1 (its only path to the output is scalar adds, no planted fault on add), no other consumer of an outside
 * input whose adjoint it adds to has its adjoint taken before the root's (so that adjoint is still 0 when the backward
 * pass reaches the root; `at(c)` is where consumer c's adjoint is taken: its region's root for a member of another
 * region, else c), and the adjoint buffers hold at most SINGLE_PASS_ELEMENTS.
 */
export function singlePassable(ir: GraphIR, live: readonly number[], needGrad: ReadonlySet<number>, r: Region,
  fault?: { readonly op: string }, at: (c: number) => number = (c) => c): boolean {
  const ext = outsideInputs(ir, needGrad, r);
  if (!needGrad.has(r.root) || fault?.op === 'add' || ext.reduce((t, i) => t + sizeOf(ir.nodes[i]!.shape), 0) > SINGLE_PASS_ELEMENTS) return false;
  const liveSet = new Set(live);
  const consumers = (i: number) => ir.nodes.flatMap((n, c) => (liveSet.has(c) && n.inputs.includes(i) ? [c] : []));
  for (let k = r.root; k !== ir.output;) {
    const cs = consumers(k);
    const c = cs.length === 1 ? ir.nodes[cs[0]!]! : undefined;
    if (!c || c.op !== 'add' || c.inputs.filter((i) => i === k).length !== 1 || sizeOf(c.shape) !== 1) return false;
    k = cs[0]!;
  }
  const members = new Set(r.members);
  for (const k of r.members) {
    for (const i of ir.nodes[k]!.inputs) if (!members.has(i) && needGrad.has(i) && consumers(i).some((c) => !members.has(c) && at(c) > r.root)) return false;
  }
  return true;
}

/** A loop over the elements of `shape` this lane takes, in row-major order: flat index o, loop variables i0… */
function laneLoop(shape: Shape, body: (ix: string[]) => string[]): string[] {
  const st = stridesOf(shape);
  const ix = shape.map((_, d) => `i${d}`);
  const vars = shape.length === 1 ? ['const int i0 = o;'] : shape.map((dim, d) => `const int ${ix[d]} = (o / ${st[d]}) % ${dim};`);
  return [`for (int o = MN_LANE; o < ${sizeOf(shape)}; o += MN_LANES) {`, ...[...vars, ...body(ix)].map((l) => '  ' + l), '}'];
}

/** A sparse matrix's index array at offset `at` of I, entry `idx`, through MN_LDG; csrRow: the loop over row mi<k>. */
const csr = (at: number, idx: string): string => `MN_LDG(&I[${at} + ${idx}])`;
const csrRow = (c: { rowStart: number }, k: number): string => `for (int p = ${csr(c.rowStart, `mi${k}`)}; p < ${csr(c.rowStart, `mi${k} + 1`)}; ++p)`;

/** Emits a region's loops: the root's value (forward) and the adjoints of the inputs outside it (backward). */
export class RegionEmitter {
  constructor(private readonly ir: GraphIR, private readonly layout: Layout, private readonly needGrad: ReadonlySet<number>,
    private readonly fault?: { op: string; scale: number }) {}

  private node(k: number): GraphNode {
    return this.ir.nodes[k]!;
  }

  /**
   * Whether node k is data no launch changes (data, precomputed, integer data, or a reshape of these), read through
   * MN_LDG: on the GPU `__ldg`, where plain reads compiled to generic loads (device seconds at 65,536 chains, one call:
   * logistic 6.50 and 4.87, stress 3.90 and 2.91; bench/results/2026-11-30j-gpu-h200.md). */
  private isData(k: number): boolean {
    const s = this.layout.storage.get(k);
    if (s?.kind === 'alias') return this.isData(s.of);
    return s?.kind === 'data' || s?.kind === 'pre' || s?.kind === 'idata';
  }

  /** Node k's array at index `idx`, data through MN_LDG (in the values and in the adjoints). */
  private at(k: number, idx: string): string {
    return this.isData(k) ? `MN_LDG(&${v(k)}[${idx}])` : `${v(k)}[${idx}]`;
  }

  /** A member's input j: its register when it is a member, else its array at this element. */
  private read(r: Region, set: ReadonlySet<number>, k: number, j: number, ix: string[]): string {
    const i = this.node(k).inputs[j]!;
    return set.has(i) ? `s${i}` : `(R)${this.at(i, bindex(this.node(i).shape, r.shape, ix))}`;
  }

  /** Loop variables of a gather's map, from the flat index o. */
  private gatherAt(k: number): { lines: string[]; at: [string, string] } {
    const n = this.node(k);
    const gm = gatherMaps(n, n.inputs.map((i) => this.node(i).shape), (j) => v(n.inputs[j]!))[0]!;
    const st = stridesOf(gm.shape);
    const names = gm.shape.map((_, d) => `x${k}_${d}`);
    const lines = gm.shape.map((dim, d) => `const int ${names[d]} = (o / ${st[d]}) % ${dim};`);
    const at = gm.at(names);
    if (at[0] !== 'o') throw new Error(`[codegen] region member ${k} (${n.op}) writes out of order`);
    return { lines, at };
  }

  private matmulDims(k: number): { m: number; kk: number; nn: number; lines: string[] } {
    const n = this.node(k);
    const [m, kk, nn] = mmDims(this.node(n.inputs[0]!).shape, this.node(n.inputs[1]!).shape);
    return { m, kk, nn, lines: [`const int mi${k} = o / ${nn};`, `const int mj${k} = o % ${nn};`] };
  }

  /** The lines that compute member k's value of element o into the register s<k>. */
  private value(r: Region, set: ReadonlySet<number>, k: number, ix: string[]): string[] {
    const n = this.node(k);
    const rd = (j: number) => this.read(r, set, k, j, ix);
    const shared = UNARY_SHARED[n.op];
    if (shared) return [`R s${k};`, `R e${k};`, `{ R x = ${rd(0)}; R e = ${shared[0]}; e${k} = e; s${k} = ${shared[1]}; }`];
    if (UNARY_FWD[n.op] !== undefined) return [`R s${k};`, `{ R x = ${rd(0)}; s${k} = ${UNARY_FWD[n.op]}; }`];
    if (BINARY_FWD[n.op] !== undefined) return [`R s${k};`, `{ R a = ${rd(0)}; R b = ${rd(1)}; s${k} = ${BINARY_FWD[n.op]}; }`];
    if (n.op === 'where') return [`R s${k} = ${rd(0)} ? ${rd(1)} : ${rd(2)};`];
    if (n.op === 'clamp') return [`R s${k};`, `{ R x = ${rd(0)}; R lo = ${rd(1)}; R hi = ${rd(2)}; s${k} = ${CLAMP_FWD}; }`];
    if (n.op === 'matmul') {
      const { kk, nn, lines } = this.matmulDims(k);
      const [A, B] = n.inputs as [number, number];
      const c = this.layout.csr.get(A);
      const sum = c
        ? `${csrRow(c, k)} m${k} += MN_LDG(&D[${c.val} + p]) * ${this.at(B, `${csr(c.col, 'p')} * ${nn} + mj${k}`)};`
        : `for (int t = 0; t < ${kk}; ++t) m${k} += ${this.at(A, `mi${k} * ${kk} + t`)} * ${this.at(B, `t * ${nn} + mj${k}`)};`;
      return [...lines, `R m${k} = 0;`, sum, `R s${k} = m${k};`];
    }
    const { lines, at } = this.gatherAt(k);
    return [...lines, `R s${k} = (R)${v(n.inputs[0]!)}[${at[1]}];`];
  }

  /**
   * Members computed only for the branch a `where` takes: for each where member (earliest first, so that a where inside
   * another's branch keeps its own branches), the elementwise members that feed only its second (or only its third)
   * input, directly or through each other or through a where already placed in that branch. A where of an element's
   * data, such as a Bernoulli likelihood's log σ(x) for y = 1 and log σ(−x) for y = 0, then costs one branch per
   * element, not both. The values are the same: the untaken branch's registers stay 0, and its adjoints get 0, which
   * guarded rules skip and the others add as 0.
   */
  private branches(r: Region): Map<number, [number[], number[]]> {
    const set = new Set(r.members);
    const uses = new Map<number, [number, number][]>(); // member → (consumer, input position) inside the region
    for (const k of r.members) this.node(k).inputs.forEach((i, j) => { if (set.has(i)) (uses.get(i) ?? uses.set(i, []).get(i)!).push([k, j]); });
    const owner = new Map<number, number>(); // a branch member → its where
    const out = new Map<number, [number[], number[]]>();
    for (const w of r.members) {
      if (this.node(w).op !== 'where') continue;
      const side = (j: number): number[] => {
        const b = new Set<number>();
        const inside = (c: number): boolean => b.has(c) || (owner.has(c) && inside(owner.get(c)!));
        for (const m of [...r.members].reverse()) {
          if (m >= w || owner.has(m) || (!LAZY.has(this.node(m).op) && UNARY_FWD[this.node(m).op] === undefined)) continue;
          const us = uses.get(m) ?? [];
          if (us.length > 0 && us.every(([c, p]) => (c === w && p === j) || inside(c))) b.add(m);
        }
        return [...b].sort((x, y) => x - y);
      };
      const [b1, b2] = [side(1), side(2)];
      if (b1.length + b2.length === 0) continue;
      for (const m of [...b1, ...b2]) owner.set(m, w);
      out.set(w, [b1, b2]);
    }
    return out;
  }

  /** Every member's value of element o, in order; a where's branch-only members inside its branches (branches()). */
  private values(r: Region, ix: string[]): string[] {
    const set = new Set(r.members);
    const br = this.branches(r);
    const lazy = [...br.values()].flatMap(([a, b]) => [...a, ...b]).sort((x, y) => x - y);
    const inBranch = new Set(lazy);
    // member k's lines; inside a branch its registers are declared up front: `R s<k>;` and `R e<k>;` dropped,
    // `R s<k> = e;` made `s<k> = e;`
    const emit = (k: number): string[] => {
      const own = [`// node ${k}: ${this.node(k).op} (region of ${r.root})`, ...this.value(r, set, k, ix)];
      const lines = inBranch.has(k)
        ? own.filter((l) => l !== `R s${k};` && l !== `R e${k};`).map((l) => (l.startsWith(`R s${k} = `) ? l.slice(2) : l)) : own;
      const b = br.get(k);
      if (!b) return lines;
      return [`if (${this.read(r, set, k, 0, ix)}) {`, ...b[0].flatMap(emit).map((l) => '  ' + l), '} else {',
        ...b[1].flatMap(emit).map((l) => '  ' + l), '}', ...lines];
    };
    const declared = lazy.flatMap((m) => [`R s${m} = 0;`, ...(UNARY_SHARED[this.node(m).op] ? [`R e${m} = 0;`] : [])]);
    return [...declared, ...r.members.filter((k) => !inBranch.has(k)).flatMap(emit)];
  }

  forward(r: Region): string[] {
    const root = this.node(r.root);
    const x0 = r.members[r.members.length - 1]!;
    const total = root.op === 'mean' ? `(acc / ${sizeOf(r.shape)})` : 'acc';
    return [`// node ${r.root}: ${root.op} (region of ${r.members.length} nodes)`, '{', '  double acc = 0;',
      ...laneLoop(r.shape, (ix) => [...this.values(r, ix), `acc += s${x0};`]).map((l) => '  ' + l),
      '  acc = mn_lane_sum(acc);', `  ${v(r.root)}[0] = (R)${total};`, '}'];
  }

  /** Adds `expr` to input j of member k: its register adjoint, or its adjoint (`acc`: its lane's partial) array. */
  private add(r: Region, set: ReadonlySet<number>, k: number, j: number, expr: string, ix: string[], acc: Acc): string[] {
    const i = this.node(k).inputs[j]!;
    if (!this.needGrad.has(i)) return [];
    return set.has(i) ? [`a${i} += ${expr};`] : [`${acc(i)}[${bindex(this.node(i).shape, r.shape, ix)}] += ${expr};`];
  }

  private adjoint(r: Region, set: ReadonlySet<number>, k: number, ix: string[], acc: Acc): string[] {
    const n = this.node(k);
    const f = faultFactor(this.fault, n.op);
    const rd = (j: number) => this.read(r, set, k, j, ix);
    const add = (j: number, e: string) => this.add(r, set, k, j, e, ix, acc);
    const guarded = (lines: string[]) => [`{`, `  R gy = a${k};`, '  if (gy != 0) {', ...lines.map((l) => '    ' + l), '  }', '}'];
    const shared = UNARY_SHARED[n.op];
    if (shared) return guarded([`R x = ${rd(0)}; R y = s${k}; R e = e${k}; (void)x; (void)y;`, ...add(0, `gy * (${shared[2]})${f}`)]);
    if (UNARY_DER[n.op] !== undefined) {
      return guarded([`R x = ${rd(0)}; R y = s${k}; (void)x; (void)y;`, ...add(0, `gy * (${UNARY_DER[n.op]})${f}`)]);
    }
    if (BINARY_DER[n.op] !== undefined) {
      const [da, db] = BINARY_DER[n.op]!;
      return guarded([`R a = ${rd(0)}; R b = ${rd(1)}; R y = s${k}; (void)a; (void)b; (void)y;`,
        ...add(0, `gy * (${da})${f}`), ...add(1, `gy * (${db})${f}`)]);
    }
    if (n.op === 'where') return [`if (${rd(0)}) {`, ...add(1, `a${k}`), '} else {', ...add(2, `a${k}`), '}'];
    if (n.op === 'clamp') {
      return ['{', `  R x = ${rd(0)}; R lo = ${rd(1)}; R hi = ${rd(2)};`,
        ...[0, 1, 2].flatMap((j) => add(j, `a${k}`).map((l) => `  if (${CLAMP_BRANCH} == ${j}) ${l}`)), '}'];
    }
    if (n.op === 'matmul') {
      const { kk, nn } = this.matmulDims(k);
      const [A, B] = n.inputs as [number, number];
      const c = this.layout.csr.get(A);
      if (c && !this.needGrad.has(A)) {
        return guarded([`${csrRow(c, k)} ${acc(B)}[${csr(c.col, 'p')} * ${nn} + mj${k}] += gy * MN_LDG(&D[${c.val} + p])${f};`]);
      }
      return guarded([`for (int t = 0; t < ${kk}; ++t) {`,
        ...(this.needGrad.has(A) ? [`  ${acc(A)}[mi${k} * ${kk} + t] += gy * ${this.at(B, `t * ${nn} + mj${k}`)}${f};`] : []),
        ...(this.needGrad.has(B) ? [`  ${acc(B)}[t * ${nn} + mj${k}] += gy * ${this.at(A, `mi${k} * ${kk} + t`)}${f};`] : []), '}']);
    }
    if (!GATHERS.has(n.op) || !this.needGrad.has(n.inputs[0]!)) return []; // comparisons, floor, stopGradient: no gradient
    const { at } = this.gatherAt(k);
    return [`${acc(n.inputs[0]!)}[${at[1]}] += a${k}${f};`];
  }

  /** Inputs outside the region whose adjoints the region adds to. */
  private externals(r: Region): number[] {
    return outsideInputs(this.ir, this.needGrad, r);
  }

  /**
   * Forward and adjoint in one loop, for a region whose root's adjoint is 1 whatever the parameters (FunctionEmitter
   * decides: a chain of scalar adds to the output) and whose outside inputs' adjoints are still 0 when the backward
   * pass reaches the root: each element's value is computed once, not again in an adjoint loop. The adjoint sums wait
   * in function-scope buffers `l<root>_<input>` until `singlePassBackward` adds them, so the gradient is the two-pass
   * one bit for bit (each buffer sums the elements in the same order from 0, as the adjoint array would have).
   * Returns the buffers' declarations and the forward block.
   */
  singlePass(r: Region): { decl: string[]; forward: string[] } {
    const root = this.node(r.root);
    const set = new Set(r.members);
    const x0 = r.members[r.members.length - 1]!;
    const f = faultFactor(this.fault, root.op);
    const seed = root.op === 'mean' ? `((R)1) / ${sizeOf(r.shape)}${f}` : `((R)1)${f}`;
    const grads = r.members.filter((k) => this.needGrad.has(k));
    const ext = this.externals(r);
    const size = (i: number) => sizeOf(this.node(i).shape);
    const buf = (i: number) => `l${r.root}_${i}`;
    const total = root.op === 'mean' ? `(acc / ${sizeOf(r.shape)})` : 'acc';
    const loop = laneLoop(r.shape, (ix) => [...this.values(r, ix), `acc += s${x0};`, ...grads.map((k) => `R a${k} = 0;`), `a${x0} += ${seed};`,
      ...[...grads].reverse().flatMap((k) => [`// adjoint of node ${k}: ${this.node(k).op}`, ...this.adjoint(r, set, k, ix, buf)])]);
    return {
      decl: ext.map((i) => `R ${buf(i)}[${size(i)}];`),
      forward: [`// node ${r.root}: ${root.op} (region of ${r.members.length} nodes; value and adjoint in one pass)`, '{',
        ...ext.map((i) => `  for (int z = 0; z < ${size(i)}; ++z) ${buf(i)}[z] = 0;`), '  double acc = 0;', ...loop.map((l) => '  ' + l),
        '  acc = mn_lane_sum(acc);', `  ${v(r.root)}[0] = (R)${total};`, '}'],
    };
  }

  /** The backward pass's part of a single-pass region: its buffers added to the outside inputs' adjoints. */
  singlePassBackward(r: Region): string[] {
    const ext = this.externals(r);
    const size = (i: number) => sizeOf(this.node(i).shape);
    const buf = (i: number) => `l${r.root}_${i}`;
    return [`// adjoint of node ${r.root}: ${this.node(r.root).op} (region, from its single pass)`,
      '#if MN_LANES > 1', ...ext.map((i) => `for (int z = 0; z < ${size(i)}; ++z) ${g(i)}[z] += (R)mn_lane_sum((double)${buf(i)}[z]);`),
      '#else', ...ext.map((i) => `for (int z = 0; z < ${size(i)}; ++z) ${g(i)}[z] += ${buf(i)}[z];`), '#endif'];
  }


  backward(r: Region): string[] {
    const root = this.node(r.root);
    if (!this.needGrad.has(r.root)) return [];
    const set = new Set(r.members);
    const x0 = r.members[r.members.length - 1]!;
    const f = faultFactor(this.fault, root.op);
    const seed = root.op === 'mean' ? `${g(r.root)}[0] / ${sizeOf(r.shape)}${f}` : `${g(r.root)}[0]${f}`;
    const grads = r.members.filter((k) => this.needGrad.has(k));
    const loop = (acc: Acc) => laneLoop(r.shape, (ix) => [...this.values(r, ix), ...grads.map((k) => `R a${k} = 0;`), `a${x0} += ${seed};`,
      ...[...grads].reverse().flatMap((k) => [`// adjoint of node ${k}: ${this.node(k).op}`, ...this.adjoint(r, set, k, ix, acc)])]);
    // several lanes: each adds into its own zeroed copies of the outside adjoints, summed across the lanes after
    const ext = this.externals(r);
    const size = (i: number) => sizeOf(this.node(i).shape);
    const lanes = ['{', ...ext.map((i) => `  R l${i}[${size(i)}]; for (int z = 0; z < ${size(i)}; ++z) l${i}[z] = 0;`),
      ...loop((i) => `l${i}`).map((l) => '  ' + l),
      ...ext.map((i) => `  for (int z = 0; z < ${size(i)}; ++z) ${g(i)}[z] += (R)mn_lane_sum((double)l${i}[z]);`), '}'];
    return [`// adjoint of node ${r.root}: ${root.op} (region of ${r.members.length} nodes)`,
      '#if MN_LANES > 1', ...lanes, '#else', ...loop(g), '#endif'];
  }
}

/** The name of an outside input's adjoint array the region adds to. */
type Acc = (node: number) => string;
