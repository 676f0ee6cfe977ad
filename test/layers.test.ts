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

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [relative(SRC, p)] : [];
  });
}

/** Relative module specifiers of static imports and re-exports, and of import('…') with a literal, in `text` of `file`. */
function importsOf(file: string, text = readFileSync(join(SRC, file), 'utf8')): string[] {
  const re = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.[^']+)'|(?:^|\n)\s*import\s*'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;
  const out: string[] = [];
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    out.push(normalize(join(dirname(file), spec)));
  }
  return out;
}

/** A file whose code is re-exports only (an old path kept for a moved module); index.ts files are the folders' faces. */
function onlyReExports(text: string): boolean {
  const code = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
  return code.length > 0 && code.every((l) => /^export (type )?(\*|\{[^}]*\})( as \w+)? from '[^']+';$/.test(l));
}

function layerOf(file: string): { folder: string; rank: number } {
  const folder = file.includes('/') ? file.split('/')[0]! : file;
  const rank = LAYERS.findIndex((l) => l.includes(folder));
  return { folder, rank };
}

const files = sourceFiles(SRC);
const edges = new Map(files.map((f) => [f, importsOf(f)]));

type Edges = ReadonlyMap<string, readonly string[]>;

/** Imports that point to a higher layer or to a sibling folder of the same layer ('from -> to'). */
function upwardImports(g: Edges): string[] {
  const upward: string[] = [];
  for (const [f, ts] of g) {
    const from = layerOf(f);
    for (const t of ts) {
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
    for (const w of g.get(v) ?? []) {
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
  for (const f of g.keys()) if (!index.has(f)) visit(f);
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

  test('no file only re-exports another (every import names the real home)', () => {
    const shims = files.filter((f) => !f.endsWith('index.ts') && onlyReExports(readFileSync(join(SRC, f), 'utf8')));
    expect(shims).toEqual([]);
  });

  test('no import points to a higher layer or to a sibling folder of the same layer', () => {
    expect(upwardImports(edges)).toEqual([]);
  });

  test('no import cycle among the files', () => {
    expect(cyclesOf(edges)).toEqual([]);
  });

  test('the checks flag an upward import, a sibling import, an upward re-export and a cycle', () => {
    expect(importsOf('model/model.ts')).toContain('graph/expr.ts');
    const reExport = "// moved\nexport * from '../model/model.ts';\nexport type { X } from './x.ts';\n";
    expect(importsOf('graph/e.ts', reExport)).toEqual(['model/model.ts', 'graph/x.ts']);
    expect(onlyReExports(reExport)).toBe(true);
    expect(onlyReExports(readFileSync(join(SRC, 'graph/ops.ts'), 'utf8'))).toBe(false);
    const g = new Map<string, string[]>([
      ['graph/a.ts', ['nuts/b.ts']], // up
      ['nuts/b.ts', ['graph/a.ts']], // down, closing a cycle
      ['plots/c.ts', ['check/d.ts']], // sibling
      ['check/d.ts', []],
      ['graph/e.ts', ['model/model.ts']], // up, through a re-export
      ['model/model.ts', []],
    ]);
    expect(upwardImports(g)).toEqual(['graph/a.ts -> nuts/b.ts', 'plots/c.ts -> check/d.ts', 'graph/e.ts -> model/model.ts']);
    expect(cyclesOf(g)).toEqual([['graph/a.ts', 'nuts/b.ts']]);
  });
});
