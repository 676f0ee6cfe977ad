// native pageIn (native/src/page_in.cc): the fit's blocks mapped on a background thread; contents never change.
import { describe, expect, test } from 'vitest';
import { loadNative } from '../src/backend/native.ts';

describe('pageIn', () => {
  test('maps a large array on its own thread while it is written, and leaves what is written alone', async () => {
    const native = loadNative();
    const a = new Float64Array(32 << 20); // 256 MiB
    const started = native.pageIn!([null, a]);
    expect(started).toBe(process.platform === 'linux');
    // writes meanwhile are kept: the pages are mapped, never cleared
    for (let i = 0; i < a.length; i += 4096) a[i] = i + 1;
    await new Promise((r) => setTimeout(r, 300));
    let bad = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== (i % 4096 === 0 ? i + 1 : 0)) bad++;
    expect(bad).toBe(0);
  });

  test('an entry that is not a typed array is an error that names it', () => {
    expect(() => loadNative().pageIn!([new Float64Array(4), 3 as unknown as Float64Array])).toThrow(/entry 1 is not a typed array/);
  });
});
