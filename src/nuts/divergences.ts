// Collects the divergent transitions a kernel reports (cause and position, KernelRun.divergence) for the fit.
import type { KernelRun } from '../kernel/seam.ts';
import { DIVERGENCE_CAUSES } from '../kernel/seam.ts';
import type { DivergenceInfo } from '../io/fitData.ts';

type Found = DivergenceInfo & { readonly at: number };

export class DivergenceLog {
  private readonly found: Found[] = [];
  /**
   * Packed rows kept as they came (no limit): the objects are made when the fit's divergences are first read, since
   * warmup at many GPU chains reports hundreds of thousands of them (an object and a position array each were a
   * tenth of sample()'s host time for eight_schools at 16,384 chains, bench/results/2026-11-30h-gpu-h200.md).
   */
  private readonly packed: { readonly rows: Float64Array; readonly first: number }[] = [];

  /** `limit`: keep the details of at most this many divergent transitions (the first in order of iteration, then chain). */
  constructor(private readonly chains: number, private readonly dim: number, private readonly warmup: number,
    private readonly limit = Infinity) {}

  /** Reads a run of `count` transitions starting at iteration `first` (0-based over warmup and sampling). */
  add(r: KernelRun, first: number, count: number): void {
    if (r.divergenceRows) return this.addRows(r.divergenceRows, first);
    const d = r.divergence;
    if (!d) return;
    const w = this.dim + 1;
    for (let j = 0; j < count; j++) {
      for (let k = 0; k < this.chains; k++) {
        const e = r.chainMajor ? k * count + j : j * this.chains + k;
        const code = d[e * w]!;
        if (code === 0 || this.found.length >= this.limit) continue;
        const cause = DIVERGENCE_CAUSES[code as 1 | 2];
        const at = first + j;
        const warmup = at < this.warmup;
        this.found.push({
          chain: k, iteration: warmup ? at : at - this.warmup, warmup, cause, position: d.slice(e * w + 1, (e + 1) * w), at,
        });
      }
    }
  }

  /** Reads packed rows [chain, transition, cause, position…] (KernelRun.divergenceRows) of a run starting at `first`. */
  addRows(rows: Float64Array, first: number): void {
    if (this.limit === Infinity) {
      this.packed.push({ rows, first });
      return;
    }
    this.addRowsNow(rows, first, this.found);
  }

  private addRowsNow(rows: Float64Array, first: number, found: Found[]): void {
    if (found.length >= this.limit) return;
    const w = this.dim + 3;
    const at0 = found.length;
    for (let o = 0; o + w <= rows.length; o += w) {
      const at = first + rows[o + 1]!;
      const warmup = at < this.warmup;
      found.push({
        chain: rows[o]!, iteration: warmup ? at : at - this.warmup, warmup, cause: DIVERGENCE_CAUSES[rows[o + 2] as 1 | 2],
        position: rows.slice(o + 3, o + w), at,
      });
    }
    // the order add() gives: by iteration, then chain
    const added = found.splice(at0).sort((a, b) => a.at - b.at || a.chain - b.chain);
    for (const x of added) if (found.length < this.limit) found.push(x);
  }

  /** The divergences of iterations before `end` (what the fit kept), in order of iteration, then chain. */
  list(end: number): DivergenceInfo[] {
    let all = this.found;
    if (this.packed.length) {
      all = [...this.found];
      for (const p of this.packed) this.addRowsNow(p.rows, p.first, all);
      all.sort((a, b) => a.at - b.at || a.chain - b.chain);
    }
    return all.filter((x) => x.at < end).map(({ at: _, ...x }) => x);
  }

  /** list(end), made once when first called (the fit's divergences are read by few runs, and late). */
  lazyList(end: number): () => DivergenceInfo[] {
    let made: DivergenceInfo[] | null = null;
    return () => (made ??= this.list(end));
  }
}
