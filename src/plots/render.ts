// Rendering without a browser: vega-lite → Vega (warnings captured), SVG through vega's headless View, PNG via resvg.
import { OptionError } from '../base/errors.ts';
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_FONT, type VegaLiteSpec } from './spec.ts';

/** One message a logger received, with its level. */
export interface LogEntry {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
}

/** A logger (vega-util's LoggerInterface) that records instead of printing. */
export function captureLogger(): { logger: LoggerLike; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  let level = 4;
  const push = (l: LogEntry['level']) =>
    function (this: LoggerLike, ...args: unknown[]) {
      entries.push({ level: l, message: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') });
      return this;
    };
  const logger: LoggerLike = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: push('error'),
    warn: push('warn'),
    info: push('info'),
    debug: push('debug'),
  } as LoggerLike;
  return { logger, entries };
}

/** The shape of vega-util's LoggerInterface, restated so callers need not import vega-util. */
export interface LoggerLike {
  level(_?: number): number | LoggerLike;
  error(...args: unknown[]): LoggerLike;
  warn(...args: unknown[]): LoggerLike;
  info(...args: unknown[]): LoggerLike;
  debug(...args: unknown[]): LoggerLike;
}

/**
 * Compiles a vega-lite spec to Vega; returns the warnings vega-lite logged instead of printing them.
 * vega and vega-lite are loaded on first use: vega's canvas probe has a top-level await, which would otherwise stop
 * CommonJS callers (notebook kernels such as tslab) from require()-ing this package at all.
 */
export async function compileSpec(spec: VegaLiteSpec): Promise<{ vega: Vega.Spec; warnings: string[] }> {
  if (spec === null || typeof spec !== 'object' || typeof spec.$schema !== 'string') {
    throw new OptionError('[compileSpec] spec must be a vega-lite spec object with a $schema');
  }
  const { compile } = await import('vega-lite');
  const { logger, entries } = captureLogger();
  let out: { spec: Vega.Spec };
  try {
    out = compile(spec as unknown as TopLevelSpec, { logger: logger as never });
  } catch (e) {
    throw new OptionError(`[compileSpec] vega-lite could not compile the spec: ${(e as Error).message}`);
  }
  return { vega: out.spec, warnings: entries.filter((e) => e.level === 'warn' || e.level === 'error').map((e) => e.message) };
}

/** Runs a spec through a headless Vega View (renderer 'none'), calls `fn` with it and releases it. */
async function withView<T>(fn: string, spec: VegaLiteSpec, use: (view: Vega.View) => Promise<T>): Promise<T> {
  const { vega: vg } = await compileSpec(spec);
  const vega = await import('vega');
  const { logger, entries } = captureLogger();
  const view = new vega.View(vega.parse(vg), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  try {
    await view.runAsync();
    const errors = entries.filter((e) => e.level === 'error');
    if (errors.length > 0) throw new OptionError(`[${fn}] vega reported: ${errors.map((e) => e.message).join('; ')}`);
    return await use(view);
  } finally {
    view.finalize();
  }
}

/** The chart as an SVG string (text widths are estimated: no canvas package in Node). */
export async function toSVG(spec: VegaLiteSpec): Promise<string> {
  return withView('toSVG', spec, (view) => view.toSVG());
}

export interface PngOptions {
  /** Zoom factor over the SVG's size (default 2, for sharp images on high-density screens). */
  readonly scale?: number;
  /** Background colour (default white; 'transparent' for none). */
  readonly background?: string;
}

/** DejaVu Sans files, when the system has them: loading only these makes the PNG independent of other fonts. */
function fontFiles(): string[] {
  const dirs = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF'];
  for (const d of dirs) {
    const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => `${d}/${f}`).filter((f) => existsSync(f));
    if (files.length > 0) return files;
  }
  return [];
}

/** The chart as PNG bytes: SVG from vega, rasterised by resvg with the report's font. */
export async function toPNG(spec: VegaLiteSpec, opts: PngOptions = {}): Promise<Uint8Array> {
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new OptionError(`[toPNG] scale must be in (0, 16], got ${scale}`);
  const svg = await toSVG(spec);
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: opts.background === 'transparent' ? undefined : (opts.background ?? 'white'),
    font: {
      loadSystemFonts: files.length === 0,
      fontFiles: files,
      defaultFontFamily: PLOT_FONT,
      sansSerifFamily: PLOT_FONT,
    },
  });
  return new Uint8Array(resvg.render().asPng());
}
