// Transitional re-export for one session: the low-rank metric now lives in src/kernel/lowRankMetric.ts (import it from there).
export * from '../kernel/lowRankMetric.ts';
