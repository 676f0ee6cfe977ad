// Transitional re-export for one session: the Euclidean metrics now live in src/kernel/metric.ts (import them from there).
export * from '../kernel/metric.ts';
