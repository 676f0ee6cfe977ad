# NumPyro on the GPU for bench/gpu.ts: the models of numpyro.py with NumPyro's GPU defaults (float32, JAX on CUDA,
# chain_method='vectorized'), one model per process. Writes a small JSON (timings, counts, column names) and the
# draws as raw little-endian float32 (column-major: column, chain, draw) beside it: with a thousand chains the draws
# as JSON lists would be hundreds of MB.
#
#   JAX_PLATFORMS=cuda python3 bench/peers/numpyro_gpu.py --model=eight_schools --warmup=500 --draws=500 \
#     --chains=1024 --seed=1 --out=/tmp/numpyro-eight_schools.json      (draws: /tmp/numpyro-eight_schools.f32)
import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cuda")
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # leave the GPU's memory to the other sampler
_spec = importlib.util.spec_from_file_location("mn_numpyro_peer", Path(__file__).resolve().parent / "numpyro.py")
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)  # imports jax and numpyro, and turns x64 on: turned off again below

import jax  # noqa: E402
import numpy as np  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402

jax.config.update("jax_enable_x64", False)  # NumPyro's default on GPUs: float32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=sorted(peer.MODELS))
    ap.add_argument("--warmup", type=int, required=True)
    ap.add_argument("--draws", type=int, required=True)
    ap.add_argument("--chains", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    fn, stem, sites = peer.MODELS[a.model]
    data = peer.load_data(stem)
    clock = peer.CompileClock()
    mcmc = MCMC(NUTS(fn, target_accept_prob=0.8, max_tree_depth=10), num_warmup=a.warmup, num_samples=a.draws,
                num_chains=a.chains, chain_method="vectorized", progress_bar=False)
    t0 = time.time()
    mcmc.run(jax.random.PRNGKey(a.seed), **data, extra_fields=("num_steps", "diverging"))
    samples = jax.tree.map(np.asarray, mcmc.get_samples(group_by_chain=True))
    extra = jax.tree.map(np.asarray, mcmc.get_extra_fields(group_by_chain=True))
    t1 = time.time()
    compile_s = clock.seconds(t0, t1)
    columns = {}
    for site in sites:
        columns.update(peer.flat_columns(site, samples[site]))
    names = list(columns)
    out = Path(a.out)
    block = np.stack([np.asarray(columns[c], dtype="<f4") for c in names])  # column × chain × draw
    block.tofile(out.with_suffix(".f32"))
    info = {
        "sampler": "numpyro", "model": a.model, "version": f"numpyro {peer.numpyro.__version__} (jax {jax.__version__})",
        "device": str(jax.devices()[0]), "dtype": "float64" if jax.config.jax_enable_x64 else "float32",
        "chains": a.chains, "draws": a.draws, "warmup": a.warmup, "seed": a.seed, "chainMethod": "vectorized",
        "compileSeconds": compile_s, "wallSeconds": t1 - t0, "samplingSeconds": t1 - t0 - compile_s,
        "divergences": int(extra["diverging"].sum()), "gradientEvaluationsSampling": int(extra["num_steps"].sum()),
        "columns": names,
    }
    out.write_text(json.dumps(info))
    print(f"[numpyro_gpu.py] {a.model}: compile {compile_s:.1f} s, sampling {info['samplingSeconds']:.2f} s, "
          f"{info['divergences']} divergences on {info['device']}", file=sys.stderr)


if __name__ == "__main__":
    main()
