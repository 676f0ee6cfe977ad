// Transitional re-export for one session: transformFor now lives in src/model/transformFor.ts (import it from there).
export * from '../model/transformFor.ts';
