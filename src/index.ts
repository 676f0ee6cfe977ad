// mlx-nuts: Bayesian inference for TypeScript — the public API.
export { model, Model, ModelBuilder, type ParamOptions, type TracedModel } from './graph/model.ts';
export { Expr, type Operand } from './graph/expr.ts';
export * from './graph/ops.ts';
export { logDensity, logDensitySync, type LogDensityOptions, type ModelDensity } from './backend/logDensity.ts';
export type { BackendName, Density, Device, Dtype } from './backend/density.ts';
export * from './distributions/index.ts';
export * from './transforms/index.ts';
export * as precision from './precision/policy.ts';
export { makeRng, type Rng } from './random/rng.ts';
export * from './fit/types.ts';
export { sample, type SampleOptions } from './nuts/sample.ts';
export type { ProgressEvent, ProgressCallback } from './nuts/progress.ts';
export { Fit } from './fit/fit.ts';
export * from './diagnostics/index.ts';
export * from './io/index.ts';
export * from './plots/index.ts';
export type { SummaryRow } from './diagnostics/index.ts';
