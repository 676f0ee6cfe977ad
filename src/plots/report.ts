// writeReport: one self-contained HTML file (summary, warnings, plots) with vega, vega-lite and vega-embed inlined.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { FitData } from '../fit/types.ts';
import { autocorrelationPlot } from './autocorr.ts';
import { energyPlot } from './energy.ts';
import { pairPlot } from './pair.ts';
import { forestPlot, posteriorPlot } from './posterior.ts';
import { checkFit, drawsPerChain, PLOT_FONT, type VegaLiteSpec } from './spec.ts';
import { fitSummary, fitWarnings, type TableRow, type Warning } from './summary.ts';
import { rankPlot, tracePlot } from './trace.ts';
import { warmupPlot } from './warmup.ts';

export interface ReportOptions {
  /** Page title (default: "<model> — mlx-nuts report"). */
  readonly title?: string;
  /** Columns or variables for the trace, rank, density and autocorrelation plots (default: the first `maxParams`). */
  readonly params?: readonly string[];
  /** How many columns those plots show when `params` is not given (default 6). */
  readonly maxParams?: number;
  /** Two to eight columns or variables for the pair plot (default: the first two columns). */
  readonly pairParams?: readonly string[];
  /** Rows to show instead of the default table (`fitSummary(fit)`: diagnostics' summarize per column). */
  readonly summary?: readonly TableRow[];
  /** Thinning limits: draws per chain in traces (default 400), points in the pair plot (default 1000). */
  readonly maxDraws?: number;
  readonly maxPoints?: number;
}

/** One plot of the report: the element id, a heading, and the spec. */
export interface ReportPlot {
  readonly id: string;
  readonly heading: string;
  readonly spec: VegaLiteSpec;
}

/** The plots a report shows for a fit (warmup only when the fit recorded warmup statistics). */
export function reportPlots(fit: FitData, opts: ReportOptions = {}): ReportPlot[] {
  const p = { params: opts.params, maxParams: opts.maxParams };
  const plots: ReportPlot[] = [
    { id: 'plot-trace', heading: 'Trace', spec: tracePlot(fit, { ...p, maxDraws: opts.maxDraws }) },
    { id: 'plot-rank', heading: 'Rank plot', spec: rankPlot(fit, p) },
    { id: 'plot-posterior', heading: 'Posterior densities', spec: posteriorPlot(fit, p) },
    { id: 'plot-forest', heading: 'Forest plot', spec: forestPlot(fit, { params: opts.params, maxParams: 40 }) },
  ];
  if (fit.columns.length >= 2) {
    plots.push({ id: 'plot-pair', heading: 'Pair plot', spec: pairPlot(fit, { params: opts.pairParams, maxPoints: opts.maxPoints }) });
  }
  plots.push({ id: 'plot-energy', heading: 'Energy', spec: energyPlot(fit) });
  if (drawsPerChain(fit) >= 2) plots.push({ id: 'plot-autocorr', heading: 'Autocorrelation', spec: autocorrelationPlot(fit, p) });
  if (fit.warmupStats.some((s) => (s.stepsize__?.length ?? 0) > 0)) {
    plots.push({ id: 'plot-warmup', heading: 'Warmup', spec: warmupPlot(fit, { maxDraws: opts.maxDraws }) });
  }
  return plots;
}

/** The minified browser builds of vega, vega-lite and vega-embed, read from node_modules. */
export function vendorScripts(): { name: string; code: string }[] {
  const require = createRequire(import.meta.url);
  const files: [string, string][] = [
    ['vega', 'vega.min.js'],
    ['vega-lite', 'vega-lite.min.js'],
    ['vega-embed', 'vega-embed.min.js'],
  ];
  return files.map(([pkg, file]) => {
    let path: string;
    try {
      path = join(dirname(require.resolve(pkg)), file);
      return { name: pkg, code: readFileSync(path, 'utf8') };
    } catch (e) {
      throw new Error(`[writeReport] cannot read ${pkg}'s browser build ${file} (is ${pkg} installed?): ${(e as Error).message}`);
    }
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
/** Inline-script safe: no `</script`, no `<!--`. */
const scriptSafe = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
const jsonSafe = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function formatCell(v: number | string): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : v.toPrecision(4).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m));
}

