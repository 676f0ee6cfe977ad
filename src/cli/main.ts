#!/usr/bin/env node
// The command line: `mlx-nuts sample <model file>`, `mlx-nuts summary <csv files>`, `mlx-nuts check <model file>`, `mlx-nuts start` (eight_schools demo) and `mlx-nuts bench`.
import { FileError, ModelError } from '../base/errors.ts';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { Model } from '../model/model.ts';
import { registerCheckCommand } from './checkCommand.ts';
import { formatCliError } from './errors.ts';
import { runSample, sampleOptions } from './sampleCommand.ts';
import { listOption, type SampleCliOptions } from './options.ts';
import { runSummary, type SummaryCliOptions } from './summaryCommand.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The model file being run, for error messages that point into it. */
let modelFile: string | undefined;

/** Loads a model module (TypeScript or JavaScript) and returns its default export or its only Model export. */
async function loadModel(file: string): Promise<Model> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new FileError(`[mlx-nuts sample] model file not found: ${abs}`);
  modelFile = abs;
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
  // duck-typed: the model module may have loaded mlx-nuts from its sources rather than from dist/
  const isModel = (v: unknown): v is Model => v instanceof Model ||
    (typeof v === 'object' && v !== null && typeof (v as Model).trace === 'function' && typeof (v as Model).name === 'string');
  if (isModel(mod.default)) return mod.default;
  const models = [...new Set(Object.values(mod).filter(isModel))];
  if (models.length === 1) return models[0]!;
  throw new ModelError(`[mlx-nuts sample] ${file} must export a model (export default model(...)); found ${models.length} Model exports`);
}

const program = new Command().name('mlx-nuts').description('Bayesian inference with NUTS on MLX');
sampleOptions(program.command('sample <model>').description('sample a model file (TypeScript or JavaScript)'))
  .action(async (file: string, o: SampleCliOptions) => runSample(await loadModel(file), o));
sampleOptions(program.command('start').description('sample eight_schools with 4 chains, print the summary, write a report'))
  .action(async (o: SampleCliOptions) => {
    const m = await loadModel(join(root, 'models', 'eight_schools.ts'));
    await runSample(m, { ...o, report: o.report ?? join(root, 'reports', 'eight_schools.html') });
  });
program.command('summary <files...>').description("summary and warnings of Stan CSV files, one per chain (CmdStan's or mlx-nuts')")
  .option('--report <file>', 'also write the HTML report')
  .option('--vars <names>', 'comma-separated variables or columns the report plots', listOption('vars'))
  .action(async (files: string[], o: SummaryCliOptions) => runSummary(files, o));
program.command('bench').description('run the benchmark (see bench/)').allowUnknownOption(true).argument('[args...]')
  .action(async (args: string[]) => {
    const { tsImport } = await import('tsx/esm/api');
    process.argv = [process.argv[0]!, 'bench', ...args];
    await tsImport(pathToFileURL(join(root, 'bench', 'run.ts')).href, import.meta.url);
  });

registerCheckCommand(program, loadModel);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(formatCliError(e, modelFile));
  process.exitCode = 1;
});
