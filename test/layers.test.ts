// The house's layers: every import in src/ points to the file's own folder or to a lower layer, and no import cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/**
 * Bottom to top (README's folder picture). A file may import its own folder and any folder of a lower layer; folders
 * of one layer are siblings and import none of each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['base'], // dtypes, engine names, error classes, defaults and Stan's constants
  ['platform', 'math'], // the package's root on disk; host math in float64 (special functions, Cholesky, op table)
  ['precision', 'random', 'diagnostics'], // dtype policy; Philox and host draws; R-hat, ESS, MCSE on plain arrays
  ['graph'], // the IR: expressions, ops, shapes, constants, folding
  ['transforms', 'distributions', 'codegen', 'kernel'], // bijectors, families; C++/CUDA from the IR; the kernel seam
  ['model'], // the model builder, traced models, named points, describe()
  ['backend', 'io'], // densities and engines (reference, MLX, fused); Stan CSV and JSON of a fit's data
  ['fit'], // the Fit class, warnings, predictive simulation
  ['nuts'], // the sampler: kernels, warmup, sample()
  ['check', 'plots', 'distributed'], // check(model); vega-lite plots and the report; chains over processes
  ['cli', 'index.ts'], // the command line and the public API
];

/** Files kept for one session at a moved module's old path: they only re-export it, and are judged by their target. */
const SHIMS: readonly string[] = [
  'graph/model.ts', 'graph/traced.ts', 'graph/describe.ts', 'graph/pointValues.ts', 'graph/logDensityAt.ts',
  'transforms/registry.ts', 'distributions/predictive.ts', 'fit/types.ts', 'backend/reference/special.ts',
  'nuts/metric.ts', 'nuts/lowRankMetric.ts',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [relative(SRC, p)] : [];
  });
}

/** Relative module specifiers of static imports and re-exports, and of import('…') with a literal. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const re = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.[^']+)'|(?:^|\n)\s*import\s*'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;
  const out: string[] = [];
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    out.push(normalize(join(dirname(file), spec)));
  }
  return out;
}

function layerOf(file: string): { folder: string; rank: number } {
  const folder = file.includes('/') ? file.split('/')[0]! : file;
  const rank = LAYERS.findIndex((l) => l.includes(folder));
  return { folder, rank };
}

const files = sourceFiles(SRC);
const edges = new Map(files.map((f) => [f, importsOf(f)]));

/** What an import really reaches: a shim stands for the modules it re-exports. */
function targets(g: Edges, f: string, seen = new Set<string>()): string[] {
  if (!SHIMS.includes(f) || seen.has(f) || !g.has(f)) return [f];
  seen.add(f);
  return g.get(f)!.flatMap((t) => targets(g, t, seen));
}

type Edges = ReadonlyMap<string, readonly string[]>;

/** Imports that point to a higher layer or to a sibling folder of the same layer ('from -> to'). */
function upwardImports(g: Edges): string[] {
  const upward: string[] = [];
  for (const [f, ts] of g) {
    if (SHIMS.includes(f)) continue;
    const from = layerOf(f);
    for (const t of ts.flatMap((x) => targets(g, x))) {
      const to = layerOf(t);
      if (to.folder !== from.folder && to.rank >= from.rank) upward.push(`${f} -> ${t}`);
    }
  }
  return upward;
}

/** Files that import each other in a loop: Tarjan's strongly connected components with more than one file. */
function cyclesOf(g: Edges): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of (g.get(v) ?? []).flatMap((x) => targets(g, x))) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) cycles.push(comp.sort());
    }
  };
  for (const f of g.keys()) if (!index.has(f) && !SHIMS.includes(f)) visit(f);
  return cycles;
}

describe('layers of src/', () => {
  test('every file of src/ sits in a layer', () => {
    expect(files.filter((f) => layerOf(f).rank < 0)).toEqual([]);
  });

  test('imports resolve to files of src/', () => {
    const missing = [...edges].flatMap(([f, ts]) => ts.filter((t) => !edges.has(t)).map((t) => `${f} -> ${t}`));
    expect(missing).toEqual([]);
  });

  test('transitional re-exports only re-export', () => {
    for (const s of SHIMS.filter((f) => edges.has(f))) {
      const code = readFileSync(join(SRC, s), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('//'));
      expect(code.every((l) => /^export (\*|\{[^}]*\}|type \{[^}]*\}) from '[^']+';$/.test(l)), s).toBe(true);
    }
  });

  test('no import points to a higher layer or to a sibling folder of the same layer', () => {
    expect(upwardImports(edges)).toEqual([]);
  });

  test('no import cycle among the files', () => {
    expect(cyclesOf(edges)).toEqual([]);
  });

  test('the checks flag an upward import, a sibling import, an upward re-export and a cycle', () => {
    expect(importsOf('model/model.ts')).toContain('graph/expr.ts');
    const g = new Map<string, string[]>([
      ['graph/a.ts', ['nuts/b.ts']], // up
      ['nuts/b.ts', ['graph/a.ts']], // down, closing a cycle
      ['plots/c.ts', ['check/d.ts']], // sibling
      ['check/d.ts', []],
      ['graph/model.ts', ['model/model.ts']], // a shim: judged by its target
      ['graph/e.ts', ['graph/model.ts']],
      ['model/model.ts', []],
    ]);
    expect(upwardImports(g)).toEqual(['graph/a.ts -> nuts/b.ts', 'plots/c.ts -> check/d.ts', 'graph/e.ts -> model/model.ts']);
    expect(cyclesOf(g)).toEqual([['graph/a.ts', 'nuts/b.ts']]);
  });
});
