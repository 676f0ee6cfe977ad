// A versioned JSON form of FitData: typed arrays as number arrays, non-finite values and -0 spelled as strings, exact round trip.
import { FileError } from '../base/errors.ts';
import { SAMPLER_STATS, type ChainAdaptation, type FitConfig, type FitData, type SamplerStat, type VariableMeta } from './fitData.ts';

export const FIT_JSON_FORMAT = 'mlx-nuts-fit';
export const FIT_JSON_VERSION = 1;

/** A float in JSON: a plain number, or one of the strings for what JSON numbers cannot hold. */
export type JsonFloat = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

type JsonStats = Record<SamplerStat, JsonFloat[]>;

export interface FitJSON {
  readonly format: typeof FIT_JSON_FORMAT;
  readonly version: typeof FIT_JSON_VERSION;
  readonly modelName: string;
  readonly variables: { name: string; shape: number[]; kind: 'param' | 'deterministic' }[];
  readonly columns: string[];
  readonly config: FitConfig;
  /** values[chain][column][draw]. */
  readonly values: JsonFloat[][][];
  readonly stats: JsonStats[];
  readonly warmupStats: JsonStats[];
  readonly adaptation: { stepSize: JsonFloat; metric: 'diag' | 'dense'; invMetric: JsonFloat[] }[];
  readonly complete: boolean;
  readonly timing: { warmupSeconds: JsonFloat; samplingSeconds: JsonFloat; compileSeconds: JsonFloat };
  readonly clampHits: number[];
}

function enc(x: number): JsonFloat {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0 && Object.is(x, -0)) return '-0';
  return x;
}

const encArr = (a: Float64Array): JsonFloat[] => Array.from(a, enc);
const encStats = (s: Readonly<Record<SamplerStat, Float64Array>>): JsonStats =>
  Object.fromEntries(SAMPLER_STATS.map((k) => [k, encArr(s[k])])) as JsonStats;

/** The JSON form of a fit (pass it to JSON.stringify); fitFromJSON gives back an equal FitData, bit for bit. */
export function fitToJSON(fit: FitData): FitJSON {
  return {
    format: FIT_JSON_FORMAT,
    version: FIT_JSON_VERSION,
    modelName: fit.modelName,
    variables: fit.variables.map((v) => ({ name: v.name, shape: [...v.shape], kind: v.kind })),
    columns: [...fit.columns],
    config: { ...fit.config },
    values: fit.values.map((chain) => chain.map(encArr)),
    stats: fit.stats.map(encStats),
    warmupStats: fit.warmupStats.map(encStats),
    adaptation: fit.adaptation.map((a) => ({ stepSize: enc(a.stepSize), metric: a.metric, invMetric: encArr(a.invMetric) })),
    complete: fit.complete,
    timing: { warmupSeconds: enc(fit.timing.warmupSeconds), samplingSeconds: enc(fit.timing.samplingSeconds), compileSeconds: enc(fit.timing.compileSeconds) },
    clampHits: [...fit.clampHits],
  };
}

// ---- reading: every field is checked, and an error names the path to the bad one ----

function fail(where: string, message: string): never {
  throw new FileError(`[fitFromJSON] ${where}: ${message}`);
}

function obj(x: unknown, where: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(where, 'expected an object');
  return x as Record<string, unknown>;
}

function arr(x: unknown, where: string, length?: number): unknown[] {
  if (!Array.isArray(x)) fail(where, 'expected an array');
  if (length !== undefined && x.length !== length) fail(where, `expected ${length} entries, got ${x.length}`);
  return x;
}

function str(x: unknown, where: string): string {
  if (typeof x !== 'string') fail(where, 'expected a string');
  return x;
}

function finite(x: unknown, where: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(where, 'expected a finite number');
  return x;
}

function count(x: unknown, where: string): number {
  const n = finite(x, where);
  if (!Number.isInteger(n) || n < 0) fail(where, 'expected a non-negative integer');
  return n;
}

function dec(x: unknown, where: string): number {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  if (x === '-0') return -0;
  fail(where, `expected a number or one of "NaN", "Infinity", "-Infinity", "-0", got ${JSON.stringify(x)}`);
}

function floats(x: unknown, where: string, length?: number): Float64Array {
  const a = arr(x, where, length);
  return Float64Array.from(a, (v, i) => dec(v, `${where}[${i}]`));
}

function oneOf<T extends string>(x: unknown, options: readonly T[], where: string): T {
  if (!options.includes(x as T)) fail(where, `expected one of ${options.map((o) => `'${o}'`).join(', ')}, got ${JSON.stringify(x)}`);
  return x as T;
}

function readStats(x: unknown, where: string, n: number | undefined): Record<SamplerStat, Float64Array> {
  const o = obj(x, where);
  return Object.fromEntries(SAMPLER_STATS.map((k) => [k, floats(o[k], `${where}.${k}`, n)])) as Record<SamplerStat, Float64Array>;
}

