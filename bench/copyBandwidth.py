# Read-back bandwidths on a GPU machine, with CuPy (no mlx-nuts needed): 1 GiB read from MLX-style managed memory by
# the host's own reads, and by cudaMemcpy / cudaMemcpy2D into pageable and into page-locked (cudaHostRegister) memory;
# and what registering 1 GiB costs, faulted in or not. Run on the GPU machine: `python3 bench/copyBandwidth.py`.
# Measured on an H200 (bench/results/2026-11-30i-gpu-h200.md): plain reads 4.3 GB/s (one thread), into pageable
# 11.5 GB/s, into registered 52 GB/s (2-D with 2 KB rows too), registering 34 ms/GiB faulted and 287 ms/GiB not.
import cupy as cp, numpy as np, time, ctypes, os
rt = cp.cuda.runtime
N = 1 << 28  # floats: 1 GiB
def sync(): cp.cuda.Device().synchronize()
def view(ptr, n, t=ctypes.c_float): return np.ctypeslib.as_array((t * n).from_address(ptr))
res = {}
def T(name, f, reps=2):
    best = 1e9
    for _ in range(reps):
        prep = f()
        t = time.perf_counter(); prep(); sync(); best = min(best, time.perf_counter() - t)
    res[name] = best; print(f"{name:55s} {best:7.3f} s  {N*4/best/1e9:6.1f} GB/s", flush=True)
mm = cp.cuda.malloc_managed(N * 4); am = cp.ndarray((N,), cp.float32, mm)
dm = cp.cuda.alloc(N * 4); ad = cp.ndarray((N,), cp.float32, dm)
host = np.empty(N, np.float32); host[:] = 0
def gpu_write_managed(): am[:] = 1.5; sync()
def plain_managed():
    gpu_write_managed(); v = view(am.data.ptr, N)
    return lambda: np.copyto(host, v)
T("plain read managed -> pageable (1 thread)", plain_managed)
def memcpy_managed_pageable():
    gpu_write_managed()
    return lambda: rt.memcpy(host.ctypes.data, am.data.ptr, N * 4, 4)
T("cudaMemcpy managed -> pageable", memcpy_managed_pageable)
t = time.perf_counter(); rt.hostRegister(host.ctypes.data, N * 4, 0); print("hostRegister 1 GiB faulted", time.perf_counter() - t, flush=True)
def memcpy_managed_pinned():
    gpu_write_managed()
    return lambda: rt.memcpy(host.ctypes.data, am.data.ptr, N * 4, 4)
T("cudaMemcpy managed -> registered", memcpy_managed_pinned)
def memcpy_device_pinned():
    ad[:] = 2.5; sync()
    return lambda: rt.memcpy(host.ctypes.data, ad.data.ptr, N * 4, 4)
T("cudaMemcpy device -> registered", memcpy_device_pinned)
def prefetch_then_read():
    gpu_write_managed()
    def go():
        rt.memPrefetchAsync(am.data.ptr, N * 4, -1, 0) if hasattr(rt, 'memPrefetchAsync') else None
        sync(); np.copyto(host, view(am.data.ptr, N))
    return go
try: T("prefetch managed to host, then read", prefetch_then_read)
except Exception as e: print("prefetch failed", e)
# 2-D strided copy into registered memory: rows of 2 KB to a pitch of 14 KB (stats into the fit's rows)
rows = N * 4 // 2048
big = np.empty(rows * 14336 // 4, np.float32); big[:] = 0
t = time.perf_counter(); rt.hostRegister(big.ctypes.data, big.nbytes, 0); print("hostRegister", big.nbytes / 2**30, "GiB faulted", time.perf_counter() - t, flush=True)
def memcpy2d():
    gpu_write_managed()
    return lambda: rt.memcpy2D(big.ctypes.data, 14336, am.data.ptr, 2048, 2048, rows, 4)
T("cudaMemcpy2D managed -> registered strided (2 KB rows)", memcpy2d)
fresh = np.empty(N, np.float32)
t = time.perf_counter(); rt.hostRegister(fresh.ctypes.data, N * 4, 0); print("hostRegister 1 GiB unfaulted", time.perf_counter() - t, flush=True)
# zero-copy: GPU kernel writes into registered host memory through UVA
def zero_copy():
    h = cp.ndarray((N,), cp.float32, cp.cuda.MemoryPointer(cp.cuda.UnownedMemory(fresh.ctypes.data, N * 4, fresh), 0))
    return lambda: h.__setitem__(slice(None), ad)
try: T("GPU copy kernel device -> registered host (zero copy)", zero_copy)
except Exception as e: print("zero copy failed", e)
