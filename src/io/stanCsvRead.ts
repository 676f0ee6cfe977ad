// Reads one Stan CSV file (this library's or CmdStan's) back into draws, sampler statistics, adaptation and configuration.
import { FileError } from '../base/errors.ts';
import { readFileSync } from 'node:fs';
import { SAMPLER_STATS, type ChainAdaptation, type SamplerStat } from './fitData.ts';
import { parseNumber } from './numbers.ts';
import { elementOrder, fitName, parseStanName } from './stanNames.ts';
import { INCOMPLETE_PREFIX } from './stanCsvFormat.ts';

export interface StanCsvConfig {
  /** Every `key = value` comment before the header row, '(Default)' removed; the first of repeated keys wins. */
  readonly raw: Readonly<Record<string, string>>;
  readonly modelName: string | null;
  readonly method: string | null;
  readonly numSamples: number | null;
  readonly numWarmup: number | null;
  readonly thin: number;
  readonly saveWarmup: boolean;
  /** adapt delta. */
  readonly targetAccept: number | null;
  readonly maxTreeDepth: number | null;
  readonly metric: 'diag' | 'dense' | 'unit' | null;
  readonly seed: number | null;
  /** CmdStan's `id`: the 1-based chain number. */
  readonly chainId: number | null;
  /** Written by mlx-nuts only (null in CmdStan's files). */
  readonly version: string | null;
  readonly backend: string | null;
  readonly dtype: string | null;
  readonly device: string | null;
  readonly compileSeconds: number | null;
  readonly clampHits: number | null;
  /** mlx-nuts's `metric_adaptation` (warmup's metric estimator; null in CmdStan's files and in Stan-adapted runs of older versions). */
  readonly metricAdaptation: 'stan' | 'gradient-diag' | 'low-rank' | null;
  /** mlx-nuts's `warmup_schedule` (`earlyWindow=0.3 stepSizeWindow=0.15 …`) as numbers by field. */
  readonly warmupSchedule: Readonly<Record<string, number>> | null;
}

export type Stats = Readonly<Record<SamplerStat, Float64Array>>;

export interface StanCsv {
  readonly path: string;
  /** Parameter columns in FitData's naming and order: 0-based, row-major ('theta[0]', 'L[1,0]'). */
  readonly columns: readonly string[];
  /** values[column] → post-warmup draws. */
  readonly values: readonly Float64Array[];
  readonly stats: Stats;
  /** Columns ending in '__' that are not one of Stan's seven NUTS statistics. */
  readonly otherStats: Readonly<Record<string, Float64Array>>;
  /** Warmup draws, present only when the file saved them (CmdStan's save_warmup = true). */
  readonly warmup: { readonly values: readonly Float64Array[]; readonly stats: Stats } | null;
  readonly adaptation: ChainAdaptation | null;
  readonly config: StanCsvConfig;
  /** True only with no INCOMPLETE marker, a timing block, and as many draws as num_samples promised. */
  readonly complete: boolean;
  /** Why the file is not complete (null when it is). */
  readonly incompleteReason: string | null;
  readonly timing: { readonly warmupSeconds: number; readonly samplingSeconds: number; readonly totalSeconds: number } | null;
}

function fail(path: string, message: string): never {
  throw new FileError(`[readStanCsv] ${path}: ${message}`);
}

function commentText(line: string): string {
  return line.replace(/^#\s*/, '').trim();
}

function parseConfig(comments: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const line of comments) {
    const parts = commentText(line).split(' = ');
    if (parts.length !== 2) continue;
    const key = parts[0]!.trim();
    const val = parts[1]!.replace('(Default)', '').trim();
    if (key.length > 0 && !(key in raw)) raw[key] = val;
  }
  return raw;
}

const METRIC_ADAPTATIONS = ['stan', 'gradient-diag', 'low-rank'] as const;

function typedConfig(path: string, raw: Record<string, string>): StanCsvConfig {
  const num = (k: string): number | null => {
    const v = raw[k];
    if (v === undefined || v === '') return null;
    const x = parseNumber(v);
    return x === null ? null : x;
  };
  const str = (k: string): string | null => (raw[k] === undefined || raw[k] === '' ? null : raw[k]!);
  const metric = raw.metric === 'diag_e' ? 'diag' : raw.metric === 'dense_e' ? 'dense' : raw.metric === 'unit_e' ? 'unit' : null;
  return {
    raw,
    modelName: str('model'),
    method: str('method'),
    numSamples: num('num_samples'),
    numWarmup: num('num_warmup'),
    thin: num('thin') ?? 1,
    saveWarmup: raw.save_warmup === 'true' || raw.save_warmup === '1',
    targetAccept: num('delta'),
    maxTreeDepth: num('max_depth'),
    metric,
    seed: num('seed'),
    chainId: num('id'),
    version: str('mlx-nuts version'),
    backend: str('backend'),
    dtype: str('dtype'),
    device: str('device'),
    compileSeconds: num('compile_seconds'),
    clampHits: num('clamp_hits'),
    metricAdaptation: metricAdaptationOf(path, raw.metric_adaptation),
    warmupSchedule: warmupScheduleOf(path, raw.warmup_schedule),
  };
}

