// Draw matrices for the diagnostics: input checks, flattening, split chains, posterior's NA rule (folded draws: quantile.ts).
//
// A draw matrix is one Float64Array per chain, all of one length (R's iterations × chains matrix, column by
// column). The helpers here reproduce the internal helpers of the R package posterior (stan-dev/posterior,
// R/convergence.R and R/split_chains.R: `.split_chains`, `fold_draws`, `should_return_NA`, `is_constant`),
// whose formulas are unchanged from version 1.4.0 (the one the fixtures were made with) to 1.7.1.
import { OptionError } from '../base/errors.ts';

/** Draws of one scalar quantity: one array per chain, every chain the same length. */
export type Chains = readonly Float64Array[];

/**
 * Throws unless `chains` is a non-empty array of Float64Arrays of one non-zero length.
 * `fn` names the public function in the message (`[fn] chains: …`), as every error in this library does.
 */
export function checkChains(fn: string, chains: Chains): void {
  if (!Array.isArray(chains) || chains.length === 0) {
    throw new OptionError(`[${fn}] chains must be a non-empty array of Float64Array (one per chain)`);
  }
  const n = chains[0] instanceof Float64Array ? chains[0].length : -1;
  for (let c = 0; c < chains.length; c++) {
    const chain = chains[c];
    if (!(chain instanceof Float64Array)) throw new OptionError(`[${fn}] chains[${c}] must be a Float64Array`);
    if (chain.length !== n) {
      throw new OptionError(`[${fn}] chains must all have the same length: chains[0] has ${n} draws, chains[${c}] has ${chain.length}`);
    }
  }
  if (n === 0) throw new OptionError(`[${fn}] chains hold no draws`);
}

/** Throws unless `prob` is a number in [0, 1] (posterior: "'probs' must contain values between 0 and 1."). */
export function checkProb(fn: string, prob: number): void {
  if (typeof prob !== 'number' || !(prob >= 0 && prob <= 1)) {
    throw new OptionError(`[${fn}] prob must be a number in [0, 1], got ${String(prob)}`);
  }
}

/** All draws in one array, chain after chain (R's column-major order of the draw matrix). */
export function flatten(chains: Chains): Float64Array {
  const n = chains[0]?.length ?? 0;
  const out = new Float64Array(chains.length * n);
  chains.forEach((chain, c) => out.set(chain, c * n));
  return out;
}

/** Applies `f` to every draw, keeping the chain structure. */
export function mapDraws(chains: Chains, f: (v: number) => number): Float64Array[] {
  return chains.map((chain) => chain.map(f));
}

/**
 * Splits every chain into its first and second half, doubling the number of chains (posterior's
 * `.split_chains`; Vehtari et al. 2021). The result lists all first halves, then all second halves.
 *
 * - n = 1: the chains come back unchanged.
 * - n odd: the middle draw (1-based index (n + 1)/2) is dropped.
 * - n = 2 or 3: posterior indexes `x[1:1, ]`, which R turns into a row vector, so its "split chains" are two
 *   columns of one draw per chain each: the first draws of all chains, and the last draws of all chains.
 *   We reproduce that, so the diagnostics of such short runs match posterior's to the bit.
 */
export function splitChains(chains: Chains): Float64Array[] {
  const n = chains[0]?.length ?? 0;
  if (n === 1) return chains.map((chain) => chain.slice());
  if (n === 2 || n === 3) {
    return [Float64Array.from(chains, (chain) => chain[0]!), Float64Array.from(chains, (chain) => chain[n - 1]!)];
  }
  const firstLength = Math.floor(n / 2);
  const secondStart = Math.ceil(n / 2 + 1) - 1; // 0-based start of R's ceiling(half + 1):niter
  return [...chains.map((chain) => chain.slice(0, firstLength)), ...chains.map((chain) => chain.slice(secondStart))];
}

/**
 * posterior's `is_constant`: max − min below an ABSOLUTE tolerance, R's `.Machine$double.eps` = 2^−52.
 * (So draws of magnitude ~1e-17 count as constant whatever their spread.)
 */
export function isConstant(chains: Chains, tol: number = Number.EPSILON): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const chain of chains) {
    for (let i = 0; i < chain.length; i++) {
      const v = chain[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Math.abs(hi - lo) < tol;
}

/** posterior's `should_return_NA`: any NaN or ±Inf, or constant draws. Diagnostics then return NaN (R's NA). */
export function shouldReturnNaN(chains: Chains): boolean {
  for (const chain of chains) {
    for (let i = 0; i < chain.length; i++) if (!Number.isFinite(chain[i]!)) return true;
  }
  return isConstant(chains);
}
