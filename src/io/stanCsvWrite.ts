// Writes one CmdStan-format CSV per chain at once: configuration comments, header row, adaptation block, draws, timing.
import { FileError } from '../base/errors.ts';
import { closeSync, existsSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SAMPLER_STATS, type FitData } from './fitData.ts';
import { checkOutput } from './outputCheck.ts';
import { adaptationLines, configLines, csvLayout, csvRow, timingLines } from './stanCsvFormat.ts';

export interface WriteStanCsvOptions {
  /** Replace existing files of the same names (default false: refuse and write nothing). */
  readonly overwrite?: boolean;
  /** File name stem: files are `<stem>-<chain + 1>.csv` (default: the model name, with characters outside [A-Za-z0-9_.-] as '_'). */
  readonly fileStem?: string;
}

function fail(message: string): never {
  throw new FileError(`[writeStanCsv] ${message}`);
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

/** Writes one chain's file through `<path>.partial`, renamed into place only once complete. */
function writeChain(fit: FitData, chain: number, n: number, path: string, fileName: string, order: readonly number[], header: string): void {
  const partial = `${path}.partial`;
  let fd: number | null = null;
  try {
    fd = openSync(partial, 'wx');
    const cfg = fit.config;
    const incomplete = !fit.complete || n < cfg.draws;
    const head = [
      ...configLines({
        modelName: fit.modelName, config: cfg, chain, metric: fit.adaptation[chain]!.metric, fileName,
        compileSeconds: fit.timing.compileSeconds, clampHits: fit.clampHits[chain] ?? 0,
        incompleteNote: incomplete ? `sampling was aborted after ${n} of ${cfg.draws} draws` : undefined,
      }),
      header,
      ...adaptationLines(fit.adaptation[chain]!),
    ];
    writeSync(fd, head.join('\n') + '\n');
    const stats = fit.stats[chain]!;
    const cols = fit.values[chain]!;
    let buf: string[] = [];
    let size = 0;
    for (let i = 0; i < n; i++) {
      const row = csvRow((s) => stats[s][i]!, (j) => cols[j]![i]!, order);
      buf.push(row);
      size += row.length;
      if (size > 1 << 20) {
        writeSync(fd, buf.join('\n') + '\n');
        buf = [];
        size = 0;
      }
    }
    if (buf.length > 0) writeSync(fd, buf.join('\n') + '\n');
    writeSync(fd, timingLines(fit.timing.warmupSeconds, fit.timing.samplingSeconds).join('\n') + '\n');
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
  const { header, order } = csvLayout('writeStanCsv', fit.columns);
  if (typeof dir !== 'string' || dir.length === 0) fail('the output directory must be a non-empty path');
  const plan = checkOutput(dir, { fn: 'writeStanCsv', chains: draws.length, modelName: fit.modelName, fileStem: opts.fileStem, overwrite: opts.overwrite === true });
  const paths = plan.paths.map((p) => join(dir, basename(p)));
  const files = paths.map((p) => basename(p));
  if (opts.overwrite === true) for (const p of paths) if (existsSync(`${p}.partial`)) unlinkSync(`${p}.partial`);
  draws.forEach((n, c) => {
    try {
      writeChain(fit, c, n, paths[c]!, files[c]!, order, header);
    } catch (e) {
      const done = paths.slice(0, c);
      throw new FileError(`${errText(e)}${done.length > 0 ? ` (complete files already written: ${done.join(', ')})` : ''}`);
    }
  });
  return paths;
}
