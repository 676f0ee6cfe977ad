// Transitional re-export for one session: describe() now lives in src/model/describe.ts (import it from there).
export * from '../model/describe.ts';
