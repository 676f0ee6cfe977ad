// sample(model, draws, options): initialise, warm up, sample; returns a Fit. Yields to the event loop as it goes.
import { logDensity, logDensitySync, resolveOptions } from '../backend/logDensity.ts';
import type { ModelDensity } from '../backend/modelDensity.ts';
import { UnsupportedOpError } from '../codegen/functionEmitter.ts';
import type { BackendName, Device, Dtype } from '../base/types.ts';
import { loadNative } from '../backend/native.ts';
import { Fit } from '../fit/fit.ts';
import { flatNames, SAMPLER_STATS, type FitData, type SamplerStat, type VariableMeta } from '../io/fitData.ts';
import type { Model } from '../model/model.ts';
import { logClamp } from '../precision/policy.ts';
import { OptionError } from '../base/errors.ts';
import { POOLED_FROM_CHAINS, SAMPLE_DEFAULTS } from '../base/defaults.ts';
import { chainStream } from '../random/philox.ts';
import { StanCsvStream } from '../io/stanCsvStream.ts';
import { hydrate } from '../io/stateCodec.ts';
import { fileStemOf } from '../io/stanCsvFormat.ts';
import { Checkpointer, checkpointSchedule, restoreWarmupStats, type Restored } from './checkpoint.ts';
import { readDrawsBack, resumeDir, runIdentity } from './resume.ts';
import { applyWarmStart, warmStartFor } from './warmStart.ts';
import { initialPoints, type InitValues } from './init.ts';
import { callCounter } from './integrator.ts';
import type { PointState } from './kernel.ts';
import { fromPoints, toPoints, typescriptKernel } from './transitionKernel.ts';
import type { KernelRun, TransitionKernel } from '../kernel/seam.ts';
import { emptyStats as emptyTransitionStats } from '../kernel/seam.ts';
import { ProgressReporter } from './progress.ts';
import { warmupFinal, warmupInit, warmupUpdate } from './warmup.ts';
import { pooledWarmupInit, pooledWarmupUpdate } from './pooledWarmup.ts';
import { defaultMetricAdaptation } from '../base/defaults.ts';
import { gradientWarmupInit, gradientWarmupUpdate } from './gradientWarmup.ts';
import { METRIC_ADAPTATIONS, resolveGradientSchedule } from './gradientSchedule.ts';
import { recordedMetric } from '../kernel/metric.ts';
import { canRunNativeWarmup, kernelSearcher, nativePooledWarmup } from './nativeWarmup.ts';
import { checkChainPart, checkpointStemOf } from './chainPart.ts';
import { infoAt, record, recordChunk } from './recordDraws.ts';
import { chainBlocks, checkFitMemory, fitTarget, statsRecord } from './fitBlocks.ts';
import { totalmem } from 'node:os';
import { DivergenceLog } from './divergences.ts';
import { ChainSummaryAccumulator, SUMMARY_DIVERGENCE_DETAILS, SUMMARY_WINDOW } from '../fit/chainSummaries.ts';
import { pageInBlocks } from './pageIn.ts';
import { checkSampleOptions, type SampleOptions } from './sampleOptions.ts';

/**
 * A KernelRun's draws and statistics when the kernel wrote them into the fit's arrays itself (sampleInto); and the
 * draws of a keep 'summary' fit, which has none.
 */
const NONE = new Float64Array(0);
const NO_STATS = emptyTransitionStats(0);

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Sampling calls cover this many milliseconds of work each unless the kernel asks otherwise (TransitionKernel.callMs). */
const CHUNK_MS = 40;

/** The density for `sample`: the fused engine unless told otherwise, the MLX graph when fused cannot and may fall back. */
async function densityFor(model: Model, opts: SampleOptions, backend: BackendName, dtype: Dtype, device: Device): Promise<ModelDensity> {
  if (backend !== 'fused') return logDensitySync(model, { backend, dtype, device });
  try {
    return await logDensity(model, { backend, dtype, device });
  } catch (e) {
    const fallback = opts.allowFallback ?? opts.backend === undefined;
    if (!fallback) throw e;
    const why = e instanceof UnsupportedOpError ? `it has no code for op '${e.op}'` : (e as Error).message;
    process.emitWarning(`[sample] the fused engine cannot run '${model.name}' (${why}); sampling on the MLX graph instead`);
    return logDensitySync(model, { backend: 'mlx', dtype: opts.dtype ?? 'float32', device });
  }
}

