// Writes one CmdStan-format CSV per chain: configuration comments, header row, adaptation block, draws, timing.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { SAMPLER_STATS, type FitData } from '../fit/types.ts';
import { formatNumber, formatSeconds } from './numbers.ts';
import { elementOrder, parseFitName, stanName, unwritableNameReason } from './stanNames.ts';
import { packageVersion } from './version.ts';

export interface WriteStanCsvOptions {
  /** Replace existing files of the same names (default false: refuse and write nothing). */
  readonly overwrite?: boolean;
  /** File name stem: files are `<stem>-<chain + 1>.csv` (default: the model name, with characters outside [A-Za-z0-9_.-] as '_'). */
  readonly fileStem?: string;
}

/** The marker line of a file whose chain stopped before all its draws; readStanCsv looks for this prefix. */
export const INCOMPLETE_PREFIX = '# INCOMPLETE:';

// Stan's warmup constants as DESIGN.md fixes them for this sampler (Stan's dual averaging γ=0.05, κ=0.75, t0=10;
// windows 75/25/50); CmdStan writes them in every header, so we do too.
const ADAPT_CONSTANTS = { gamma: 0.05, kappa: 0.75, t0: 10, init_buffer: 75, term_buffer: 50, window: 25 } as const;

function fail(message: string): never {
  throw new Error(`[writeStanCsv] ${message}`);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks that the fit's arrays agree with one another; returns the number of draws per chain. */
function checkFit(fit: FitData): number[] {
  const chains = fit.values.length;
  if (chains === 0) fail('the fit has no chains (values is empty); nothing to write');
  if (fit.stats.length !== chains) fail(`values has ${chains} chains but stats has ${fit.stats.length}`);
  if (fit.adaptation.length !== chains) fail(`values has ${chains} chains but adaptation has ${fit.adaptation.length}`);
  const seen = new Set<string>();
  for (const name of fit.columns) {
    const why = unwritableNameReason(name);
    if (why !== null) fail(`column name '${name}' ${why}`);
    const stan = stanName(parseFitName(name));
    if (seen.has(stan)) fail(`two columns are both written as '${stan}'`);
    seen.add(stan);
  }
  const draws: number[] = [];
  for (let c = 0; c < chains; c++) {
    const cols = fit.values[c]!;
    if (cols.length !== fit.columns.length) fail(`chain ${c} has ${cols.length} value columns but columns names ${fit.columns.length}`);
    const stats = fit.stats[c]!;
    const n = cols.length > 0 ? cols[0]!.length : (stats.lp__?.length ?? 0);
    cols.forEach((col, j) => {
      if (col.length !== n) fail(`chain ${c}, column '${fit.columns[j]}' has ${col.length} draws, column 0 has ${n}`);
    });
    for (const s of SAMPLER_STATS) {
      const a = stats[s];
      if (a === undefined) fail(`chain ${c} has no sampler statistic ${s}`);
      if (a.length !== n) fail(`chain ${c}, statistic ${s} has ${a.length} draws, the values have ${n}`);
    }
    if (n > fit.config.draws) fail(`chain ${c} has ${n} draws, more than config.draws = ${fit.config.draws}`);
    const a = fit.adaptation[c]!;
    const m = a.invMetric.length;
    if (a.metric === 'dense' && Math.round(Math.sqrt(m)) ** 2 !== m) fail(`chain ${c}: a dense invMetric needs dim × dim entries, got ${m}`);
    draws.push(n);
  }
  return draws;
}

function stemOf(fit: FitData, opts: WriteStanCsvOptions): string {
  const stem = opts.fileStem ?? fit.modelName.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (stem.length === 0 || stem === '.' || stem === '..' || /[/\\]/.test(stem)) fail(`file stem '${stem}' is not a usable file name`);
  return stem;
}

/** The comment lines before the header row, as CmdStan lays them out, then this library's own keys. */
function configLines(fit: FitData, chain: number, n: number, fileName: string, modelName: string): string[] {
  const cfg = fit.config;
  const lines: string[] = [];
  const incomplete = !fit.complete || n < cfg.draws;
  if (incomplete) lines.push(`${INCOMPLETE_PREFIX} sampling was aborted after ${n} of ${cfg.draws} draws`);
  lines.push(
    `# model = ${modelName}`,
    '# method = sample (Default)',
    '#   sample',
    `#     num_samples = ${cfg.draws}`,
    `#     num_warmup = ${cfg.warmup}`,
    '#     save_warmup = false',
    '#     thin = 1',
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
    `#         metric = ${fit.adaptation[chain]!.metric === 'dense' ? 'dense_e' : 'diag_e'}`,
    `#     num_chains = ${cfg.chains}`,
    `# id = ${chain + 1}`,
    '# random',
    `#   seed = ${cfg.seed}`,
    '# output',
    `#   file = ${fileName}`,
    '#   sig_figs = 17',
    `# mlx-nuts version = ${packageVersion()}`,
    `# backend = ${cfg.backend}`,
    `# dtype = ${cfg.dtype}`,
    `# device = ${cfg.device}`,
    `# compile_seconds = ${formatSeconds(fit.timing.compileSeconds)}`,
    `# clamp_hits = ${fit.clampHits[chain] ?? 0}`,
  );
  return lines;
}

function adaptationLines(fit: FitData, chain: number): string[] {
  const a = fit.adaptation[chain]!;
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

function timingLines(fit: FitData): string[] {
  const { warmupSeconds: w, samplingSeconds: s } = fit.timing;
  return [
    '# ',
    `#  Elapsed Time: ${formatSeconds(w)} seconds (Warm-up)`,
    `#                ${formatSeconds(s)} seconds (Sampling)`,
    `#                ${formatSeconds(w + s)} seconds (Total)`,
    '# ',
  ];
}

/** Writes one chain's file through `<path>.partial`, renamed into place only once complete. */
function writeChain(fit: FitData, chain: number, n: number, path: string, fileName: string, order: number[], header: string): void {
  const partial = `${path}.partial`;
  let fd: number | null = null;
  try {
    fd = openSync(partial, 'wx');
    const head = [...configLines(fit, chain, n, fileName, fit.modelName.replace(/[\r\n]/g, ' ')), header, ...adaptationLines(fit, chain)];
    writeSync(fd, head.join('\n') + '\n');
    const stats = SAMPLER_STATS.map((s) => fit.stats[chain]![s]);
    const cols = order.map((j) => fit.values[chain]![j]!);
    let buf: string[] = [];
    let size = 0;
    for (let i = 0; i < n; i++) {
      const parts: string[] = [];
      for (const s of stats) parts.push(formatNumber(s[i]!));
      for (const col of cols) parts.push(formatNumber(col[i]!));
      const row = parts.join(',');
      buf.push(row);
      size += row.length;
      if (size > 1 << 20) {
        writeSync(fd, buf.join('\n') + '\n');
        buf = [];
        size = 0;
      }
    }
    if (buf.length > 0) writeSync(fd, buf.join('\n') + '\n');
    writeSync(fd, timingLines(fit).join('\n') + '\n');
    closeSync(fd);
    fd = null;
    renameSync(partial, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        /* already failing; the original error is the one to report */
      }
    }
    try {
      if (existsSync(partial)) unlinkSync(partial);
    } catch {
      /* leave the .partial file: its name says it is not a finished file */
    }
    fail(`could not write ${path}: ${errText(e)}`);
  }
}

/** Makes sure `dir` is a writable directory (creating it if absent) and no target would be overwritten unasked. */
function prepare(dir: string, paths: string[], overwrite: boolean): void {
  if (typeof dir !== 'string' || dir.length === 0) fail('the output directory must be a non-empty path');
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) fail(`output directory ${dir} exists and is not a directory`);
  } else {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      fail(`cannot create output directory ${dir}: ${errText(e)}`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    fail(`output directory ${dir} is not writable: ${errText(e)}`);
  }
  for (const p of paths) {
    for (const target of [p, `${p}.partial`]) {
      if (!existsSync(target)) continue;
      if (statSync(target).isDirectory()) fail(`${target} is a directory; nothing was written`);
      if (!overwrite) fail(`${target} already exists; pass { overwrite: true } to replace it (nothing was written)`);
    }
  }
  if (overwrite) for (const p of paths) if (existsSync(`${p}.partial`)) unlinkSync(`${p}.partial`);
}