function metricAdaptationOf(path: string, v: string | undefined): StanCsvConfig['metricAdaptation'] {
  if (v === undefined || v === '') return null;
  const a = METRIC_ADAPTATIONS.find((m) => m === v);
  if (a === undefined) fail(path, `metric_adaptation = ${v}: expected one of ${METRIC_ADAPTATIONS.join(', ')}`);
  return a;
}

function warmupScheduleOf(path: string, v: string | undefined): Record<string, number> | null {
  if (v === undefined || v === '') return null;
  const out: Record<string, number> = {};
  for (const field of v.split(/\s+/)) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(field);
    const x = m ? parseNumber(m[2]!) : null;
    if (!m || x === null) fail(path, `warmup_schedule = ${v}: '${field}' is not name=number`);
    out[m[1]!] = x;
  }
  return out;
}

function numbersOf(path: string, lineNo: number, text: string): number[] {
  return text.split(',').map((t) => {
    const x = parseNumber(t);
    if (x === null) fail(path, `line ${lineNo}: '${t.trim()}' is not a number`);
    return x;
  });
}

/** Parses the adaptation block that starts at `start` (the line after '# Adaptation terminated'). */
function parseAdaptation(path: string, lines: readonly string[], start: number, metric: StanCsvConfig['metric']): ChainAdaptation | null {
  let i = start;
  const stepLine = lines[i];
  if (stepLine === undefined || !stepLine.startsWith('# Step size')) return null;
  const stepSize = parseNumber(stepLine.split('=')[1] ?? '');
  if (stepSize === null) fail(path, `line ${i + 1}: bad step size '${stepLine}'`);
  i++;
  const title = lines[i] ?? '';
  const dense = title.startsWith('# Elements of inverse mass matrix');
  if (!dense && !title.startsWith('# Diagonal elements of inverse mass matrix')) {
    if (metric === 'unit') return null;
    fail(path, `line ${i + 1}: expected the inverse mass matrix after the step size, found '${title}'`);
  }
  i++;
  const rowText = (k: number): string => {
    const l = lines[k];
    if (l === undefined || !l.startsWith('#')) fail(path, `line ${k + 1}: the inverse mass matrix ends early`);
    return commentText(l);
  };
  const first = numbersOf(path, i + 1, rowText(i));
  if (!dense) return { stepSize, metric: 'diag', invMetric: Float64Array.from(first) };
  const dim = first.length;
  const out = new Float64Array(dim * dim);
  out.set(first, 0);
  for (let r = 1; r < dim; r++) {
    const row = numbersOf(path, i + r + 1, rowText(i + r));
    if (row.length !== dim) fail(path, `line ${i + r + 1}: a dense inverse metric row has ${row.length} entries, expected ${dim}`);
    out.set(row, r * dim);
  }
  return { stepSize, metric: 'dense', invMetric: out };
}

function parseTiming(comments: readonly string[]): StanCsv['timing'] {
  const got: Record<string, number> = {};
  for (const line of comments) {
    const m = /([^\s:]+) seconds \((Warm-up|Sampling|Total)\)/.exec(line);
    if (m !== null) {
      const x = parseNumber(m[1]!);
      if (x !== null) got[m[2]!] = x;
    }
  }
  if (got['Warm-up'] === undefined || got.Sampling === undefined) return null;
  return { warmupSeconds: got['Warm-up'], samplingSeconds: got.Sampling, totalSeconds: got.Total ?? got['Warm-up'] + got.Sampling };
}

interface Block {
  readonly rows: number[][];
}

function toColumns(rows: readonly number[][], idx: readonly number[]): Float64Array[] {
  return idx.map((j) => Float64Array.from(rows, (r) => r[j]!));
}

/**
 * Reads a Stan CSV file written by writeStanCsv or by CmdStan's sampler. Parameter columns come back in FitData's
 * naming and order ('L[1,0]', row-major) whatever order the file used; numbers are exact to their written digits.
 * A file cut short (no timing block, an unterminated last line, fewer draws than num_samples) or marked
 * `# INCOMPLETE:` reads with complete = false and the reason; a malformed row throws, naming the line.
 */