/** Runs NUTS with Stan's warmup on `model` and returns `draws` post-warmup draws per chain. */
export async function sample(model: Model, draws: number = SAMPLE_DEFAULTS.draws, options: SampleOptions = {}): Promise<Fit> {
  const { numDraws, thin, saveWarmup, keep: keepMode, warmup, chains, seed, delta, maxTreeDepth, metricKind } = checkSampleOptions(draws, options);
  /** Iterations kept out of n: 0, thin, 2·thin, … */
  const keptOf = (n: number) => Math.ceil(n / thin);
  // keep 'summary': the fit's blocks hold one window of kept draws, folded into each chain's moments after every call
  const window = keepMode === 'summary' ? Math.min(keptOf(numDraws), SUMMARY_WINDOW) : 0;
  const resolved = resolveOptions('sample', options);
  const { device } = resolved;
  const metricAdaptation = options.metricAdaptation ?? defaultMetricAdaptation({ device, adaptation: options.adaptation, metric: options.metric });
  if (!METRIC_ADAPTATIONS.includes(metricAdaptation)) throw new OptionError(`[sample] metricAdaptation must be ${METRIC_ADAPTATIONS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(metricAdaptation)}`);
  if (metricAdaptation !== 'stan' && options.metric !== undefined && options.metric !== 'diag') throw new OptionError(`[sample] metricAdaptation '${metricAdaptation}' estimates its own metric; metric must be left out or 'diag', got '${options.metric}'`);
  if (metricAdaptation === 'stan' && options.warmupSchedule !== undefined) throw new OptionError("[sample] warmupSchedule sets the schedule of metricAdaptation 'gradient-diag' or 'low-rank'; this run uses 'stan'");
  const gradientSchedule = resolveGradientSchedule(options.warmupSchedule);
  // the low-rank metric is recorded as its full inverse (dense rows in the fit and the CSV adaptation block)
  const recordedKind = metricAdaptation === 'low-rank' ? 'dense' : metricKind;
  const adaptationConfig = metricAdaptation === 'stan' ? {} : { metricAdaptation, warmupSchedule: gradientSchedule };
  if (metricAdaptation === 'low-rank' && device === 'gpu') throw new OptionError("[sample] metricAdaptation 'low-rank' runs on the CPU engines; on device 'gpu' use 'gradient-diag' or 'stan'");
  if (Array.isArray(options.init) && options.init.length !== chains) {
    throw new OptionError(`[sample] init has ${options.init.length} entries but there are ${chains} chains`);
  }
  // the draws must fit in memory: checked on the traced model's columns before anything is compiled or sampled
  const traced = model.trace(resolved.dtype);
  checkFitMemory({ chains, columns: [...traced.params, ...traced.deterministics].reduce((t, v) => t + v.shape.reduce((p, x) => p * x, 1), 0),
    kept: window || keptOf(numDraws), warmup: window ? 0 : warmup, keptWarmup: saveWarmup ? keptOf(warmup) : 0 }, totalmem());
  // a resume is checked against its checkpoint before anything is compiled (the model is traced, which is cheap)
  const resumeFrom = resumeDir(options.resume, options.output);
  const outDir = options.output ?? resumeFrom ?? undefined;
  const schedule = outDir !== undefined ? checkpointSchedule(options.checkpoint) : null;
  if (options.warmStart !== undefined && options.init !== undefined) throw new OptionError('[sample] give init or warmStart, not both (a warm start takes its inits from the earlier fit)');
  const ws = options.warmStart !== undefined ? warmStartFor(options.warmStart, traced, chains) : null;
  const identity = schedule !== null || resumeFrom !== null ? runIdentity(traced, {
    seed, chains, warmup, draws: numDraws, thin, saveWarmup, targetAccept: delta, maxTreeDepth, metric: metricKind, backend: resolved.backend,
    dtype: resolved.dtype, device, adaptation: options.adaptation ?? 'default', init: options.init, warmStart: ws ?? undefined, metricAdaptation,
    warmupSchedule: metricAdaptation === 'stan' ? '' : Object.entries(gradientSchedule).map(([k, v]) => `${k}=${v}`).join(' '),
  }, options) : null;
  const stem = outDir !== undefined ? checkpointStemOf(fileStemOf('sample', model.name), options.part) : '';
  const saved: Restored | null = resumeFrom !== null ? Checkpointer.load(resumeFrom, stem, identity!, warmup).saved : null;
  const startIteration = saved?.iteration ?? 0;
  const t0 = performance.now();
  const d = await densityFor(model, options, resolved.backend, resolved.dtype, device);
  const backend = d.backend;
  const dtype = d.dtype;
  const compileSeconds = d.compileSeconds ?? (performance.now() - t0) / 1000;
  const pin = (options.mlx?.pinThreads ?? true) && process.env['MLX_NUTS_PIN'] !== '0' && backend === 'mlx' && device === 'cpu';
  const pinned = pin && loadNative().pinCpuThreads();
  try {
    if (options.part) checkChainPart(options.part, chains);
    const firstChain = options.part?.firstChain ?? 0;
    const chainIds = Array.from({ length: chains }, (_, c) => firstChain + c);
    const streams = chainIds.map((c) => chainStream(seed, c));
    const inits = ws ? ws.inits : Array.isArray(options.init) ? options.init : Array.from({ length: chains }, () => options.init as InitValues | undefined);
    const stream = outDir !== undefined ? (saved ? (o: Parameters<typeof StanCsvStream.open>[0]) => StanCsvStream.resume(o, saved.stream) : StanCsvStream.open)({
      dir: outDir, modelName: d.model.name, overwrite: options.overwrite === true, compileSeconds,
      columns: [...d.model.params, ...d.model.deterministics].flatMap((v) => flatNames(v.name, v.shape)),
      firstChain, chainCount: chains, config: { seed, chains: options.part?.totalChains ?? chains, warmup, draws: numDraws, targetAccept: delta, maxTreeDepth, metric: recordedKind, backend, dtype, device, thin, saveWarmup, ...adaptationConfig },
      saveWarmup, thin,
    }) : null;
    let streamClosed = false;
    let settlePaging = () => {};
    try {
    let points: PointState[] = saved ? toPoints(saved.state) : initialPoints(d, streams, firstChain, inits);
    const kernel: TransitionKernel = d.kernel ? d.kernel(seed, chainIds, maxTreeDepth) : typescriptKernel(d, seed, chainIds, maxTreeDepth);
    const variables: VariableMeta[] = [
      ...d.model.params.map((p) => ({ name: p.name, shape: p.shape, kind: 'param' as const })),
      ...d.model.deterministics.map((p) => ({ name: p.name, shape: p.shape, kind: 'deterministic' as const })),
    ];
    const columns = variables.flatMap((v) => flatNames(v.name, v.shape));
    const valueBlocks = chainBlocks(chains, columns.length, window || keptOf(numDraws));
    const statBlocks = chainBlocks(chains, SAMPLER_STATS.length, window || keptOf(numDraws));
    const summaries = window ? new ChainSummaryAccumulator(chains, columns.length, maxTreeDepth) : null;
    const values = valueBlocks.views;
    const stats = statBlocks.views.map(statsRecord);
    const warmupValues = saveWarmup ? points.map(() => columns.map(() => new Float64Array(keptOf(warmup)))) : null;
    // keep 'summary' keeps no per-iteration warmup statistics either (they grow with chains × warmup)
    const warmupStatBlocks = chainBlocks(chains, SAMPLER_STATS.length, window ? 0 : warmup);
    const warmupStats = warmupStatBlocks.views.map(statsRecord);
    const clampHits = saved ? [...saved.clampHits] : new Array<number>(chains).fill(0);
    if (saved) {
      if (saved.engine !== kernel.name) throw new OptionError(`[sample] resume: the checkpoint was written by the '${saved.engine}' engine, this run has '${kernel.name}'`);
      restoreWarmupStats(saved, warmupStats);
      readDrawsBack(stream!.paths, columns, keptOf(Math.max(0, startIteration - warmup)), keptOf(Math.min(startIteration, warmup)), values, stats, warmupValues);
    }
    const clampedSlices = d.model.params.filter((p) => /^(log|lower|upper)/.test(p.transform.name));
    const L = logClamp(dtype);
    const progress = new ProgressReporter(options.progress ?? false, chains, warmup, numDraws);
    callCounter.calls = 0;
    let kernelCalls = 0;

    const tw = performance.now();
    // the whole run's chains decide (a process's share of a spread run adapts as one process of all of them would)
    const adaptation = options.adaptation ?? (kernel.name === 'fused-gpu' && (options.part?.totalChains ?? chains) >= POOLED_FROM_CHAINS ? 'pooled' : 'chain');
    if (adaptation !== 'chain' && adaptation !== 'pooled') throw new OptionError(`[sample] adaptation must be 'chain' or 'pooled', got '${String(adaptation)}'`);
    if (adaptation === 'pooled' && metricAdaptation !== 'stan' && options.part?.gatherMoments) throw new OptionError(`[sample] metricAdaptation '${metricAdaptation}' pools the chains of one process only; with chains split over processes and adaptation 'pooled' use metricAdaptation 'stan'`);
    let state = fromPoints(points, d.dim);
    const gw = metricAdaptation !== 'stan' ? gradientWarmupInit(d, state, streams, warmup, delta, metricAdaptation, adaptation === 'pooled', gradientSchedule) : null;
    // the first step-size search in the kernel where the kernel will run the warmup (GPU: one launch, not a round of
    // batched density calls per doubling)
    const pooled = adaptation === 'pooled' && !gw ? pooledWarmupInit(d, state, streams, warmup, delta, metricKind, 1,
      metricKind === 'diag' && warmupValues === null ? kernelSearcher(kernel, state.chains, d.dim) : undefined) : null;
    const w = gw ?? pooled ?? warmupInit(d, points, streams, warmup, delta, metricKind);
    if (saved) hydrate(w, saved.warmup);
    else if (ws?.adaptation) applyWarmStart(w, d, points, streams, ws.adaptation, warmup);
    const cp = schedule && stream ? (saved ? Checkpointer.continueFrom(outDir!, stem, identity!, schedule, warmup, saved) : Checkpointer.begin(outDir!, stem, identity!, schedule, warmup)) : null;
    if (cp) cp.engine = kernel.name;
    let warmupTotal: number | null = null;
    const snapshot = (iteration: number) => ({
      iteration, state, warmup: w, warmupStats, clampHits, elapsed: {
        warmupSeconds: warmupTotal ?? (saved?.elapsed.warmupSeconds ?? 0) + (performance.now() - tw) / 1000,
        samplingSeconds: warmupTotal === null ? 0 : (saved?.elapsed.samplingSeconds ?? 0) + (performance.now() - ts) / 1000,
      },
    });
    if (cp && !saved) cp.save(snapshot(0), stream!);
    let aborted = false;
    let lastYield = performance.now();
    const warmupEps = new Float64Array(chains);
    const divergences = new DivergenceLog(chains, d.dim, warmup, window ? SUMMARY_DIVERGENCE_DETAILS : Infinity);
    let firstHostIteration = 0;
    const nativeWarmup = pooled !== null && startIteration === 0 && canRunNativeWarmup(kernel, pooled, warmupValues !== null);
    // the warmup statistics only where the kernel writes them itself (nothing else may write a block until settled)
    settlePaging = pageInBlocks(device === 'gpu' && !saved, [nativeWarmup && !window ? warmupStatBlocks.block : null, statBlocks.block, valueBlocks.block]);
    if (nativeWarmup) { // the kernel runs the iterations (GPU)
      const r = await nativePooledWarmup(pooled, d, state, streams, kernel, {
        warmupStats, warmupStatsBlock: window ? null : warmupStatBlocks.block, gather: options.part?.gatherMoments, yieldToLoop, aborted: () => options.signal?.aborted === true, divergences,
        progress: options.progress ? (n, info, eps) => progress.update('warmup', n, info, eps) : undefined,
      });
      state = r.state;
      aborted = r.aborted;
      firstHostIteration = warmup;
    }
    for (let it = Math.max(firstHostIteration, startIteration); it < warmup; it++) {
      const eps = warmupEps;
      eps.set(w.stepSizes);
      const r = await kernel.run(state, { stepSizes: eps, metrics: w.metrics }, it, 1);
      kernelCalls++;
      state = r.state;
      divergences.add(r, it, 1);
      if (warmupValues && it % thin === 0) {
        const wi = it / thin;
        for (let k = 0; k < chains; k++) {
          let row: Float64Array;
          if (r.constrained) row = r.constrained.subarray(k * columns.length, (k + 1) * columns.length);
          else {
            const cv = d.constrain(r.q.slice(k * d.dim, (k + 1) * d.dim));
            row = Float64Array.from(variables.flatMap((v) => Array.from(cv[v.name]!)));
          }
          for (let c = 0; c < columns.length; c++) warmupValues[k]![c]![wi] = row[c]!;
          if (stream) {
            const st = {
              lp__: r.stats.lp[k]!, accept_stat__: r.stats.acceptStat[k]!, stepsize__: eps[k]!, treedepth__: r.stats.treeDepth[k]!,
              n_leapfrog__: r.stats.nLeapfrog[k]!, divergent__: r.stats.divergent[k]!, energy__: r.stats.energy[k]!,
            };
            stream.draw(k, Float64Array.from(row), st);
          }
        }
      }
      if (gw) {
        for (let k = 0; k < chains; k++) record(warmupStats[k]!, it, r, k, eps[k]!);
        gradientWarmupUpdate(gw, d, state, r, streams);
        if (options.progress) progress.update('warmup', it + 1, Array.from({ length: chains }, (_, k) => infoAt(r, k)), w.stepSizes);
      } else if (pooled) {
        for (let k = 0; k < chains; k++) record(warmupStats[k]!, it, r, k, eps[k]!);
        await pooledWarmupUpdate(pooled, d, state, r, streams, options.part?.gatherMoments);
        if (options.progress) progress.update('warmup', it + 1, Array.from({ length: chains }, (_, k) => infoAt(r, k)), w.stepSizes);
      } else {
        points = toPoints(state);
        const info = points.map((_, k) => infoAt(r, k));
        info.forEach((_, k) => record(warmupStats[k]!, it, r, k, eps[k]!));
        warmupUpdate(w, d, points, info, streams);
        progress.update('warmup', it + 1, info, w.stepSizes);
      }
      if (performance.now() - lastYield > 25) {
        await yieldToLoop();
        lastYield = performance.now();
      }
      if (cp && (options.signal?.aborted || (it + 1 < warmup && (w.schedule.windowEnds.includes(it) || cp.due(it + 1))))) cp.save(snapshot(it + 1), stream!);
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
    }
    const stepSizes = warmupFinal(w);
    if (stream && !aborted && !(saved && saved.iteration >= warmup && saved.stream.adapted.every(Boolean))) {
      stepSizes.forEach((e, k) => stream.adaptation(k, { stepSize: e, ...recordedMetric(w.metrics[k]!) }));
      stream.flush();
      if (cp) cp.save(snapshot(warmup), stream);
    }
    settlePaging();
    const warmupSeconds = (saved?.elapsed.warmupSeconds ?? 0) + (startIteration < warmup ? (performance.now() - tw) / 1000 : 0);
    warmupTotal = warmupSeconds;
    const kp0 = kernel.profile ? { ...kernel.profile } : null;
    const ts = performance.now();
    let done = Math.max(0, startIteration - warmup);
    let recordMs = 0;
    const callsBefore = callCounter.calls;
    const kernelCallsBefore = kernelCalls;
    d.takeProfile?.();
    const eps = Float64Array.from(stepSizes);
    let chunk = 1;
    const cols = columns.length;
    const intoFit = kernel.sampleInto && thin === 1
      ? fitTarget(valueBlocks, statBlocks, window || numDraws, d.dim, L, clampedSlices, chains) : null;
    while (!aborted && done < numDraws) {
      // with a summary window the blocks start at this call's first kept draw and take at most `window` of them
      const base = window ? keptOf(done) : 0;
      const count = Math.min(chunk, numDraws - done, window ? (base + window) * thin - done : Infinity);
      const tc = performance.now();
      const fast = !stream && !options.progress; // many GPU chains: the copy is the host's main cost (recordDraws.ts)
      const into = fast && intoFit ? { ...intoFit, offset: done - base } : null; // the kernel writes the fit's arrays itself
      const r: KernelRun = into ? { ...await kernel.sampleInto!(state, { stepSizes: eps, metrics: w.metrics }, warmup + done, count, into), q: NONE, stats: NO_STATS }
        : await kernel.run(state, { stepSizes: eps, metrics: w.metrics }, warmup + done, count, { chainMajor: fast });
      kernelCalls++;
      const callMs = performance.now() - tc;
      state = r.state;
      divergences.add(r, warmup + done, count);
      const tr = performance.now();
      let kept = count;
      if (into) {
        for (let k = 0; k < chains; k++) {
          stats[k]!.stepsize__.fill(eps[k]!, done - base, done - base + count);
          clampHits[k]! += into.clampHits[k]!;
        }
        into.clampHits.fill(0);
      } else if (r.constrained && fast) {
        recordChunk({ stats, values, stepSizes: eps, clampHits, clamped: clampedSlices, clamp: L, dim: d.dim }, r, count, done, thin, base);
      } else for (let j = 0; j < count; j++) {
        const iter = done + j;
        const keep = iter % thin === 0;
        const it = keep ? iter / thin - base : -1; // the kept draw's index (in the summary window, from its start)
        for (let k = 0; keep && k < chains; k++) {
          const e = r.chainMajor ? k * count + j : j * chains + k;
          record(stats[k]!, it, r, e, eps[k]!);
          const qo = e * d.dim;
          if (r.constrained) {
            const ro = e * cols;
            const vk = values[k]!;
            for (let c = 0; c < cols; c++) vk[c]![it] = r.constrained[ro + c]!;
          } else {
            const c = d.constrain(r.q.slice(qo, qo + d.dim));
            let col = 0;
            for (const v of variables) for (const x of c[v.name]!) values[k]![col++]![it] = x;
          }
          // no allocation per draw here: with thousands of chains (the GPU engine) this loop is the host's main cost
          let hit = false;
          for (const p of clampedSlices) for (let i = qo + p.offset; i < qo + p.offset + p.size; i++) if (Math.abs(r.q[i]!) >= L) hit = true;
          if (hit) clampHits[k]!++;
          if (stream) {
            const st = stats[k]!;
            const row = new Float64Array(cols);
            for (let c = 0; c < cols; c++) row[c] = values[k]![c]![it]!;
            stream.draw(k, row, Object.fromEntries(SAMPLER_STATS.map((n) => [n, st[n][it]!])) as Record<SamplerStat, number>);
          }
        }
        if (options.progress) progress.update('sampling', iter + 1, Array.from({ length: chains }, (_, k) => infoAt(r, j * chains + k)), stepSizes);
        if (options.signal?.aborted) { // stop after this iteration, as with one call per iteration
          kept = j + 1;
          break;
        }
      }
      summaries?.fold(values, stats, keptOf(done + kept) - base);
      recordMs += performance.now() - tr;
      done += kept;
      // grow the chunk while calls are short: fewer native calls, same draws (each transition is addressed by iteration)
      const target = kernel.callMs ?? CHUNK_MS;
      if (callMs < target / 2) chunk = Math.min(chunk * 2, 1 << 16);
      else if (callMs > target * 2 && chunk > 1) chunk = Math.max(1, chunk >> 1);
      if (performance.now() - lastYield > 25) {
        await yieldToLoop();
        lastYield = performance.now();
      }
      if (options.signal?.aborted) aborted = true;
      // the state is that of iteration warmup + done only when the whole chunk was kept
      if (cp && done < numDraws && kept === count && (aborted || cp.due(warmup + done))) cp.save(snapshot(warmup + done), stream!);
    }
    progress.stop();
    const samplingSeconds = (saved?.elapsed.samplingSeconds ?? 0) + (performance.now() - ts) / 1000;
    const np = d.takeProfile?.();
    const profile = np ? {
      nativeValueAndGrad: np.buildSeconds + np.evalSeconds, nativeGraphBuild: np.buildSeconds, nativeEval: np.evalSeconds,
      hostDeviceCopies: np.copySeconds, nativeLeapfrog: np.leapfrogHostSeconds, recordDraws: recordMs / 1000,
      typescript: samplingSeconds - np.buildSeconds - np.evalSeconds - np.copySeconds - np.leapfrogHostSeconds - recordMs / 1000,
      gradientCalls: np.calls, primitivesPerCall: np.primitives,
    } : undefined;
    const nativeCalls = kernel.name === 'typescript' ? callCounter.calls - callsBefore : kernelCalls - kernelCallsBefore;
    const cut = <T extends Float64Array>(a: T) => (done < numDraws ? (a.slice(0, keptOf(done)) as T) : a);
    const divergenceList = divergences.lazyList(warmup + done);
    const data: FitData = {
      modelName: d.model.name,
      variables,
      columns,
      config: {
        seed, chains, warmup, draws: numDraws, targetAccept: delta, maxTreeDepth, metric: recordedKind, backend, dtype, device,
        thin, saveWarmup, ...adaptationConfig,
        engine: kernel.name,
      },
      values: summaries ? values.map((vs) => vs.map(() => NONE)) : values.map((vs) => vs.map(cut)),
      ...(warmupValues ? { warmupValues } : {}),
      stats: stats.map((s) => statsRecord(SAMPLER_STATS.map((k) => (summaries ? NONE : cut(s[k]))))),
      ...(summaries ? { chainSummaries: summaries.result() } : {}),
      warmupStats,
      adaptation: stepSizes.map((e, k) => ({ stepSize: e, ...recordedMetric(w.metrics[k]!) })),
      complete: !aborted && done === numDraws,
      timing: { warmupSeconds, samplingSeconds, compileSeconds },
      clampHits,
      get divergences() { return divergenceList(); },
    };
    const kp = kernel.profile;
    const kernelProfile = kp && kp0 ? {
      warmupNativeSeconds: kp0.nativeSeconds, samplingNativeSeconds: kp.nativeSeconds - kp0.nativeSeconds,
      warmupCalls: kp0.calls, samplingCalls: kp.calls - kp0.calls,
    } : undefined;
    const engineReport = { nativeCallsPerDraw: done > 0 ? nativeCalls / done : 0, kernelProfile, mlxProfile: profile };
    const fit = new Fit(data, { model: d.model, engine: engineReport });
    if (stream) {
      stream.close({
        warmupSeconds, samplingSeconds, clampHits, complete: data.complete,
        reason: data.complete ? undefined : `stopped after ${done} of ${numDraws} draws${done === 0 ? ' (during warmup)' : ''}`,
      });
      streamClosed = true;
    }
    cp?.finish(data.complete && !stream?.error && options.part?.keepCheckpoint !== true);
    return stream?.error ? new Fit(data, { ...fit.extras, outputError: stream.error }) : fit;
    } finally {
      settlePaging(); // a run that failed during warmup
      if (stream && !streamClosed) stream.close({ warmupSeconds: 0, samplingSeconds: 0, complete: false, reason: 'sampling failed' });
    }
  } finally {
    if (pinned) loadNative().unpinCpuThreads();
    d.dispose();
  }
}
