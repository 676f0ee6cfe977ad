// Counter-based randomness: Philox-4x32-10 and the sampler's stream layout, addressed by (seed, chain, iteration, …).
//
// Philox-4x32-10 is the generator of Salmon, Moraes, Dror & Shaw (2011), "Parallel random numbers: as easy as
// 1, 2, 3" (SC'11), as used by cuRAND and JAX: a 128-bit counter and a 64-bit key go through ten rounds of two
// 32×32→64-bit multiplications; the round multipliers and Weyl key increments below are the paper's.
// The generated C++/CUDA code (src/codegen/prelude.ts) implements the same function; a test checks both against
// the paper's known-answer vectors and against each other.
//
// Stream layout (the one place it is written down): key = (seed mod 2³², ⌊seed / 2³²⌋); counter words
//   c0 = chain, c1 = iteration (0-based over warmup then sampling), c2 = purpose | (sub << 8), c3 = index,
// with the purposes of PURPOSE (sub < 2¹⁶). Each address gives four words: a uniform uses words 0–1 (53 bits); a
// normal is Marsaglia's polar method on words 0–1 and 2–3, retrying with `retry` in the top byte of c2 (it needs
// only log and sqrt, which the generated code computes bit-identically to V8; see src/codegen/fdlibm.ts). So a chain's draws depend only on (seed, chain) and not on how
// many chains run or in which order, and a checkpoint needs only the iteration number.
import { OptionError } from '../base/errors.ts';

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;
export const PHILOX_ROUNDS = 10;

/** What a random number is for (counter word c2, low 8 bits). */
export const PURPOSE = {
  /** initial point: sub = attempt, index = coordinate (iteration 0) */
  init: 1,
  /** momentum resampling at the start of a transition: index = coordinate */
  momentum: 2,
  /** direction of doubling `index` */
  direction: 3,
  /** uniform-progressive choice inside a subtree: sub = doubling, index = first leaf of the right half */
  subtreeMerge: 4,
  /** biased-progressive choice of doubling `index` at the top level */
  topMerge: 5,
  /** momentum of the step-size search: sub = round, index = coordinate (iteration = the transition it precedes) */
  stepSizeMomentum: 6,
} as const;

export type Purpose = keyof typeof PURPOSE;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lo = a0 * b0;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/** Philox-4x32-10 of counter (c0…c3) under key (k0, k1); writes four words to `out`. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number,
  out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let r = 0; r < PHILOX_ROUNDS; r++) {
    const hi0 = mulhi(PHILOX_M0, x0);
    const lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulhi(PHILOX_M1, x2);
    const lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + PHILOX_W0) >>> 0;
    key1 = (key1 + PHILOX_W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/** 53-bit uniform on [0, 1) from two words (27 high bits of a, 26 of b: exact in double arithmetic). */
export function uniform53(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** Where a chain's numbers come from: the key of the seed and the chain's counter word. */
export interface ChainStream {
  readonly key0: number;
  readonly key1: number;
  readonly chain: number;
}

/** The largest seed: keys are 64-bit, and a seed must be exact as a JavaScript number. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export function chainStream(seed: number, chain: number): ChainStream {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new OptionError(`[rng] seed must be an integer in [0, 2^53), got ${String(seed)}`);
  }
  if (!Number.isInteger(chain) || chain < 0 || chain > 0xffffffff) throw new OptionError(`[rng] chain id must be a 32-bit unsigned integer, got ${chain}`);
  return { key0: seed % 4294967296, key1: Math.floor(seed / 4294967296), chain };
}

const scratch = new Uint32Array(4);

function draw(s: ChainStream, iteration: number, purpose: Purpose, sub: number, index: number, retry = 0): Uint32Array {
  return philox4x32(s.chain, iteration, (PURPOSE[purpose] | (sub << 8) | (retry << 24)) >>> 0, index, s.key0, s.key1, scratch);
}

/** The uniform on [0, 1) at an address. */
export function uniformAt(s: ChainStream, iteration: number, purpose: Purpose, sub: number, index: number): number {
  const w = draw(s, iteration, purpose, sub, index);
  return uniform53(w[0]!, w[1]!);
}

/**
 * The standard normal at an address: Marsaglia & Bray's polar method (1964, "A convenient method for generating
 * normal variables", SIAM Review 6(3)): u, v uniform on (−1, 1) until s = u² + v² is in (0, 1), then u·√(−2 log s / s).
 */
export function normalAt(s: ChainStream, iteration: number, purpose: Purpose, sub: number, index: number): number {
  for (let retry = 0; ; retry++) {
    const w = draw(s, iteration, purpose, sub, index, retry);
    const u = 2 * uniform53(w[0]!, w[1]!) - 1;
    const v = 2 * uniform53(w[2]!, w[3]!) - 1;
    const q = u * u + v * v;
    if (q < 1 && q !== 0) return u * Math.sqrt((-2 * Math.log(q)) / q);
  }
}
