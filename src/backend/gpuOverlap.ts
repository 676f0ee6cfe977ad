// Sampling on the GPU with the read-back overlapped (MLX_NUTS_GPU_OVERLAP=1): a run's constrained values are copied
// into the fit on a host thread of their own while the next launch runs (native/src/deferred_copy.h), and sampling is
// split into at least OVERLAP_LAUNCHES launches so that there is a next launch to overlap. Off by default until a GPU
// run measures it: the copies into the fit were about half of simple's and eight_schools' runs on the H200
// (bench/results/2026-11-30f-gpu-h200.md), and one launch held all 500 draws.
import { OptionError } from '../base/errors.ts';

/** Launches that sampling is split into at least, with overlap. */
export const OVERLAP_LAUNCHES = 4;

/** Whether runs overlap their copies into the fit with the next launch: MLX_NUTS_GPU_OVERLAP, '1' or '0' (default). */
export function gpuOverlap(env = process.env.MLX_NUTS_GPU_OVERLAP): boolean {
  if (env === undefined || env === '' || env === '0') return false;
  if (env === '1') return true;
  throw new OptionError(`[fused-gpu] MLX_NUTS_GPU_OVERLAP must be 0 or 1, got '${env}'`);
}

/** Iterations per launch of `count` sampling iterations: at most `step` (the memory bound), in OVERLAP_LAUNCHES or more. */
export function overlapStep(step: number, count: number): number {
  return Math.max(1, Math.min(step, Math.ceil(count / OVERLAP_LAUNCHES)));
}
