// Transitional re-export for one session: the model builder now lives in src/model/model.ts (import it from there).
export * from '../model/model.ts';
