// Transitional re-export for one session: prior and posterior predictive simulation now lives in src/fit/predictive.ts (import it from there).
export * from '../fit/predictive.ts';
