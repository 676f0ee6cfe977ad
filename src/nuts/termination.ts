// The generalised no-U-turn criterion (Betancourt 2017; Stan base_nuts.hpp compute_criterion).

/** True while the trajectory keeps going: p♯₊·ρ > 0 and p♯₋·ρ > 0. */
export function criterion(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rho: Float64Array): boolean {
  let a = 0;
  let b = 0;
  for (let i = 0; i < rho.length; i++) {
    a += pSharpPlus[i]! * rho[i]!;
    b += pSharpMinus[i]! * rho[i]!;
  }
  return a > 0 && b > 0;
}

function plus(a: Float64Array, b: Float64Array): Float64Array {
  const o = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) o[i] = a[i]! + b[i]!;
  return o;
}

/** Endpoints and momentum sum of a (sub)trajectory, in the order it was integrated. */
export interface Span {
  readonly pBeg: Float64Array;
  readonly pEnd: Float64Array;
  readonly pSharpBeg: Float64Array;
  readonly pSharpEnd: Float64Array;
  readonly rho: Float64Array;
}

/**
 * Whether merging span A then span B (B follows A) continues: all three checks of Stan's PR #2800 —
 * the whole span, A extended by B's first state, and B extended by A's last state.
 */
export function mergeContinues(a: Span, b: Span): boolean {
  return criterion(a.pSharpBeg, b.pSharpEnd, plus(a.rho, b.rho)) &&
    criterion(a.pSharpBeg, b.pSharpBeg, plus(a.rho, b.pBeg)) &&
    criterion(a.pSharpEnd, b.pSharpEnd, plus(a.pEnd, b.rho));
}