function readConfig(x: unknown): FitConfig {
  const o = obj(x, 'config');
  return {
    seed: finite(o.seed, 'config.seed'),
    chains: count(o.chains, 'config.chains'),
    warmup: count(o.warmup, 'config.warmup'),
    draws: count(o.draws, 'config.draws'),
    targetAccept: finite(o.targetAccept, 'config.targetAccept'),
    maxTreeDepth: count(o.maxTreeDepth, 'config.maxTreeDepth'),
    metric: oneOf(o.metric, ['diag', 'dense'] as const, 'config.metric'),
    backend: str(o.backend, 'config.backend'),
    dtype: str(o.dtype, 'config.dtype'),
    device: str(o.device, 'config.device'),
    ...(o.engine !== undefined ? { engine: str(o.engine, 'config.engine') } : {}),
    ...(o.metricAdaptation !== undefined ? { metricAdaptation: oneOf(o.metricAdaptation, ['stan', 'gradient-diag', 'low-rank'] as const, 'config.metricAdaptation') } : {}),
    ...(o.warmupSchedule !== undefined ? { warmupSchedule: Object.fromEntries(Object.entries(obj(o.warmupSchedule, 'config.warmupSchedule')).map(([k, v]) => [k, finite(v, `config.warmupSchedule.${k}`)])) } : {}),
  };
}

/** Reads the output of fitToJSON (a FitJSON object, or its JSON text) back into FitData; bad input throws, naming the field. */
export function fitFromJSON(json: unknown): FitData {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      fail('input', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const o = obj(data, 'input');
  if (o.format !== FIT_JSON_FORMAT) fail('format', `expected '${FIT_JSON_FORMAT}', got ${JSON.stringify(o.format)}`);
  if (o.version !== FIT_JSON_VERSION) fail('version', `this library reads version ${FIT_JSON_VERSION}, got ${JSON.stringify(o.version)}`);
  const columns = arr(o.columns, 'columns').map((c, i) => str(c, `columns[${i}]`));
  const variables: VariableMeta[] = arr(o.variables, 'variables').map((v, i) => {
    const vo = obj(v, `variables[${i}]`);
    return {
      name: str(vo.name, `variables[${i}].name`),
      shape: arr(vo.shape, `variables[${i}].shape`).map((d, k) => count(d, `variables[${i}].shape[${k}]`)),
      kind: oneOf(vo.kind, ['param', 'deterministic'] as const, `variables[${i}].kind`),
    };
  });
  const values = arr(o.values, 'values').map((chain, c) => {
    const cols = arr(chain, `values[${c}]`, columns.length).map((col, j) => floats(col, `values[${c}][${j}]`));
    const n = cols[0]?.length;
    cols.forEach((col, j) => {
      if (col.length !== n) fail(`values[${c}][${j}]`, `has ${col.length} draws, column 0 has ${n}`);
    });
    return cols;
  });
  const chains = values.length;
  const stats = arr(o.stats, 'stats', chains).map((s, c) => readStats(s, `stats[${c}]`, values[c]![0]?.length));
  const warmupStats = arr(o.warmupStats, 'warmupStats').map((s, c) => readStats(s, `warmupStats[${c}]`, undefined));
  const adaptation: ChainAdaptation[] = arr(o.adaptation, 'adaptation', chains).map((a, c) => {
    const ao = obj(a, `adaptation[${c}]`);
    const metric = oneOf(ao.metric, ['diag', 'dense'] as const, `adaptation[${c}].metric`);
    const invMetric = floats(ao.invMetric, `adaptation[${c}].invMetric`);
    if (metric === 'dense' && Math.round(Math.sqrt(invMetric.length)) ** 2 !== invMetric.length) {
      fail(`adaptation[${c}].invMetric`, `a dense metric needs dim × dim entries, got ${invMetric.length}`);
    }
    return { stepSize: dec(ao.stepSize, `adaptation[${c}].stepSize`), metric, invMetric };
  });
  if (typeof o.complete !== 'boolean') fail('complete', 'expected true or false');
  const t = obj(o.timing, 'timing');
  return {
    modelName: str(o.modelName, 'modelName'),
    variables,
    columns,
    config: readConfig(o.config),
    values,
    stats,
    warmupStats,
    adaptation,
    complete: o.complete,
    timing: {
      warmupSeconds: dec(t.warmupSeconds, 'timing.warmupSeconds'),
      samplingSeconds: dec(t.samplingSeconds, 'timing.samplingSeconds'),
      compileSeconds: dec(t.compileSeconds, 'timing.compileSeconds'),
    },
    clampHits: arr(o.clampHits, 'clampHits').map((h, i) => count(h, `clampHits[${i}]`)),
  };
}
