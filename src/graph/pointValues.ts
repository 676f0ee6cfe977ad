// Transitional re-export for one session: unconstrainPoint/describeValue now lives in src/model/pointValues.ts (import it from there).
export * from '../model/pointValues.ts';
