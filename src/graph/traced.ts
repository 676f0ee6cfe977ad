// Transitional re-export for one session: the traced-model types now lives in src/model/traced.ts (import it from there).
export * from '../model/traced.ts';
