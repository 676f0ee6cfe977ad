// check(model): gradient tests and the node-by-node cross-check of every engine against the float64 reference.
export { check, type CheckOptions } from './check.ts';
export { CheckResult, type CheckResultData, type EngineComparison, type PointResult } from './report.ts';
export { registerCheckEngine, checkEngineFactories, type CheckEngine, type CheckEngineFactory, type NodeTrace } from './engine.ts';
export type { GradientRow, GradientTest } from './finiteDiff.ts';
export type { NodeFinding, NodeInputInfo } from './nodeDiff.ts';
export { dtypeTolerance } from './tolerance.ts';
