// `mlx-nuts summary <files…>`: the summary and warnings of Stan CSV files (CmdStan's or this library's), like stansummary.
import { fitFromStanCsv } from '../fit/fromStanCsv.ts';
import { writeReport } from '../plots/report.ts';

export interface SummaryCliOptions {
  report?: string;
  vars?: string[];
}

export async function runSummary(files: string[], o: SummaryCliOptions): Promise<void> {
  const fit = fitFromStanCsv(files);
  const c = fit.data.config;
  console.log(`${fit.data.modelName}: ${fit.chains} chain${fit.chains === 1 ? '' : 's'} × ${fit.numDraws} draws (warmup ${c.warmup}), ` +
    `from ${files.length} file${files.length === 1 ? '' : 's'}${fit.complete ? '' : ' — incomplete'}`);
  await fit.summaryAsync(); // the columns on worker threads; the table, the warnings and the report reuse its rows
  console.log(fit.summaryTable());
  for (const w of fit.warnings()) console.log(`warning: ${w}`);
  if (o.report) console.log(`report written to ${await writeReport(fit, o.report, { vars: o.vars })}`);
}
