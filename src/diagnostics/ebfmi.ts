// E-BFMI, the energy Bayesian fraction of missing information, per chain from the energy__ series.
//
// E-BFMI = Σ_{n≥1} (E_n − E_{n−1})² / Σ_n (E_n − Ē)² (Betancourt 2016, "Diagnosing Suboptimal Cotangent
// Disintegrations in Hamiltonian Monte Carlo", arXiv:1604.00695, its empirical E-BFMI estimator). This is CmdStan's
// `diagnose` (the energy__ check: mean of the N − 1 squared differences over the sample variance with divisor
// N − 1; the two N − 1 cancel) and NUTS-REFERENCE.md §1; the R package posterior has no E-BFMI function.
import { OptionError } from '../base/errors.ts';
import { mean } from './moments.ts';

/** Values below this flag a chain (CmdStan `diagnose`: "E-BFMI … is below the nominal threshold of 0.3"). */
export const EBFMI_THRESHOLD = 0.3;

/**
 * E-BFMI of one chain's energies (Stan's energy__ after warmup). NaN for fewer than 2 energies, for constant energies (0/0), or when an
 * energy is not finite.
 */
export function ebfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 2) return NaN;
  const centre = mean(energy);
  let squaredJumps = 0;
  let squaredDeviations = 0;
  for (let i = 0; i < n; i++) {
    const dev = energy[i]! - centre;
    squaredDeviations += dev * dev;
    if (i > 0) {
      const jump = energy[i]! - energy[i - 1]!;
      squaredJumps += jump * jump;
    }
  }
  if (!Number.isFinite(squaredJumps) || !Number.isFinite(squaredDeviations) || squaredDeviations === 0) return NaN;
  return squaredJumps / squaredDeviations;
}

/** E-BFMI of every chain: one energy series per chain in, one value per chain out. */
export function ebfmiPerChain(energyByChain: readonly ArrayLike<number>[]): Float64Array {
  if (!Array.isArray(energyByChain) || energyByChain.length === 0) {
    throw new OptionError('[ebfmiPerChain] energyByChain must be a non-empty array with one energy series per chain');
  }
  return Float64Array.from(energyByChain, (energy, c) => {
    if (energy === null || typeof energy !== 'object' || typeof energy.length !== 'number') {
      throw new OptionError(`[ebfmiPerChain] energyByChain[${c}] must be an array of energies`);
    }
    return ebfmi(energy);
  });
}
