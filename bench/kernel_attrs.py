# python3 bench/kernel_attrs.py [CACHE_DIR] — on the GPU machine, after any run that compiled the kernels: each kernel
# in MLX's on-disk NVRTC cache (MLX_PTX_CACHE_DIR, else $TMPDIR/mlx/<version>/ptx; every fused model compiled there)
# loaded with CuPy and described: registers per thread, local memory per thread (the per-thread scratch of
# src/codegen/cuda.ts and spills), and how many threads an SM can hold with that register count. One JSON line per
# kernel; the model is the `#define MN_DIM` and the source's size, read from the cached .cu beside each module.
import glob, json, os, re, sys, tempfile

import cupy

def cache_dirs(argv):
    if len(argv) > 1:
        return [argv[1]]
    if os.environ.get('MLX_PTX_CACHE_DIR'):
        return [os.environ['MLX_PTX_CACHE_DIR']]
    return glob.glob(os.path.join(tempfile.gettempdir(), 'mlx', '*', 'ptx'))

def describe(ptx_path):
    base = ptx_path[:-4]
    names = []
    if os.path.exists(base + '.txt'):
        for line in open(base + '.txt'):
            if '\t' in line:
                names.append(line.rstrip('\n').split('\t', 1))
    src = open(base + '.cu').read() if os.path.exists(base + '.cu') else ''
    if 'mn_' not in src:
        return []
    dim = re.search(r'#define MN_DIM (\d+)', src)
    kd = re.search(r'MN_KD\s*=\s*(\d+)', src)
    mod = cupy.RawModule(path=ptx_path)
    rows = []
    for name, mangled in names:
        attrs = mod.get_function(mangled).attributes
        regs = attrs['num_regs']
        # one SM: 65,536 registers allocated per warp in units of 256, at most 2,048 threads (compute capability 9.0)
        per_warp = -(-regs * 32 // 256) * 256
        threads_sm = min(2048, (65536 // per_warp) * 32) if per_warp else 2048
        rows.append({'module': os.path.basename(base)[:60], 'kernel': name, 'dim': int(dim.group(1)) if dim else None,
                     'depth': int(kd.group(1)) if kd else None, 'registers': regs,
                     'localBytes': attrs['local_size_bytes'], 'sharedBytes': attrs['shared_size_bytes'],
                     'threadsPerSm': threads_sm, 'sourceChars': len(src)})
    return rows

for d in cache_dirs(sys.argv):
    for p in sorted(glob.glob(os.path.join(d, '**', '*.ptx'), recursive=True)):
        try:
            for r in describe(p):
                print(json.dumps(r), flush=True)
        except Exception as e:  # one unreadable module does not hide the others
            print(json.dumps({'module': os.path.basename(p), 'error': str(e)[:300]}), flush=True)
