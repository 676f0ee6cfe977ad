// The fixture's case ids mapped to constructors, and the model that evaluates one case on a backend.
import { readFileSync } from 'node:fs';
import * as M from 'mlx-nuts';
import type { Distribution, Expr, Model } from 'mlx-nuts';

export type Value = number | null | Value[];
export interface Case {
  readonly id: string;
  readonly params: Value[];
  readonly consts: Record<string, Value>;
  readonly x: Value;
  readonly logp: number;
  readonly xScale?: number;
  readonly fd?: boolean;
}

export function loadCases(): Case[] {
  const url = new URL('./fixtures/distributions/logdensity.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: Case[] }).cases;
}

type P = (Expr | null)[];
type C = Record<string, Value>;
const num = (v: Value | undefined): number | undefined => (v === undefined || v === null ? undefined : (v as number));

/** How each id builds its distribution; `observed` ids take x as data (discrete families and Censored). */
export const FAMILIES: Record<string, { make: (p: P, c: C) => Distribution; observed?: boolean }> = {
  Normal: { make: ([m, s]) => M.Normal(m!, s!) },
  HalfNormal: { make: ([s]) => M.HalfNormal(s!) },
  Cauchy: { make: ([m, s]) => M.Cauchy(m!, s!) },
  HalfCauchy: { make: ([s]) => M.HalfCauchy(s!) },
  StudentT: { make: ([n, m, s]) => M.StudentT(n!, m!, s!) },
  HalfStudentT: { make: ([n, s]) => M.HalfStudentT(n!, s!) },
  Laplace: { make: ([m, b]) => M.Laplace(m!, b!) },
  Logistic: { make: ([m, s]) => M.Logistic(m!, s!) },
  LogNormal: { make: ([m, s]) => M.LogNormal(m!, s!) },
  Exponential: { make: ([r]) => M.Exponential(r!) },
  Gamma: { make: ([a, b]) => M.Gamma(a!, b!) },
  InverseGamma: { make: ([a, b]) => M.InverseGamma(a!, b!) },
  Beta: { make: ([a, b]) => M.Beta(a!, b!) },
  Uniform: { make: ([l, u]) => M.Uniform(l!, u!) },
  Weibull: { make: ([k, l]) => M.Weibull(k!, l!) },
  TruncatedNormal: { make: ([m, s, l, u]) => M.TruncatedNormal(m!, s!, l, u) },
  GaussianRandomWalk: { make: ([s]) => M.GaussianRandomWalk(s!) },
  'MvNormal.cov': { make: ([m, a]) => M.MvNormal(m!, a!) },
  'MvNormal.cholesky': { make: ([m, a]) => M.MvNormal(m!, { cholesky: a! }) },
  'MvNormal.precision': { make: ([m, a]) => M.MvNormal(m!, { precision: a! }) },
  'MvNormal.cov.const': { make: ([m], c) => M.MvNormal(m!, { cov: c.cov as number[][] }) },
  Dirichlet: { make: ([a]) => M.Dirichlet(a!) },
  LKJCholesky: { make: ([e], c) => M.LKJCholesky(c.K as number, e!) },
  'Bernoulli.p': { make: ([p]) => M.Bernoulli(p!), observed: true },
  'Bernoulli.logits': { make: ([l]) => M.Bernoulli({ logits: l! }), observed: true },
  'Binomial.p': { make: ([p], c) => M.Binomial(c.n as number, p!), observed: true },
  'Binomial.logits': { make: ([l], c) => M.Binomial(c.n as number, { logits: l! }), observed: true },
  'Poisson.rate': { make: ([r]) => M.Poisson(r!), observed: true },
  'Poisson.logRate': { make: ([r]) => M.Poisson({ logRate: r! }), observed: true },
  NegativeBinomial: { make: ([m, f]) => M.NegativeBinomial(m!, f!), observed: true },
  'NegativeBinomial.logMu': { make: ([m, f]) => M.NegativeBinomial({ logMu: m!, phi: f! }), observed: true },
  'Categorical.probs': { make: ([p]) => M.Categorical(p!), observed: true },
  'Categorical.logits': { make: ([l]) => M.Categorical({ logits: l! }), observed: true },
  Mixture: { make: ([w, m1, s1, m2, s2]) => M.Mixture(w!, [M.Normal(m1!, s1!), M.StudentT(3, m2!, s2!)]) },
};

/** The scalar families with a CDF, wrapped by Censored (observed) and Truncated. */
const BASE: Record<string, (p: P) => Distribution> = {
  Normal: ([m, s]) => M.Normal(m!, s!),
  HalfNormal: ([s]) => M.HalfNormal(s!),
  Cauchy: ([m, s]) => M.Cauchy(m!, s!),
  HalfCauchy: ([s]) => M.HalfCauchy(s!),
  Laplace: ([m, b]) => M.Laplace(m!, b!),
  Logistic: ([m, s]) => M.Logistic(m!, s!),
  LogNormal: ([m, s]) => M.LogNormal(m!, s!),
  Exponential: ([r]) => M.Exponential(r!),
  Uniform: ([l, u]) => M.Uniform(l!, u!),
  Weibull: ([k, l]) => M.Weibull(k!, l!),
};
for (const [name, make] of Object.entries(BASE)) {
  FAMILIES[`Censored(${name})`] = { make: (p, c) => M.Censored(make(p), num(c.lower), num(c.upper)), observed: true };
  FAMILIES[`Truncated(${name})`] = { make: (p, c) => M.Truncated(make(p), num(c.lower), num(c.upper)) };
}

export function shapeOf(v: Value): number[] {
  return Array.isArray(v) ? [v.length, ...shapeOf(v[0]!)] : [];
}

export function flat(v: Value): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

/** The family's name for reporting: Bernoulli.logits → Bernoulli; Censored(Normal) stays. */
export function familyOf(id: string): string {
  return id.includes('(') ? id.replace(/^(\w+)\(.*$/, '$1') : id.split('.')[0]!;
}

/**
 * A model whose log density is exactly the case's: parameters (and x, unless observed) are Flat params with the
 * identity transform, so q = [params…, x] is the point itself.
 */
export function caseModel(c: Case): { model: Model; q: Float64Array; xOffset: number } {
  const spec = FAMILIES[c.id];
  if (!spec) throw new Error(`no family for case id ${c.id}`);
  const qs: number[] = [];
  const mdl = M.model(`case_${c.id.replace(/[^A-Za-z0-9_]/g, '_')}`, (m) => {
    const ps = c.params.map((p, i) => (p === null ? null : m.param(`p${i}`, M.Flat(), { shape: shapeOf(p) })));
    const d = spec.make(ps, c.consts);
    if (spec.observed) m.observe(d, c.x, 'y');
    else m.factor(d.logProb(m.param('x', M.Flat(), { shape: shapeOf(c.x) })).sum());
  });
  for (const p of c.params) if (p !== null) qs.push(...flat(p));
  const xOffset = qs.length;
  if (!spec.observed) qs.push(...flat(c.x));
  return { model: mdl, q: Float64Array.from(qs), xOffset };
}
