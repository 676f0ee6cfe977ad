// The report's summary table: the fit's own (src/fit/warnings.ts summaryRows), so the report never disagrees with the fit.
import type { FitData } from '../io/fitData.ts';
import type { SummaryRow } from '../diagnostics/index.ts';
import { summaryRows } from '../fit/warnings.ts';

/** A table row the report can show: a name and any numeric or text columns (e.g. diagnostics' SummaryRow). */
export type TableRow = { readonly name: string };

/** Per column: mean, sd, MCSE, 5/50/95% quantiles, bulk and tail ESS, rank-normalised R-hat ([] for a fit with no draws). */
export function fitSummary(fit: FitData): SummaryRow[] {
  return summaryRows(fit);
}
