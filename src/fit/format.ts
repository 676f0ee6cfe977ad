// Number formats of the summary, one set for the text table, the CLI and the HTML report: R-hat 3 decimals, ESS integers.
import type { SummaryRow } from '../diagnostics/index.ts';

/** The summary's columns, in the order they are shown, with their printed headings. */
export const SUMMARY_COLUMNS: readonly { readonly key: keyof SummaryRow; readonly heading: string }[] = [
  { key: 'mean', heading: 'mean' },
  { key: 'sd', heading: 'sd' },
  { key: 'mcseMean', heading: 'mcse' },
  { key: 'q5', heading: 'q5' },
  { key: 'q50', heading: 'q50' },
  { key: 'q95', heading: 'q95' },
  { key: 'essBulk', heading: 'ess_bulk' },
  { key: 'essTail', heading: 'ess_tail' },
  { key: 'rhat', heading: 'rhat' },
];

/**
 * One summary value as text: 'NA' when not finite (posterior's NA); ESS as a whole number; R-hat with 3 decimals;
 * other values with 3 decimals, or 3 significant digits in exponent form outside [0.001, 100000).
 */
export function formatSummaryValue(key: string, x: number): string {
  if (!Number.isFinite(x)) return 'NA';
  if (key === 'essBulk' || key === 'essTail' || key === 'ess_bulk' || key === 'ess_tail') return String(Math.round(x));
  if (key === 'rhat') return x.toFixed(3);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return x.toFixed(3);
}

/** The summary as an aligned text table; with no rows, the headings and `emptyNote` (e.g. 'no draws: …'). */
export function summaryText(rows: readonly SummaryRow[], emptyNote = 'no columns'): string {
  const head = ['name', ...SUMMARY_COLUMNS.map((c) => c.heading)];
  const body = rows.map((r) => [r.name, ...SUMMARY_COLUMNS.map((c) => formatSummaryValue(c.key, r[c.key] as number))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...(body.length > 0 ? body.map(line) : [`(${emptyNote})`])].join('\n');
}
