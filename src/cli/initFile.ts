// `--init FILE`: inits from JSON, or a warm start from an earlier run's Stan CSV files or its fit JSON.
import { OptionError } from '../base/errors.ts';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FitData } from '../io/fitData.ts';
import { FIT_JSON_FORMAT, fitFromJSON } from '../io/json.ts';
import { fitDataFromStanCsv } from '../io/stanCsvFit.ts';
import type { InitValues } from '../nuts/init.ts';

export type InitFile = { readonly init: InitValues | InitValues[] } | { readonly warmStart: FitData };

function fail(spec: string, why: string): never {
  throw new OptionError(`[sample] --init ${spec}: ${why}`);
}

/**
 * What `--init` names: a directory of Stan CSV files (one per chain) or CSV files separated by commas → a warm start
 * from their last draws and adaptation blocks; a fit's JSON (fitToJSON) → the same from the fit; any other JSON → the
 * init option as it is (one object of parameter values, or an array of one per chain).
 */
export function readInitFile(spec: string): InitFile {
  const parts = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) fail(spec, 'no file given');
  for (const p of parts) if (!existsSync(p)) fail(spec, `${p} does not exist`);
  if (parts.length === 1 && statSync(parts[0]!).isDirectory()) {
    const files = readdirSync(parts[0]!).filter((f) => f.endsWith('.csv')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (files.length === 0) fail(spec, 'the directory holds no .csv files');
    return { warmStart: fitDataFromStanCsv(files.map((f) => join(parts[0]!, f))) };
  }
  if (parts.some((p) => p.endsWith('.csv'))) {
    const other = parts.find((p) => !p.endsWith('.csv'));
    if (other !== undefined) fail(spec, `${other} is not a .csv file (several files must all be Stan CSV files of one run)`);
    return { warmStart: fitDataFromStanCsv(parts) };
  }
  if (parts.length > 1) fail(spec, 'several files must be Stan CSV files (.csv); give one JSON file');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(parts[0]!, 'utf8'));
  } catch (e) {
    fail(spec, `not valid JSON (${e instanceof Error ? e.message : String(e)}); --init takes JSON, Stan CSV files or a directory of them`);
  }
  if (json !== null && typeof json === 'object' && (json as { format?: unknown }).format === FIT_JSON_FORMAT) return { warmStart: fitFromJSON(json) };
  if (json === null || typeof json !== 'object') fail(spec, 'the JSON must be an object of parameter values by name, or an array of one per chain');
  return { init: json as InitValues | InitValues[] };
}
