// The text of a CmdStan-format CSV file, shared by the one-shot writer and the streaming writer: comment blocks, header, rows.
import { ModelError, OptionError } from '../base/errors.ts';
import { SAMPLER_STATS, type ChainAdaptation, type FitConfig, type SamplerStat } from './fitData.ts';
import { formatNumber, formatSeconds } from './numbers.ts';
import { elementOrder, parseFitName, stanName, unwritableNameReason } from './stanNames.ts';
import { packageVersion } from './version.ts';

/** The marker line of a file whose chain stopped before all its draws; readStanCsv looks for this prefix anywhere. */
export const INCOMPLETE_PREFIX = '# INCOMPLETE:';

// Stan's warmup constants as DESIGN.md fixes them for this sampler (Stan's dual averaging γ=0.05, κ=0.75, t0=10;
// windows 75/25/50); CmdStan writes them in every header, so we do too.
const ADAPT_CONSTANTS = { gamma: 0.05, kappa: 0.75, t0: 10, init_buffer: 75, term_buffer: 50, window: 25 } as const;

/** What the comment block above the header row says about one chain's run. */
export interface CsvHeaderInfo {
  readonly modelName: string;
  readonly config: FitConfig;
  /** 0-based; written as CmdStan's 1-based `id`. */
  readonly chain: number;
  readonly metric: 'diag' | 'dense';
  readonly fileName: string;
  readonly compileSeconds: number;
  /** Known only after sampling: the one-shot writer puts it in the header, the streaming writer in its footer. */
  readonly clampHits?: number;
  readonly saveWarmup?: boolean;
  readonly thin?: number;
  /** A first line `# INCOMPLETE: <note>` (the one-shot writer knows before writing that a chain stopped early). */
  readonly incompleteNote?: string;
}

