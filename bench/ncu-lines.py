#!/usr/bin/env python3
# python3 bench/ncu-lines.py STALLS.csv KERNEL.cu [LINES]
# Nsight Compute's stall samples per SASS instruction (bench/ncu-source.py's CSV from `bench/gpu-round.sh $OUT ncusrc`)
# mapped to the generated kernel's source lines. MLX compiles custom kernels without line information, so the same
# source (bench/cudaSource.ts) is compiled here with NVRTC and -lineinfo for sm_90a, disassembled with nvdisasm -g, and
# the two instruction sequences aligned (difflib, immediates ignored). Needs no GPU: NVRTC comes from the CUDA wheel
# that `MLX_NUTS_MLX=cuda-13 npm install` unpacks (or NVRTC=path/libnvrtc.so.13), nvdisasm from the
# nvidia-cuda-nvdisasm wheel (NVDISASM=path). Prints each function's and each line's share of the samples.
import collections, ctypes, csv, difflib, glob, os, re, subprocess, sys, tempfile


def find(env, pattern, what):
    if os.environ.get(env):
        return os.environ[env]
    hits = sorted(glob.glob(pattern, recursive=True))
    if not hits:
        sys.exit(f'[ncu-lines] no {what}: set {env}')
    return hits[0]


def compile_cubin(src_path):
    nvrtc = find('NVRTC', os.path.join(os.getcwd(), '.cache/mlx/*/nvidia/cu13/lib/libnvrtc.so.13'), 'libnvrtc.so.13')
    include = os.path.join(os.path.dirname(os.path.dirname(nvrtc)), 'include')
    lib = ctypes.CDLL(nvrtc)
    prog = ctypes.c_void_p()
    src = open(src_path, 'rb').read()
    if lib.nvrtcCreateProgram(ctypes.byref(prog), src, b'k.cu', 0, None, None) != 0:
        sys.exit('[ncu-lines] nvrtcCreateProgram failed')
    opts = [b'--std=c++17', b'--gpu-architecture=sm_90a', b'-default-device', b'-lineinfo', b'-I' + include.encode()]
    rc = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
    n = ctypes.c_size_t()
    if rc != 0:
        lib.nvrtcGetProgramLogSize(prog, ctypes.byref(n))
        log = ctypes.create_string_buffer(n.value)
        lib.nvrtcGetProgramLog(prog, log)
        sys.exit('[ncu-lines] NVRTC: ' + log.value.decode()[-2000:])
    lib.nvrtcGetCUBINSize(prog, ctypes.byref(n))
    cubin = ctypes.create_string_buffer(n.value)
    lib.nvrtcGetCUBIN(prog, cubin)
    return cubin.raw


def local_sass(cubin):
    nvdisasm = find('NVDISASM', '/nonexistent', 'nvdisasm')
    with tempfile.NamedTemporaryFile(suffix='.cubin') as f:
        f.write(cubin)
        f.flush()
        text = subprocess.run([nvdisasm, '-c', '-g', f.name], capture_output=True, text=True, check=True).stdout
    out, line = [], None
    for l in text.split('\n'):
        m = re.search(r'line (\d+)', l)
        if '//## File' in l and m:
            line = int(m.group(1))
            continue
        m = re.match(r'\s+/\*([0-9a-f]+)\*/\s+(.*?)\s*;', l)
        if m:
            out.append((m.group(2), line))
    return out


def device_sass(path):
    rows = [r for r in csv.reader(open(path)) if r and r[0] not in ('kernels', 'Address')]
    return [(r[1].strip(), float(r[2] or 0), float(r[3] or 0), float(r[4] or 0)) for r in rows]


def functions_of(src):
    func, cur = {}, '?'
    for i, l in enumerate(src, 1):
        m = re.match(r'^(?:DEVICE|template <class T> DEVICE|__global__)\s+[\w:<>\*& ]+?\s(\w+)\(', l)
        if m:
            cur = m.group(1)
        func[i] = cur
    return func


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: ncu-lines.py STALLS.csv KERNEL.cu [LINES]')
    dev = device_sass(sys.argv[1])
    loc = local_sass(compile_cubin(sys.argv[2]))
    # immediates and register numbers ignored: a driver that compiles MLX's PTX itself allocates registers its own way
    key = lambda s: re.sub(r'\b(U?R|U?P)\d+\b', r'\1', re.sub(r'0x[0-9a-f]+', 'X', re.sub(r'\s+', ' ', s.strip())))
    sm = difflib.SequenceMatcher(None, [key(d[0]) for d in dev], [key(l[0]) for l in loc], autojunk=False)
    at = {a + k: b + k for a, b, n in sm.get_matching_blocks() for k in range(n)}
    src = open(sys.argv[2]).read().split('\n')
    func = functions_of(src)
    total = sum(d[1] for d in dev) or 1
    issued = sum(d[2] for d in dev) or 1
    fs, fi, ls, li, lt = (collections.Counter() for _ in range(5))
    lost = 0.0
    for i, (_, stalls, executed, threads) in enumerate(dev):
        if i not in at:
            lost += stalls
            continue
        line = loc[at[i]][1]
        f = func.get(line, '?')
        fs[f] += stalls; fi[f] += executed; ls[line] += stalls; li[line] += executed; lt[line] += executed * threads
    print(f'{len(at)} of {len(dev)} device instructions aligned; {100 * lost / total:.1f} % of the stall samples on the rest')
    print('function: share of stall samples, share of warp instructions')
    for f, v in fs.most_common(20):
        print(f'  {f:28s} {100 * v / total:5.1f} %  {100 * fi[f] / issued:5.1f} %')
    print('line: stalls %, instructions %, threads active per warp, source')
    for line, v in ls.most_common(int(sys.argv[3]) if len(sys.argv) > 3 else 30):
        text = src[line - 1].strip()[:100] if line else '?'
        print(f'  {100 * v / total:5.1f} % {100 * li[line] / issued:5.1f} % {lt[line] / max(li[line], 1):4.1f}  {line}: {text}')


if __name__ == '__main__':
    main()
