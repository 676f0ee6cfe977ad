// Seeded random streams (seedrandom): one independent stream per (seed, stream id), e.g. per chain.
import { OptionError } from '../base/errors.ts';
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal (Marsaglia polar method). */
  normal(): number;
  /** Fills `out` with standard normals. */
  normals(out: Float64Array): Float64Array;
}

/** The stream for (seed, stream): streams never share state, and the same pair always gives the same numbers. */
export function makeRng(seed: number, stream = 0): Rng {
  if (!Number.isFinite(seed)) throw new OptionError(`[rng] seed must be a finite number, got ${seed}`);
  const prng = seedrandom.xor4096(`mlx-nuts:${seed}:${stream}`);
  let spare: number | null = null;
  const uniform = () => prng.double();
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    return u * f;
  };
  return {
    uniform,
    normal,
    normals(out) {
      for (let i = 0; i < out.length; i++) out[i] = normal();
      return out;
    },
  };
}
