// Centred second moments Σ (x − x̄)(x − x̄)ᵀ of a list of rows that grows between calls and is cut at its front now and
// then (the low-rank warmup's window of draws or gradients): blocks of BLOCK_ROWS rows, each centred on its own mean and
// merged in order by Chan, Golub & LeVeque's pairwise update (1979), with the merge of the full blocks cached from call
// to call. A call then costs O(new rows × dim²) instead of O(rows × dim²). The blocking depends only on the list's rows,
// so a cache rebuilt from scratch (a resumed run, a list cut at its front) gives the same bits as the one carried along.

/** Rows per block. */
export const BLOCK_ROWS = 10;

interface Prefix {
  /** The list's first row when the prefix was built (rows are never reused, so a cut list no longer starts with it). */
  readonly first: Float64Array | undefined;
  /** Full blocks merged so far. */
  blocks: number;
  n: number;
  readonly mean: Float64Array;
  /** dim × dim, upper triangle only. */
  readonly m2: Float64Array;
}

const prefixes = new WeakMap<readonly Float64Array[], Prefix>();

/**
 * The mean and Σ (x − x̄)(x − x̄)ᵀ (dim × dim, row-major, both triangles) of the rows; the list object itself keys the
 * cache (pass the same array as it grows; a row object must not be reused).
 */
export function centredMoments(rows: readonly Float64Array[], dim: number): { n: number; mean: Float64Array; m2: Float64Array } {
  let p = prefixes.get(rows);
  if (!p || p.first !== rows[0] || p.blocks * BLOCK_ROWS > rows.length || p.mean.length !== dim) {
    p = { first: rows[0], blocks: 0, n: 0, mean: new Float64Array(dim), m2: new Float64Array(dim * dim) };
    prefixes.set(rows, p);
  }
  while ((p.blocks + 1) * BLOCK_ROWS <= rows.length) {
    mergeInto(p, rows, p.blocks * BLOCK_ROWS, (p.blocks + 1) * BLOCK_ROWS, dim);
    p.blocks++;
  }
  const out = { blocks: p.blocks, n: p.n, mean: Float64Array.from(p.mean), m2: Float64Array.from(p.m2), first: p.first };
  if (p.blocks * BLOCK_ROWS < rows.length) mergeInto(out, rows, p.blocks * BLOCK_ROWS, rows.length, dim);
  const m2 = out.m2;
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) m2[i * dim + j] = m2[j * dim + i]!;
  return { n: out.n, mean: out.mean, m2 };
}

/** Merges rows[from … to) (one block, centred on its own mean) into the moments a. */
function mergeInto(a: { n: number; mean: Float64Array; m2: Float64Array }, rows: readonly Float64Array[], from: number, to: number, dim: number): void {
  const nb = to - from;
  const mb = new Float64Array(dim);
  for (let r = from; r < to; r++) { const x = rows[r]!; for (let i = 0; i < dim; i++) mb[i]! += x[i]!; }
  for (let i = 0; i < dim; i++) mb[i]! /= nb;
  const d = new Float64Array(dim);
  for (let r = from; r < to; r++) {
    const x = rows[r]!;
    for (let i = 0; i < dim; i++) d[i] = x[i]! - mb[i]!;
    for (let i = 0; i < dim; i++) {
      const di = d[i]!;
      if (di === 0) continue;
      const o = i * dim;
      for (let j = i; j < dim; j++) a.m2[o + j]! += di * d[j]!;
    }
  }
  const n = a.n + nb;
  const f = (a.n * nb) / n;
  for (let i = 0; i < dim; i++) d[i] = mb[i]! - a.mean[i]!;
  if (a.n > 0) {
    for (let i = 0; i < dim; i++) {
      const di = d[i]! * f;
      const o = i * dim;
      for (let j = i; j < dim; j++) a.m2[o + j]! += di * d[j]!;
    }
  }
  for (let i = 0; i < dim; i++) a.mean[i]! += (d[i]! * nb) / n;
  a.n = n;
}