function summaryHtml(rows: readonly TableRow[]): string {
  if (rows.length === 0) return '<p>No columns.</p>';
  const keys = Object.keys(rows[0]!).filter((k) => k !== 'name');
  const head = `<tr><th>name</th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr>`;
  const cell = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? formatCell(v) : '');
  const body = rows
    .map((r) => `<tr><td>${escapeHtml(r.name)}</td>${keys.map((k) => `<td>${cell((r as Record<string, unknown>)[k])}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="summary"><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function warningsHtml(warnings: readonly Warning[]): string {
  if (warnings.length === 0) return '<p class="ok">No warnings: no divergences, no tree depth hits, E-BFMI ≥ 0.3, R-hat ≤ 1.01.</p>';
  return `<ul class="warnings">${warnings.map((w) => `<li data-kind="${w.kind}">${escapeHtml(w.message)}</li>`).join('')}</ul>`;
}

const STYLE = `
body { font-family: '${PLOT_FONT}', system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 0.9em; }
table.summary { border-collapse: collapse; font-size: 0.85em; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #eee; }
table.summary th:first-child, table.summary td:first-child { text-align: left; }
.table-wrap { max-height: 480px; overflow: auto; display: inline-block; border: 1px solid #eee; }
ul.warnings li { color: #8a1c1c; margin: 4px 0; } p.ok { color: #1c6b2a; }
.plot { margin: 8px 0 16px; overflow-x: auto; } .plot-error { color: #8a1c1c; white-space: pre-wrap; }
`;

/** The report as one HTML string (no external resources: scripts, styles and data are all inline). */
export function reportHtml(fit: FitData, opts: ReportOptions = {}): string {
  checkFit('writeReport', fit);
  const summary = opts.summary ?? fitSummary(fit);
  const warnings = fitWarnings(fit, summary);
  const plots = reportPlots(fit, opts);
  const title = opts.title ?? `${fit.modelName} — mlx-nuts report`;
  const c = fit.config;
  const n = drawsPerChain(fit);
  const meta =
    `${fit.values.length} chains × ${n} draws (warmup ${c.warmup}), seed ${c.seed}, ${c.metric} metric, target accept ${c.targetAccept}, ` +
    `max tree depth ${c.maxTreeDepth}; backend ${c.backend} (${c.dtype}, ${c.device}); ` +
    `compile ${fit.timing.compileSeconds.toFixed(2)} s, warmup ${fit.timing.warmupSeconds.toFixed(2)} s, sampling ${fit.timing.samplingSeconds.toFixed(2)} s.`;
  // vega-embed warns when a spec's $schema names another major version than the bundled vega-lite; the specs stay
  // v5-valid, so the report passes them without $schema and names the mode instead.
  const specs: Record<string, unknown> = {};
  for (const p of plots) {
    const { $schema: _schema, ...rest } = p.spec;
    specs[p.id] = rest;
  }
  const sections = plots.map((p) => `<h2>${escapeHtml(p.heading)}</h2>\n<div class="plot" id="${p.id}"></div>`).join('\n');
  const vendor = vendorScripts()
    .map((v) => `<script data-lib="${v.name}">\n${scriptSafe(v.code)}\n</script>`)
    .join('\n');
  const boot = `
(function () {
  var specs = ${jsonSafe(specs)};
  var ids = Object.keys(specs);
  var done = 0;
  Promise.all(ids.map(function (id) {
    return vegaEmbed('#' + id, specs[id], { mode: 'vega-lite', renderer: 'svg', actions: false }).then(function () {
      done++;
    }, function (err) {
      var el = document.getElementById(id);
      el.innerHTML = '<div class="plot-error"></div>';
      el.firstChild.textContent = 'Could not draw this plot: ' + err;
      console.error('[writeReport] plot ' + id + ' failed:', err);
    });
  })).then(function () {
    document.body.setAttribute('data-rendered', String(done) + '/' + String(ids.length));
  });
})();`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
<h2>Warnings</h2>
${warningsHtml(warnings)}
<h2>Summary</h2>
<div class="table-wrap">${summaryHtml(summary)}</div>
${sections}
${vendor}
<script>${scriptSafe(boot)}</script>
</body>
</html>
`;
}

/** Writes the report to `path` (parent folders created) and returns its absolute path. */
export async function writeReport(fit: FitData, path: string, opts: ReportOptions = {}): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) throw new Error('[writeReport] path must be a non-empty string');
  const html = reportHtml(fit, opts);
  const abs = resolve(path);
  try {
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, html, 'utf8');
  } catch (e) {
    throw new Error(`[writeReport] cannot write path '${path}': ${(e as Error).message}`);
  }
  return abs;
}
