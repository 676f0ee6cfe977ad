// sample({ keep: 'summary' }): each chain's draws folded into running moments as they are made, so that memory does
// not grow with the draws (FitData.chainSummaries), and the summary, warnings, divergences and E-BFMI from them.
//
// What the moments give, per column: the mean and sd over all chains (exact up to rounding); the Monte Carlo standard
// error of the mean from the spread of the chain means (batch means with each independent chain as one batch: Flegal
// & Jones 2010, "Batch means and spectral variance estimators in Markov chain Monte Carlo", Ann. Statist. 38(2)),
// mcse = sd(chain means)/√chains, and the ESS of the mean it implies, sd²/mcse² (capped like posterior's at
// N·log10(N) for N draws in all); and the classic R-hat from the within- and between-chain variances (Gelman & Rubin
// 1992, not split, not rank-normalised). Quantiles, the tail ESS and the sd's MCSE need the draws: NaN here. With few
// chains the between-chain spread is a poor estimate (the ESS's relative error is about √(2/(chains − 1))), so this
// mode is meant for many chains: with fewer than MIN_CHAINS the ESS, MCSE and R-hat are NaN.
import type { SummaryRow } from '../diagnostics/summary.ts';
import { rhatFromMoments } from '../diagnostics/rhat.ts';
import type { ChainSummaries, FitData, SamplerStat } from '../io/fitData.ts';
import { nonFiniteByVariable, warmupDone, type WarningDigest } from './warnings.ts';

/** Fewer chains than this: no ESS, MCSE or R-hat from chain means (see the file's comment). */
export const MIN_CHAINS = 4;
/**
 * The fit's blocks hold this many kept draws per chain (a call takes at most that many, then they are folded into the
 * chains' moments). Big enough that a GPU call of many chains is not cut short.
 */
export const SUMMARY_WINDOW = 256;
/** The divergent transitions whose details (cause, position) are kept; divergences() counts them all. */
export const SUMMARY_DIVERGENCE_DETAILS = 10_000;

/** Running per-chain moments of the kept draws and their sampler statistics (fold a window of draws at a time). */
export class ChainSummaryAccumulator {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly nonFinite: Float64Array;
  private readonly firstNonFinite: ([number, number, number] | null)[];
  private readonly divergent: Float64Array;
  private readonly treedepthHits: Float64Array;
  private readonly acceptSum: Float64Array;
  private readonly leapfrogs: Float64Array;
  private readonly energyMean: Float64Array;
  private readonly energyM2: Float64Array;
  private readonly energyJumps: Float64Array;
  private readonly lastEnergy: Float64Array;

  constructor(private readonly chains: number, private readonly columns: number, private readonly maxTreeDepth: number) {
    const cc = chains * columns;
    this.mean = new Float64Array(cc);
    this.m2 = new Float64Array(cc);
    this.min = new Float64Array(cc).fill(Infinity);
    this.max = new Float64Array(cc).fill(-Infinity);
    this.nonFinite = new Float64Array(cc);
    this.firstNonFinite = new Array(columns).fill(null);
    this.divergent = new Float64Array(chains);
    this.treedepthHits = new Float64Array(chains);
    this.acceptSum = new Float64Array(chains);
    this.leapfrogs = new Float64Array(chains);
    this.energyMean = new Float64Array(chains);
    this.energyM2 = new Float64Array(chains);
    this.energyJumps = new Float64Array(chains);
    this.lastEnergy = new Float64Array(chains).fill(NaN);
  }

  /** Draws folded so far per chain. */
  get draws(): number {
    return this.n;
  }

