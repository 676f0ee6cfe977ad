// Column names between FitData's 0-based, row-major `theta[0]`, `L[1,0]` and CmdStan's 1-based, column-major `theta.1`, `L.2.1`.

export interface ParsedName {
  readonly base: string;
  /** 0-based indices; empty for a scalar. */
  readonly index: readonly number[];
}

const BRACKETED = /^([^[\]]+)\[(\d+(?:,\d+)*)\]$/;

/** Splits a FitData column name: 'L[1,0]' → {base 'L', index [1, 0]}; anything else is a scalar name. */
export function parseFitName(name: string): ParsedName {
  const m = BRACKETED.exec(name);
  if (m === null) return { base: name, index: [] };
  return { base: m[1]!, index: m[2]!.split(',').map(Number) };
}

/** Splits a Stan CSV column name: 'L.2.1' → {base 'L', index [1, 0]}; names with non-numeric parts (tuples) stay whole. */
export function parseStanName(name: string): ParsedName {
  const parts = name.split('.');
  if (parts.length < 2 || name.includes(':')) return { base: name, index: [] };
  const rest = parts.slice(1);
  if (!rest.every((p) => /^\d+$/.test(p) && Number(p) >= 1)) return { base: name, index: [] };
  return { base: parts[0]!, index: rest.map((p) => Number(p) - 1) };
}

export function fitName(p: ParsedName): string {
  return p.index.length === 0 ? p.base : `${p.base}[${p.index.join(',')}]`;
}

export function stanName(p: ParsedName): string {
  return p.index.length === 0 ? p.base : `${p.base}.${p.index.map((i) => i + 1).join('.')}`;
}

/** Compares two index tuples with the last index slowest (CmdStan's column-major order) or the first slowest (row-major). */
function compareIndex(a: readonly number[], b: readonly number[], columnMajor: boolean): number {
  const n = Math.max(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const d = columnMajor ? n - 1 - k : k;
    const diff = (a[d] ?? -1) - (b[d] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * A permutation of `names` that keeps variables where they are and orders the elements inside each run of
 * consecutive same-named indexed columns column-major (CmdStan's output order) or row-major (FitData's).
 */
export function elementOrder(names: readonly ParsedName[], columnMajor: boolean): number[] {
  const order: number[] = [];
  let i = 0;
  while (i < names.length) {
    const { base, index } = names[i]!;
    let j = i + 1;
    if (index.length > 0) while (j < names.length && names[j]!.base === base && names[j]!.index.length > 0) j++;
    const run = Array.from({ length: j - i }, (_, k) => i + k);
    run.sort((a, b) => compareIndex(names[a]!.index, names[b]!.index, columnMajor) || a - b);
    order.push(...run);
    i = j;
  }
  return order;
}

/** Why a FitData column name cannot be written as a Stan CSV column, or null when it can. */
export function unwritableNameReason(name: string): string | null {
  const { base } = parseFitName(name);
  if (base.length === 0) return 'is empty';
  if (/[,\s"#]/.test(base)) return 'contains a comma, quote, # or whitespace, which break the CSV header';
  if (base.includes('.') || base.includes(':')) return "contains '.' or ':', which Stan CSV readers take as index separators";
  if (base.endsWith('__')) return "ends in '__', which Stan CSV readers take for a sampler statistic";
  if (base.includes('[') || base.includes(']')) return 'has malformed brackets (expected name[i] or name[i,j,…])';
  return null;
}