export function readStanCsv(path: string): StanCsv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileError(`[readStanCsv] cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let truncatedLast = false;
  if (lines[lines.length - 1] === '') lines.pop();
  else if (lines.length > 0) {
    // no final newline: the writer was stopped inside this line (a draw or a comment), so it is not read
    lines.pop();
    truncatedLast = true;
  }
  const headerIdx = lines.findIndex((l) => !l.startsWith('#') && l.trim() !== '');
  if (headerIdx < 0) fail(path, 'no header row (is this a Stan CSV file?)');
  const header = lines[headerIdx]!.split(',').map((s) => s.trim());
  if (!header.includes('lp__')) fail(path, `the header row has no lp__ column: '${lines[headerIdx]}'`);
  const preamble = lines.slice(0, headerIdx);
  const config = typedConfig(path, parseConfig(preamble));
  if (config.method !== null && config.method !== 'sample') fail(path, `method = ${config.method}; only sampler output is supported`);

  const warmupBlock: Block = { rows: [] };
  const sampleBlock: Block = { rows: [] };
  const comments: string[] = [];
  let adaptation: ChainAdaptation | null = null;
  let adaptSeen = false;
  for (let i = headerIdx + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) {
      comments.push(line);
      if (!adaptSeen && line.startsWith('# Adaptation terminated')) {
        adaptSeen = true;
        try {
          adaptation = parseAdaptation(path, lines, i + 1, config.metric);
        } catch (e) {
          // a block cut off by the end of the file (a run stopped while writing it) reads as no adaptation
          if (lines.slice(i + 1).some((l) => !l.startsWith('#') && l.trim() !== '')) throw e;
          adaptation = null;
        }
      }
      continue;
    }
    if (line.trim() === '') continue;
    const row = numbersOf(path, i + 1, line);
    if (row.length !== header.length) fail(path, `line ${i + 1}: expected ${header.length} values, found ${row.length}`);
    (adaptSeen || !config.saveWarmup ? sampleBlock : warmupBlock).rows.push(row);
  }

  const statIdx = SAMPLER_STATS.map((s) => header.indexOf(s));
  const missing = SAMPLER_STATS.filter((_, k) => statIdx[k]! < 0);
  if (missing.length > 0) fail(path, `the header row lacks the NUTS statistics ${missing.join(', ')}`);
  const otherIdx = header.flatMap((h, j) => (h.endsWith('__') && !(SAMPLER_STATS as readonly string[]).includes(h) ? [j] : []));
  const paramIdx = header.flatMap((h, j) => (h.endsWith('__') ? [] : [j]));
  const parsed = paramIdx.map((j) => parseStanName(header[j]!));
  const order = elementOrder(parsed, false);
  const colIdx = order.map((k) => paramIdx[k]!);
  const statsOf = (b: Block): Stats => {
    const cols = toColumns(b.rows, statIdx);
    return Object.fromEntries(SAMPLER_STATS.map((s, k) => [s, cols[k]!])) as Record<SamplerStat, Float64Array>;
  };
  const otherCols = toColumns(sampleBlock.rows, otherIdx);

  const timing = parseTiming(comments);
  const marker = [...preamble, ...comments].find((l) => l.startsWith(INCOMPLETE_PREFIX));
  const expected = config.numSamples === null ? null : Math.ceil(config.numSamples / config.thin);
  const n = sampleBlock.rows.length;
  const incompleteReason =
    marker !== undefined ? marker.slice(INCOMPLETE_PREFIX.length).trim()
    : truncatedLast ? `the last line is cut off (the file ends without a newline); ${n} whole draws read`
    : timing === null ? `no timing block at the end (the run did not finish); ${n} draws read`
    : expected !== null && n !== expected ? `${n} draws found, num_samples promised ${expected}`
    : null;

  // The streaming writer knows clamp hits only at the end: its footer carries `# clamp_hits = N`.
  const footerClamp = comments.map((l) => /^#\s*clamp_hits = (\d+)\s*$/.exec(l)).find((m) => m !== null);
  const fullConfig = config.clampHits === null && footerClamp ? { ...config, clampHits: Number(footerClamp[1]) } : config;

  return {
    path,
    columns: order.map((k) => fitName(parsed[k]!)),
    values: toColumns(sampleBlock.rows, colIdx),
    stats: statsOf(sampleBlock),
    otherStats: Object.fromEntries(otherIdx.map((j, k) => [header[j]!, otherCols[k]!])),
    warmup: warmupBlock.rows.length > 0 ? { values: toColumns(warmupBlock.rows, colIdx), stats: statsOf(warmupBlock) } : null,
    adaptation,
    config: fullConfig,
    complete: incompleteReason === null,
    incompleteReason,
    timing,
  };
}