/** The comment lines before the header row, as CmdStan lays them out, then this library's own keys. */
export function configLines(h: CsvHeaderInfo): string[] {
  const cfg = h.config;
  const lines: string[] = [];
  if (h.incompleteNote !== undefined) lines.push(`${INCOMPLETE_PREFIX} ${h.incompleteNote}`);
  lines.push(
    `# model = ${h.modelName.replace(/[\r\n]/g, ' ')}`,
    '# method = sample (Default)',
    '#   sample',
    `#     num_samples = ${cfg.draws}`,
    `#     num_warmup = ${cfg.warmup}`,
    `#     save_warmup = ${h.saveWarmup === true ? 'true' : 'false'}`,
    `#     thin = ${h.thin ?? 1}`,
    '#     adapt',
    `#       engaged = ${cfg.warmup > 0 ? 'true' : 'false'}`,
    `#       gamma = ${ADAPT_CONSTANTS.gamma}`,
    `#       delta = ${formatNumber(cfg.targetAccept)}`,
    `#       kappa = ${ADAPT_CONSTANTS.kappa}`,
    `#       t0 = ${ADAPT_CONSTANTS.t0}`,
    `#       init_buffer = ${ADAPT_CONSTANTS.init_buffer}`,
    `#       term_buffer = ${ADAPT_CONSTANTS.term_buffer}`,
    `#       window = ${ADAPT_CONSTANTS.window}`,
    '#       save_metric = false',
    '#     algorithm = hmc (Default)',
    '#       hmc',
    '#         engine = nuts (Default)',
    '#           nuts',
    `#             max_depth = ${cfg.maxTreeDepth}`,
    `#         metric = ${h.metric === 'dense' ? 'dense_e' : 'diag_e'}`,
    `#     num_chains = ${cfg.chains}`,
    `# id = ${h.chain + 1}`,
    '# random',
    `#   seed = ${cfg.seed}`,
    '# output',
    `#   file = ${h.fileName}`,
    '#   sig_figs = 17',
    `# mlx-nuts version = ${packageVersion()}`,
    `# backend = ${cfg.backend}`,
    `# dtype = ${cfg.dtype}`,
    `# device = ${cfg.device}`,
    `# compile_seconds = ${formatSeconds(h.compileSeconds)}`,
  );
  if (cfg.metricAdaptation !== undefined) { // warmup's metric estimator when not Stan's (then the window lines above do not apply)
    lines.push(`# metric_adaptation = ${cfg.metricAdaptation}`);
    if (cfg.warmupSchedule) lines.push(`# warmup_schedule = ${Object.entries(cfg.warmupSchedule).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  if (h.clampHits !== undefined) lines.push(`# clamp_hits = ${h.clampHits}`);
  return lines;
}

/** CmdStan's adaptation block: `# Adaptation terminated`, the step size, the inverse metric (diagonal or dense rows). */
export function adaptationLines(a: ChainAdaptation): string[] {
  const lines = ['# Adaptation terminated', `# Step size = ${formatNumber(a.stepSize)}`];
  const v = Array.from(a.invMetric, formatNumber);
  if (a.metric === 'dense') {
    const dim = Math.round(Math.sqrt(v.length));
    lines.push('# Elements of inverse mass matrix:');
    for (let i = 0; i < dim; i++) lines.push(`# ${v.slice(i * dim, (i + 1) * dim).join(', ')}`);
  } else {
    lines.push('# Diagonal elements of inverse mass matrix:', `# ${v.join(', ')}`);
  }
  return lines;
}

/** CmdStan's closing timing block (the "footer" whose presence marks a finished run). */
export function timingLines(warmupSeconds: number, samplingSeconds: number): string[] {
  return [
    '# ',
    `#  Elapsed Time: ${formatSeconds(warmupSeconds)} seconds (Warm-up)`,
    `#                ${formatSeconds(samplingSeconds)} seconds (Sampling)`,
    `#                ${formatSeconds(warmupSeconds + samplingSeconds)} seconds (Total)`,
    '# ',
  ];
}

/** The header row and the permutation from FitData's column order to the file's (CmdStan's column-major) order. */
export interface CsvLayout {
  readonly header: string;
  /** order[k] = the FitData column written as the k-th parameter column. */
  readonly order: readonly number[];
}

/** Checks every column name (throwing `[fn] column name …`) and lays out the header row: seven statistics, then parameters. */
export function csvLayout(fn: string, columns: readonly string[]): CsvLayout {
  const seen = new Set<string>();
  for (const name of columns) {
    const why = unwritableNameReason(name);
    if (why !== null) throw new ModelError(`[${fn}] column name '${name}' ${why}`);
    const stan = stanName(parseFitName(name));
    if (seen.has(stan)) throw new ModelError(`[${fn}] two columns are both written as '${stan}'`);
    seen.add(stan);
  }
  const names = columns.map(parseFitName);
  const order = elementOrder(names, true);
  return { header: [...SAMPLER_STATS, ...order.map((j) => stanName(names[j]!))].join(','), order };
}

/** One draw as a CSV row: the seven statistics in SAMPLER_STATS order, then `value(order[k])` for each parameter column. */
export function csvRow(stat: (s: SamplerStat) => number, value: (j: number) => number, order: readonly number[]): string {
  const parts: string[] = [];
  for (const s of SAMPLER_STATS) parts.push(formatNumber(stat(s)));
  for (const j of order) parts.push(formatNumber(value(j)));
  return parts.join(',');
}

/** The file-name stem: `fileStem`, or the model name with characters outside [A-Za-z0-9_.-] as '_'. */
export function fileStemOf(fn: string, modelName: string, fileStem?: string): string {
  const stem = fileStem ?? modelName.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (stem.length === 0 || stem === '.' || stem === '..' || /[/\\]/.test(stem)) throw new OptionError(`[${fn}] file stem '${stem}' is not a usable file name`);
  return stem;
}

/** Chain c's file name: `<stem>-<c + 1>.csv` (CmdStan numbers its output files from 1, as its `id`). */
export function chainFileName(stem: string, chain: number): string {
  return `${stem}-${chain + 1}.csv`;
}
