// Every transform, re-exported by the package entry point.
export type { Transform, TransformContext } from './transform.ts';
export { identity as identityTransform, log as logTransform, lowerBound, upperBound, interval, boundsTransform } from './elementwise.ts';
