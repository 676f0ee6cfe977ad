// Every transform, re-exported by the package entry point.
export type { Transform, TransformContext } from './transform.ts';
export { identity as identityTransform, log as logTransform, lowerBound, upperBound, interval, boundsTransform,
  type TransformBound } from './elementwise.ts';
export { simplex as simplexTransform } from './simplex.ts';
export { ordered as orderedTransform, positiveOrdered as positiveOrderedTransform } from './ordered.ts';
export { corrCholesky as corrCholeskyTransform } from './corrCholesky.ts';
