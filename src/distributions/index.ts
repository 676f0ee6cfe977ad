// Every distribution family and wrapper, re-exported by the package entry point.
export { Normal } from './normal.ts';
export { HalfNormal } from './halfNormal.ts';
export { HalfCauchy } from './halfCauchy.ts';
export { Exponential } from './exponential.ts';
export { StudentT } from './studentT.ts';
export { Bernoulli } from './bernoulli.ts';
export { GaussianRandomWalk } from './gaussianRandomWalk.ts';
export type { Distribution, Support } from './distribution.ts';
