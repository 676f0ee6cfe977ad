// writeReport: one self-contained HTML file (summary, warnings, plots) with vega, vega-lite and vega-embed inlined.
import { FileError, OptionError } from '../base/errors.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { FitData } from '../io/fitData.ts';
import type { SummaryRow } from '../diagnostics/index.ts';
import { formatSummaryValue, SUMMARY_COLUMNS } from '../fit/format.ts';
import { drawCount, fitWarnings, noDrawsReason, summaryRows, type Warning } from '../fit/warnings.ts';
import { plottedColumns, reportPlots, type ReportPlotOptions } from './reportPlots.ts';
import { checkFit, PLOT_FONT } from './spec.ts';
import type { TableRow } from './summary.ts';

export interface ReportOptions extends ReportPlotOptions {
  /** Page title (default: "<model> — mlx-nuts report"). */
  readonly title?: string;
  /** Rows to show instead of the default table (the fit's summary: diagnostics' summarize per column). */
  readonly summary?: readonly TableRow[];
}

/** A fit, or anything carrying one as `data` (the Fit class) and perhaps its model as `extras.model`. */
export type ReportInput = FitData | { readonly data: FitData; readonly extras?: { readonly model?: ReportPlotOptions['model'] }; summary?(): SummaryRow[] };

function unwrap(input: ReportInput, opts: ReportOptions): { fit: FitData; opts: ReportOptions; rows?: SummaryRow[] } {
  if (input !== null && typeof input === 'object' && 'data' in input && !('values' in input)) {
    const model = opts.model ?? input.extras?.model;
    // a Fit keeps the summary it made (Fit.summary, summaryAsync): the report uses those rows
    const rows = input.summary?.();
    return { fit: input.data, opts: model !== undefined ? { ...opts, model } : opts, ...(rows ? { rows } : {}) };
  }
  return { fit: input as FitData, opts };
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
      throw new FileError(`[writeReport] cannot read ${pkg}'s browser build ${file} (is ${pkg} installed?): ${(e as Error).message}`);
    }
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
/** Inline-script safe: no `</script`, no `<!--`. */
const scriptSafe = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
const jsonSafe = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function formatCell(key: string, v: number | string): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (SUMMARY_COLUMNS.some((c) => c.key === key) || key === 'mcseSd') return formatSummaryValue(key, v);
  if (!Number.isFinite(v)) return 'NA';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return String(v);
  return formatSummaryValue('value', v);
}

function summaryHtml(rows: readonly TableRow[], empty: string): string {
  if (rows.length === 0) return `<p class="nodraws">${escapeHtml(empty)}</p>`;
  const standard = SUMMARY_COLUMNS.every((c) => c.key in rows[0]!);
  const keys = standard ? SUMMARY_COLUMNS.map((c) => c.key as string) : Object.keys(rows[0]!).filter((k) => k !== 'name');
  const heading = (k: string) => SUMMARY_COLUMNS.find((c) => c.key === k)?.heading ?? k;
  const head = `<tr><th>name</th>${keys.map((k) => `<th>${escapeHtml(heading(k))}</th>`).join('')}</tr>`;
  const cell = (k: string, v: unknown) => (typeof v === 'number' || typeof v === 'string' ? formatCell(k, v) : '');
  const body = rows
    .map((r) => `<tr><td>${escapeHtml(r.name)}</td>${keys.map((k) => `<td>${cell(k, (r as Record<string, unknown>)[k])}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="summary"><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function warningsHtml(warnings: readonly Warning[]): string {
  if (warnings.length === 0) {
    return '<p class="ok">No warnings: no divergences, no tree depth hits, E-BFMI ≥ 0.3, R-hat ≤ 1.01, bulk and tail ESS ≥ 100 per chain, all values finite.</p>';
  }
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
p.note, p.shown { color: #444; font-size: 0.9em; margin: 4px 0; } p.shown { font-weight: bold; } p.nodraws { color: #8a1c1c; font-weight: bold; }
`;

/** The report as one HTML string (no external resources: scripts, styles and data are all inline). */
export function reportHtml(input: ReportInput, options: ReportOptions = {}): string {
  const { fit, opts, rows: kept } = unwrap(input, options);
  checkFit('writeReport', fit);
  const rows: SummaryRow[] = kept ?? summaryRows(fit);
  const summary = opts.summary ?? rows;
  const warnings = fitWarnings(fit, rows);
  const plots = reportPlots(fit, opts, rows);
  const none = noDrawsReason(fit);
  const shown = none === null ? plottedColumns(fit, opts).note : null;
  const title = opts.title ?? `${fit.modelName} — mlx-nuts report`;
  const c = fit.config;
  const n = drawCount(fit);
  const meta =
    `${fit.values.length} chains (numbered 0–${fit.values.length - 1}) × ${n} draws (warmup ${c.warmup}), seed ${c.seed}, ${c.metric} metric, target accept ${c.targetAccept}, ` +
    `max tree depth ${c.maxTreeDepth}; backend ${c.backend} (${c.dtype}, ${c.device}); ` +
    `compile ${fit.timing.compileSeconds.toFixed(2)} s, warmup ${fit.timing.warmupSeconds.toFixed(2)} s, sampling ${fit.timing.samplingSeconds.toFixed(2)} s.`;
  // vega-embed warns when a spec's $schema names another major version than the bundled vega-lite; the specs stay
  // v5-valid, so the report passes them without $schema and names the mode instead.
  const specs: Record<string, unknown> = {};
  for (const p of plots) {
    const { $schema: _schema, ...rest } = p.spec;
    specs[p.id] = rest;
  }
  const sections = plots
    .map((p) => `<h2>${escapeHtml(p.heading)}</h2>\n${p.note ? `<p class="note">${escapeHtml(p.note)}</p>\n` : ''}<div class="plot" id="${p.id}"></div>`)
    .join('\n');
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
<div class="table-wrap">${summaryHtml(summary, none ?? 'No columns.')}</div>
${shown ? `<p class="shown" id="shown">${escapeHtml(shown)}</p>` : ''}
${none !== null ? `<p class="nodraws">${escapeHtml(none)}: the plots of draws are left out${plots.length > 0 ? '; the warmup view shows how far adaptation got' : ''}.</p>` : ''}
${sections}
${vendor}
<script>${scriptSafe(boot)}</script>
</body>
</html>
`;
}

/** Writes the report to `path` (parent folders created) and returns its absolute path. */
export async function writeReport(fit: ReportInput, path: string, opts: ReportOptions = {}): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) throw new OptionError('[writeReport] path must be a non-empty string');
  const html = reportHtml(fit, opts);
  const abs = resolve(path);
  try {
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, html, 'utf8');
  } catch (e) {
    throw new FileError(`[writeReport] cannot write path '${path}': ${(e as Error).message}`);
  }
  return abs;
}
