// native pageIn (native/src/page_in.cc): the fit's blocks faulted in by background threads, joined by pageInSettle.
import { describe, expect, test } from 'vitest';
import { loadNative } from '../src/backend/native.ts';

describe('pageIn', () => {
  test('faults in large arrays on threads of their own; after pageInSettle they hold what they held, zeros', () => {
    const native = loadNative();
    const a = new Float64Array(32 << 20); // 256 MiB
    const b = new Float64Array(3000); // not a whole number of pages
    const started = native.pageIn!([null, a, b]);
    expect(started).toBe(process.platform === 'linux');
    native.pageInAwait!(b); // a writer of b waits for b's pages only
    b[5] = 2;
    native.pageInSettle!();
    expect(b[5]).toBe(2);
    b[5] = 0;
    let nonZero = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) nonZero++;
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) nonZero++;
    expect(nonZero).toBe(0);
    // written after settling: kept
    a[12345] = 7;
    native.pageInSettle!();
    expect(a[12345]).toBe(7);
  });

  test('an entry that is not a typed array is an error that names it, and starts nothing', () => {
    expect(() => loadNative().pageIn!([new Float64Array(4), 3 as unknown as Float64Array])).toThrow(/entry 1 is not a typed array/);
    loadNative().pageInSettle!();
  });
});
