// fitFromStanCsv(files): a Fit from Stan CSV files, one per chain (CmdStan's output, or this library's streamed or written files).
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import { fitDataFromStanCsv } from '../io/stanCsvFit.ts';
import { Fit, modelFor } from './fit.ts';

/**
 * Reads one Stan CSV file per chain into a Fit: summary, warnings, report and draws work as for a fit from sample().
 * Pass `model` (the same model and data) to get posterior predictive checks and the unconstrained pair plot.
 */
export function fitFromStanCsv(files: string | readonly string[], opts: { model?: Model | TracedModel } = {}): Fit {
  const data = fitDataFromStanCsv(files);
  return new Fit(data, { model: opts.model !== undefined ? modelFor(data, opts.model, 'fitFromStanCsv') : undefined });
}
