// Output and input of fits: Stan CSV (CmdStan's layout) and a versioned JSON form.
// The Stan CSV reader and writer are written here, without a CSV library: CmdStan's files are '#' comment blocks
// (configuration, adaptation, timing) around one header and rows of plain numbers, with no quoting or embedded
// separators, and what matters is those comment blocks, streaming with flushes and marking incomplete files, which a
// generic CSV library does not do (csv-parse, csv-stringify and ml-matrix were declared once and never used: dropped).
export { writeStanCsv, type WriteStanCsvOptions } from './stanCsvWrite.ts';
export { INCOMPLETE_PREFIX } from './stanCsvFormat.ts';
export { readStanCsv, type StanCsv, type StanCsvConfig } from './stanCsvRead.ts';
export { fitToJSON, fitFromJSON, FIT_JSON_FORMAT, FIT_JSON_VERSION, type FitJSON, type JsonFloat } from './json.ts';
export { checkOutput, prepareDirectory, type OutputCheckOptions, type OutputPlan } from './outputCheck.ts';
export { StanCsvStream, type StanCsvStreamOptions, type StanCsvStreamEnd } from './stanCsvStream.ts';
export { fitDataFromStanCsv } from './stanCsvFit.ts';
