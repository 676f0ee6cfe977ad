// Transitional re-export for one session: logDensityAt now lives in src/backend/logDensityAt.ts (import it from there).
export * from '../backend/logDensityAt.ts';
