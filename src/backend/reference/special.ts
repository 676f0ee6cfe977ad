// Transitional re-export: the special functions live in src/math/special.ts (this path is kept for one session).
export * from '../../math/special.ts';