  /**
   * Folds entries [0, count) of every chain's window: values[chain][column] and stats[chain][stat] arrays (the fit's
   * bounded blocks), the next `count` kept draws of each chain.
   */
  fold(values: readonly (readonly Float64Array[])[], stats: readonly Readonly<Record<SamplerStat, Float64Array>>[], count: number): void {
    if (count <= 0) return;
    const n0 = this.n;
    const n1 = n0 + count;
    for (let k = 0; k < this.chains; k++) {
      for (let c = 0; c < this.columns; c++) {
        const xs = values[k]![c]!;
        const o = k * this.columns + c;
        let s = 0, bad = 0, lo = this.min[o]!, hi = this.max[o]!;
        for (let i = 0; i < count; i++) {
          const x = xs[i]!;
          if (!Number.isFinite(x)) {
            bad++;
            const f = this.firstNonFinite[c];
            if (f === null || k < f[0] || (k === f[0] && n0 + i < f[1])) this.firstNonFinite[c] = [k, n0 + i, x];
            continue;
          }
          s += x;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        this.min[o] = lo;
        this.max[o] = hi;
        this.nonFinite[o]! += bad;
        if (bad > 0) continue; // the column's row is NaN (as summarize's NA for non-finite draws)
        const wm = s / count;
        let wm2 = 0;
        for (let i = 0; i < count; i++) wm2 += (xs[i]! - wm) ** 2;
        // Chan, Golub & LeVeque (1979)'s pairwise update of (count, mean, M2)
        const delta = wm - this.mean[o]!;
        this.mean[o]! += (delta * count) / n1;
        this.m2[o]! += wm2 + (delta * delta * n0 * count) / n1;
      }
      const st = stats[k]!;
      let em = 0;
      for (let i = 0; i < count; i++) {
        if (st.divergent__[i] === 1) this.divergent[k]!++;
        if (st.treedepth__[i]! >= this.maxTreeDepth) this.treedepthHits[k]!++;
        this.acceptSum[k]! += st.accept_stat__[i]!;
        this.leapfrogs[k]! += st.n_leapfrog__[i]!;
        em += st.energy__[i]!;
      }
      em /= count;
      let em2 = 0;
      let jumps = Number.isNaN(this.lastEnergy[k]!) ? 0 : (st.energy__[0]! - this.lastEnergy[k]!) ** 2;
      for (let i = 0; i < count; i++) {
        em2 += (st.energy__[i]! - em) ** 2;
        if (i > 0) jumps += (st.energy__[i]! - st.energy__[i - 1]!) ** 2;
      }
      const delta = em - this.energyMean[k]!;
      this.energyMean[k]! += (delta * count) / n1;
      this.energyM2[k]! += em2 + (delta * delta * n0 * count) / n1;
      this.energyJumps[k]! += jumps;
      this.lastEnergy[k] = st.energy__[count - 1]!;
    }
    this.n = n1;
  }

  /** What the fit keeps (FitData.chainSummaries). */
  result(): ChainSummaries {
    const n = this.n;
    return {
      draws: n, mean: this.mean, m2: this.m2, min: this.min, max: this.max, nonFinite: this.nonFinite,
      firstNonFinite: this.firstNonFinite.map((f) => (f ? [...f] as const : null)),
      divergent: this.divergent, treedepthHits: this.treedepthHits,
      acceptStat: this.acceptSum.map((s) => s / n), leapfrogs: this.leapfrogs,
      // ebfmi()'s Σ squared jumps / Σ squared deviations (src/diagnostics/ebfmi.ts), both summed across windows
      ebfmi: this.energyJumps.map((j, k) => (n < 2 ? NaN : j / this.energyM2[k]!)),
    };
  }
}

/** The summary rows of a fit kept as chain summaries (what each field is: the file's comment). */
export function chainSummaryRows(cs: ChainSummaries, columns: readonly string[]): SummaryRow[] {
  const cols = columns.length;
  const chains = cols === 0 ? 0 : cs.mean.length / cols;
  const n = cs.draws;
  if (n === 0 || chains === 0) return [];
  return columns.map((name, c) => {
    let bad = 0;
    let mu = 0;
    for (let k = 0; k < chains; k++) {
      bad += cs.nonFinite[k * cols + c]!;
      mu += cs.mean[k * cols + c]!;
    }
    const nan = { name, mean: NaN, sd: NaN, mcseMean: NaN, mcseSd: NaN, q5: NaN, q50: NaN, q95: NaN, essBulk: NaN, essTail: NaN, rhat: NaN };
    if (bad > 0) return nan;
    mu /= chains;
    let between = 0;
    let within = 0;
    for (let k = 0; k < chains; k++) {
      between += (cs.mean[k * cols + c]! - mu) ** 2;
      within += cs.m2[k * cols + c]!;
    }
    const total = n * chains;
    const sd = Math.sqrt((within + n * between) / (total - 1));
    if (chains < MIN_CHAINS || n < 2) return { ...nan, mean: mu, sd };
    const varOfMeans = between / (chains - 1);
    const meanOfVars = within / (chains * (n - 1));
    const mcseMean = Math.sqrt(varOfMeans / chains);
    const ess = Math.min((sd * sd) / (mcseMean * mcseMean), total * Math.log10(total));
    return { ...nan, mean: mu, sd, mcseMean, essBulk: ess, rhat: rhatFromMoments(n, varOfMeans, meanOfVars) };
  });
}

/** The warnings' digest of a fit kept as chain summaries (src/fit/warnings.ts digestWarnings reads it). */
export function chainSummaryDigest(fit: FitData, cs: ChainSummaries): WarningDigest {
  const cols = fit.columns.length;
  const chains = cs.divergent.length;
  const nonFinite = nonFiniteByVariable(fit, (j) => {
    let bad = 0;
    for (let k = 0; k < chains; k++) bad += cs.nonFinite[k * cols + j]!;
    return { bad, first: cs.firstNonFinite[j] ?? null };
  });
  const { draws, warmup, maxTreeDepth, targetAccept, dtype } = fit.config;
  const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  return {
    draws: cs.draws, chains, warmupDone: Math.max(0, ...warmupDone(fit)),
    divergent: sum(cs.divergent), treedepth: sum(cs.treedepthHits), ebfmi: Array.from(cs.ebfmi), nonFinite,
    clampHits: (fit.clampHits ?? []).reduce((a, b) => a + b, 0), complete: fit.complete, config: { draws, warmup, maxTreeDepth, targetAccept, dtype },
  };
}
