// The GPU read-back modes of native/src/device_copy.cc (MLX_NUTS_GPU_COPY) without a GPU: nothing reaches copyToHost
// from JS on a CPU build (the GPU model's constructor refuses), so test/fixtures/deviceCopy/check.cc drives it
// directly, compiled twice with g++: against no CUDA runtime (every mode must fall back to memcpy), and against a
// stand-in runtime that copies with memcpy and checks the calls a real one would need.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

interface Report {
  runtime: boolean; total: number; mismatches: number; plainBytes: number; runtimeBytes: number; prefetchedBytes: number;
  pinnedBytes: number; stagedBytes: number; prefetchCalls: number; registerCalls: number; failures: number;
  fake?: { prefetches: number; syncs: number; registers: number; unregisters: number; copies: number; copies2D: number;
    bad: number; registered: number };
  error?: string;
}

// the driver's copies (check.cc main): the one copy under device_copy.cc's 1 MiB threshold, and the contiguous ones
const SMALL = 1000;
const CONTIGUOUS = [(3 << 20) + 123, 4096 * 512, (70 << 20) + 5];
// and its widenings of float rows (300 floats each): 5,000 packed rows through staging in pinned mode; 10 packed rows
// and 100 strided ones plainly
const WIDENED = 5000 * 300 * 4;
const WIDENED_SMALL = 10 * 300 * 4 + 100 * 300 * 4;
const MODES = ['plain', 'runtime', 'prefetch', 'pinned'] as const;

const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-device-copy-'));
const bin = { real: join(dir, 'real'), fake: join(dir, 'fake') };

beforeAll(() => {
  const sources = ['test/fixtures/deviceCopy/check.cc', 'native/src/device_copy.cc', 'native/src/cuda_runtime.cc'];
  const cxx = process.env['CXX'] || 'g++';
  execFileSync(cxx, ['-std=c++20', '-O2', '-Inative/src', ...sources, '-ldl', '-o', bin.real]);
  execFileSync(cxx, ['-std=c++20', '-O2', '-rdynamic', '-DFAKE_CUDA', '-Inative/src', ...sources, '-ldl', '-o', bin.fake]);
});

function run(which: 'real' | 'fake', mode: string, fail?: string): Report {
  const env = { ...process.env, MLX_NUTS_GPU_COPY: mode, FAKE_CUDA_FAIL: fail ?? '' };
  return JSON.parse(execFileSync(bin[which], { env, encoding: 'utf8' })) as Report;
}

describe('without a CUDA runtime (the CPU wheel)', () => {
  test('every mode reads the same bytes as plain reads, and by memcpy when no runtime is found', () => {
    const plain = run('real', 'plain');
    expect(plain.mismatches).toBe(0);
    for (const mode of MODES) {
      const r = run('real', mode);
      expect(r.mismatches, mode).toBe(0);
      expect(r.total, mode).toBe(plain.total);
      // a machine with a CUDA runtime but no GPU may take other paths; they must still copy every byte right
      if (!r.runtime) expect(r.plainBytes, mode).toBe(r.total);
    }
  });

  test('an unknown MLX_NUTS_GPU_COPY is an error naming the variable, the value and the modes', () => {
    expect(run('real', 'prefech').error).toBe(
      "[fused-gpu] MLX_NUTS_GPU_COPY='prefech' is not a read-back mode: expected plain, runtime, prefetch or pinned");
  });
});

describe('with a stand-in CUDA runtime', () => {
  test('plain never calls the runtime; runtime copies everything through cudaMemcpy / cudaMemcpy2D', () => {
    const p = run('fake', 'plain');
    expect(p.mismatches).toBe(0);
    expect(p.plainBytes).toBe(p.total);
    expect(p.fake).toMatchObject({ prefetches: 0, registers: 0, copies: 0, copies2D: 0 });
    const r = run('fake', 'runtime');
    expect(r.mismatches).toBe(0);
    expect(r.runtimeBytes).toBe(r.total);
    expect(r.fake!.bad).toBe(0);
  });

  test('prefetch: one prefetch and one sync per copy of 1 MiB or more, one per HostReads array (not per copy inside it)', () => {
    const r = run('fake', 'prefetch');
    expect(r.mismatches).toBe(0);
    // five copies and the large widening outside a HostReads reach the threshold, and the HostReads array read by six
    // copies adds one
    expect(r.prefetchCalls).toBe(7);
    expect(r.fake).toMatchObject({ prefetches: 7, syncs: 7, bad: 0, copies: 0, copies2D: 0 });
    expect(r.plainBytes).toBe(SMALL + WIDENED_SMALL);
    expect(r.prefetchedBytes).toBe(r.total - SMALL - WIDENED_SMALL);
  });

  test('prefetch: a failing prefetch is not retried, and every byte then comes by memcpy', () => {
    const r = run('fake', 'prefetch', 'prefetch');
    expect(r.mismatches).toBe(0);
    expect(r.fake!.prefetches).toBe(1);
    expect(r.failures).toBe(1);
    expect(r.plainBytes).toBe(r.total);
  });

  test('pinned: every large copy through the staging buffer, registered once and kept: contiguous ones and widenings by cudaMemcpy, strided ones by cudaMemcpy2D', () => {
    const r = run('fake', 'pinned');
    expect(r.mismatches).toBe(0);
    // bad counts copies into unregistered memory, unaligned or overlapping registrations, unmatched unregistrations
    expect(r.fake!.bad).toBe(0);
    expect(r.fake!.registered).toBe(1); // the staging buffer
    expect(r.fake!.registers).toBe(1);
    expect(r.pinnedBytes).toBe(CONTIGUOUS.reduce((a, b) => a + b, 0) + WIDENED);
    expect(r.stagedBytes).toBe(r.total - SMALL - WIDENED_SMALL - r.pinnedBytes);
    expect(r.plainBytes).toBe(SMALL + WIDENED_SMALL);
    expect(r.failures).toBe(0);
  });

  test('pinned: a staging buffer that cannot be registered turns the mode plain, every byte by memcpy', () => {
    const r = run('fake', 'pinned', 'register1');
    expect(r.mismatches).toBe(0);
    expect(r.fake!.bad).toBe(0);
    expect(r.failures).toBe(1);
    expect(r.fake!.copies + r.fake!.copies2D).toBe(0);
    expect(r.plainBytes).toBe(r.total);
  });

  test('pinned: after a failing copy the mode reads plainly for the rest of the process', () => {
    const r = run('fake', 'pinned', 'copy');
    expect(r.mismatches).toBe(0);
    expect(r.fake!.copies + r.fake!.copies2D).toBe(1);
    expect(r.fake!.registered).toBe(1); // the staging buffer, kept
    expect(r.failures).toBe(1);
    expect(r.plainBytes).toBe(r.total);
  });
});
