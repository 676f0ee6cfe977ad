// npx tsx bench/cudaSource.ts MODEL [--depth 10] > k.cu
// The GPU kernel of a benchmark model (float32, a thread per chain) as MLX assembles it for NVRTC, with a stand-in for
// MLX's device header, so that it compiles on a machine without a GPU or CUDA headers: for bench/ncu-lines.py, which
// maps Nsight Compute's per-instruction stalls back to these lines.
import { parseArgs } from 'node:util';
import { assembledKernel, generateCudaLibrary } from '../src/codegen/cuda.ts';
import { MODELS } from '../models/index.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { depth: { type: 'string', default: '10' } } });
const name = positionals[0];
if (!name || !MODELS[name]) throw new Error(`[cudaSource] name a benchmark model: ${Object.keys(MODELS).join(', ')}`);
const t = MODELS[name]!.model.trace('float32');
const lib = generateCudaLibrary(t.ir, [...t.params.map((p) => p.node), ...t.deterministics.map((d) => d.node)], 'float32', undefined, 1);
// MLX's header brings uint32_t and cooperative_groups (which our source never uses beyond the alias MLX declares)
const stand = '\ntypedef unsigned int uint32_t;\ntypedef int int32_t;\nnamespace cooperative_groups {}\n';
process.stdout.write(assembledKernel(lib, Number(values.depth), stand));
