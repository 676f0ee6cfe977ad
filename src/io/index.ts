// Output and input of fits: Stan CSV (CmdStan's layout) and a versioned JSON form.
export { writeStanCsv, INCOMPLETE_PREFIX, type WriteStanCsvOptions } from './stanCsvWrite.ts';
export { readStanCsv, type StanCsv, type StanCsvConfig } from './stanCsvRead.ts';
export { fitToJSON, fitFromJSON, FIT_JSON_FORMAT, FIT_JSON_VERSION, type FitJSON, type JsonFloat } from './json.ts';
export { checkOutput, prepareDirectory, type OutputCheckOptions, type OutputPlan } from './outputCheck.ts';
export { StanCsvStream, type StanCsvStreamOptions, type StanCsvStreamEnd } from './stanCsvStream.ts';
export { fitDataFromStanCsv } from './stanCsvFit.ts';