/**
 * Writes `<stem>-<chain + 1>.csv` in `dir` for every chain, in CmdStan's layout (read by ArviZ's from_cmdstan,
 * cmdstanpy's from_csv and readStanCsv), and returns the paths. Each file appears only once complete; a chain
 * with fewer draws than config.draws (or a fit marked incomplete) gets an `# INCOMPLETE:` line at the top.
 * Existing files are left alone unless `overwrite`; on any error nothing already on disk is lost.
 * Parameters are named and ordered as CmdStan does: 1-based, dot-separated, column-major (`L.1.1, L.2.1, L.1.2`).
 * Warmup draws are not written (CmdStan's save_warmup = false); fitToJSON keeps everything.
 */
export function writeStanCsv(fit: FitData, dir: string, opts: WriteStanCsvOptions = {}): string[] {
  const draws = checkFit(fit);
  const stem = stemOf(fit, opts);
  const names = fit.columns.map(parseFitName);
  const order = elementOrder(names, true);
  const header = [...SAMPLER_STATS, ...order.map((j) => stanName(names[j]!))].join(',');
  const files = draws.map((_, c) => `${stem}-${c + 1}.csv`);
  const paths = files.map((f) => join(dir, f));
  prepare(dir, paths, opts.overwrite === true);
  draws.forEach((n, c) => {
    try {
      writeChain(fit, c, n, paths[c]!, files[c]!, order, header);
    } catch (e) {
      const done = paths.slice(0, c);
      throw new Error(`${errText(e)}${done.length > 0 ? ` (complete files already written: ${done.join(', ')})` : ''}`);
    }
  });
  return paths;
}
