// mlx-nuts: Bayesian inference for TypeScript — the public API.
export { model, Model, ModelBuilder, type ParamOptions, type TracedModel } from './graph/model.ts';
export { Expr, type Operand } from './graph/expr.ts';
export * from './graph/ops.ts';
export { logDensity, logDensitySync, type LogDensityOptions, type ModelDensity } from './backend/logDensity.ts';
export type { BackendName, Density, Device, Dtype } from './backend/density.ts';
export { Normal } from './distributions/normal.ts';
export { HalfNormal } from './distributions/halfNormal.ts';
export { HalfCauchy } from './distributions/halfCauchy.ts';
export { Exponential } from './distributions/exponential.ts';
export { StudentT } from './distributions/studentT.ts';
export { Bernoulli } from './distributions/bernoulli.ts';
export { GaussianRandomWalk } from './distributions/gaussianRandomWalk.ts';
export type { Distribution, Support } from './distributions/distribution.ts';
export type { Transform } from './transforms/transform.ts';
export { identity as identityTransform, log as logTransform, lowerBound, upperBound, interval } from './transforms/elementwise.ts';
export * as precision from './precision/policy.ts';
