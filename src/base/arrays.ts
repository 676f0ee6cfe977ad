// Small helpers on typed arrays that several layers need.

/** The arrays one after another in one new Float64Array (the single part itself when there is one). */
export function concatFloat64(parts: readonly Float64Array[]): Float64Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
