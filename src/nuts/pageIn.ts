// The fit's blocks faulted in by native threads while the GPU runs warmup (native/src/page_in.cc): fresh memory costs a
// page fault per 4 KiB on first write, and the launches' read-back wrote the blocks from native threads that paid it
// inside the copies. The read-back waits for the pages of the block it writes; nothing else may write the blocks
// until the returned settle() has joined the threads (sample() calls it before sampling and in its finally).
import { loadNative } from '../backend/native.ts';

/** Starts paging in `blocks` (null entries skipped) when `on`; returns settle (a no-op when nothing was started). */
export function pageInBlocks(on: boolean, blocks: readonly (Float64Array | null)[]): () => void {
  if (!on) return () => {};
  const native = loadNative();
  if (native.pageIn?.(blocks) !== true) return () => {};
  return () => native.pageInSettle!();
}
