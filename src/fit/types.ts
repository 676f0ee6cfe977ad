// Transitional re-export for one session: the fit's data types now lives in src/io/fitData.ts (import it from there).
export * from '../io/fitData.ts';
