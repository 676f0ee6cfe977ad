// Plots: vega-lite specs from a fit or benchmark records, headless SVG/PNG rendering, the HTML report.
export { VEGA_LITE_SCHEMA, VEGA_LITE_MIME, PLOT_FONT, thinIndices, type VegaLiteSpec, type PlotOptions } from './spec.ts';
export { tracePlot, rankPlot, divergentIndices, type TraceOptions, type RankOptions } from './trace.ts';
export { posteriorPlot, forestPlot, centralInterval, type PosteriorOptions, type ForestOptions } from './posterior.ts';
export { pairPlot, type PairOptions } from './pair.ts';
export { energyPlot, chainEbfmi, type EnergyOptions } from './energy.ts';
export { autocorrelationPlot, type AutocorrOptions } from './autocorr.ts';
export { warmupPlot, type WarmupOptions } from './warmup.ts';
export { benchmarkPlot, benchmarkRatios, benchmarkLabel, type BenchmarkRecord, type BenchmarkOptions } from './benchmark.ts';
export { compileSpec, toSVG, toPNG, type PngOptions } from './render.ts';
export { fitSummary, type TableRow } from './summary.ts';
export { writeReport, reportHtml, type ReportOptions } from './report.ts';
export { reportPlots, type ReportPlot } from './reportPlots.ts';
export { mimeBundle } from './notebook.ts';
