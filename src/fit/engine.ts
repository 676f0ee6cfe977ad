// What the engine that ran a fit reports about itself (fit.engine): its name, native calls per draw, where time went.

/** Fused engines (CPU and GPU): seconds inside the native transition calls during warmup and sampling, and their number. */
export interface KernelProfile {
  readonly warmupNativeSeconds: number;
  readonly samplingNativeSeconds: number;
  readonly warmupCalls: number;
  readonly samplingCalls: number;
}

/** The TypeScript transition over the MLX density: post-warmup sampling time split (seconds). */
export interface MlxProfile {
  /** Compiled value-and-grad: nativeGraphBuild + nativeEval. */
  readonly nativeValueAndGrad: number;
  /** The compiled function's call (MLX builds this call's graph from its compiled tape) and releasing that graph. */
  readonly nativeGraphBuild: number;
  /** mx::eval: scheduling each primitive and running its kernel on MLX's stream thread (the two overlap). */
  readonly nativeEval: number;
  /** Host⇄device copies (building input arrays, reading results back). */
  readonly hostDeviceCopies: number;
  /** Leapfrog position/momentum updates on the host inside the native trajectory call. */
  readonly nativeLeapfrog: number;
  /** Constraining each draw and storing it with its sampler statistics. */
  readonly recordDraws: number;
  /** The rest, in TypeScript: tree building, U-turn checks, step bookkeeping. */
  readonly typescript: number;
  readonly gradientCalls: number;
  /** MLX primitives in one value-and-grad call's graph (each is scheduled separately). */
  readonly primitivesPerCall: number;
}

/** What sample() learnt about the engine while it ran (absent on a fit read from files or JSON). */
export interface EngineReport {
  /** Native (device) calls per post-warmup draw, summed over the batch of chains. */
  readonly nativeCallsPerDraw: number;
  /** Fused engines: time in the native transition calls. */
  readonly kernelProfile?: KernelProfile;
  /** The TypeScript transition over MLX: where post-warmup time went (absent on the reference backend). */
  readonly mlxProfile?: MlxProfile;
}

/** fit.engine: the engine's name as the fit's config records it, and its report (0 native calls when none). */
export interface FitEngine extends EngineReport {
  /** The transition kernel that ran: 'fused-cpu', 'fused-gpu' or 'typescript' (data.config.engine). */
  readonly name?: string;
}

export function fitEngine(name: string | undefined, report: EngineReport | undefined): FitEngine {
  return { name, ...(report ?? { nativeCallsPerDraw: 0 }) };
}
