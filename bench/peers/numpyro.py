# NumPyro peer: runs NUTS (float64, CPU) on one benchmark model and writes the PeerResult JSON.
#
# Usage (with the venv of bench/peers/setup-numpyro.sh):
#   .cache/numpyro-venv/bin/python bench/peers/numpyro.py --model=eight_schools --warmup=500 --draws=500 \
#     --chains=1 --seed=42 --out=bench/results/numpyro-eight_schools.json [--chain-method=sequential]
#     [--chain-method=parallel --cores=2]: chains in parallel (jax.pmap over numpyro.set_host_device_count(chains)
#     CPU devices; numpyro falls back to sequential with fewer devices than chains), the process limited to --cores CPUs.
# Several seeds in one process (one MCMC object, compiled once): --seed=1,2,3 --out='dir/numpyro-{seed}.json'.
# Compile time: the union of jax's own trace / lower / XLA-compile spans (jax.monitoring) during the run;
# samplingSeconds is the wall time of warmup + sampling less that compile time.
# Columns use mlx-nuts' names: 0-based brackets ('theta[0]'), constrained scale, declaration order.
import argparse
import json
import math
import os
import resource
import sys
import time
from importlib import metadata
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")


def _early_parallel_setup(argv):
    """--chain-method=parallel: as many host devices as chains (before jax starts its CPU backend), and the
    process limited to --cores CPUs when that is fewer than it may use. Returns (devices, cpus) or None."""
    def opt(name):
        for i, x in enumerate(argv):
            if x.startswith(f"--{name}="):
                return x.split("=", 1)[1]
            if x == f"--{name}" and i + 1 < len(argv):
                return argv[i + 1]
        return None
    if opt("chain-method") != "parallel":
        return None
    chains = int(opt("chains") or 1)
    allowed = sorted(os.sched_getaffinity(0))
    cores = int(opt("cores") or len(allowed))
    if 0 < cores < len(allowed):
        os.sched_setaffinity(0, allowed[:cores])
    xla = [f for f in os.environ.get("XLA_FLAGS", "").split() if not f.startswith("--xla_force_host_platform_device_count=")]
    os.environ["XLA_FLAGS"] = " ".join([f"--xla_force_host_platform_device_count={chains}"] + xla)  # numpyro.set_host_device_count
    return chains, min(cores, len(allowed))


_PARALLEL = _early_parallel_setup(sys.argv[1:])
# This file is named numpyro.py: drop its folder from the import path so that `import numpyro` finds the package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != _HERE]

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # float64 like Stan
# Several seeds in one process rebuild numpyro's sampling loop for every run (a new closure each time, so jax's
# in-memory caches miss); a process-private persistent cache lets later seeds reuse the XLA executable of the
# first. Compile time is measured and reported apart from sampling either way.
if os.environ.get("MLX_NUTS_JAX_CACHE"):
    jax.config.update("jax_compilation_cache_dir", os.environ["MLX_NUTS_JAX_CACHE"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# ---- the eight models of shared/benchmark-models/MODELS.md (group indices 0-based) ----
# Data come in as keyword arguments (as a user would pass them): MCMC caches its compiled loop by
# hashable arguments, and a dict argument would make it recompile for every chain.

def simple(N, y):
    mu = numpyro.sample("mu", dist.Normal(0.0, 10.0))
    sigma = numpyro.sample("sigma", dist.Exponential(1.0))
    numpyro.sample("y", dist.Normal(mu, sigma), obs=y)


def medium(N, G, group, y):
    mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = numpyro.sample("tau", dist.HalfNormal(2.0))
    a = numpyro.sample("a", dist.Normal(mu, tau).expand([G]))
    sigma = numpyro.sample("sigma", dist.HalfNormal(2.0))
    numpyro.sample("y", dist.Normal(a[group], sigma), obs=y)


def stress(N, G, group, y):
    mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = numpyro.sample("tau", dist.HalfNormal(2.0))
    a = numpyro.sample("a", dist.Normal(mu, tau).expand([G]))
    sigma = numpyro.sample("sigma", dist.HalfNormal(10.0).expand([G]))
    numpyro.sample("y", dist.Normal(a[group], sigma[group]), obs=y)


def eight_schools(J, y, sigma):
    mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
    theta_tilde = numpyro.sample("theta_tilde", dist.Normal(0.0, 1.0).expand([J]))
    theta = numpyro.deterministic("theta", mu + tau * theta_tilde)
    numpyro.sample("y", dist.Normal(theta, sigma), obs=y)


def eight_schools_centered(J, y, sigma):
    mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
    theta = numpyro.sample("theta", dist.Normal(mu, tau).expand([J]))
    numpyro.sample("y", dist.Normal(theta, sigma), obs=y)


def funnel(K):
    v = numpyro.sample("v", dist.Normal(0.0, 3.0))
    numpyro.sample("x", dist.Normal(0.0, jnp.exp(v / 2)).expand([K]))


def logistic(N, K, X, y):
    alpha = numpyro.sample("alpha", dist.Normal(0.0, 10.0))
    beta = numpyro.sample("beta", dist.Normal(0.0, 10.0).expand([K]))
    numpyro.sample("y", dist.Bernoulli(logits=alpha + X @ beta), obs=y)


def sv(T, r):
    sigma = numpyro.sample("sigma", dist.Exponential(50.0))
    nu = numpyro.sample("nu", dist.Exponential(0.1))
    s = numpyro.sample("s", dist.GaussianRandomWalk(scale=sigma, num_steps=T))
    numpyro.sample("r", dist.StudentT(nu, 0.0, jnp.exp(s)), obs=r)


# name → (model function, data file stem, reported sites in declaration order)
MODELS = {
    "simple": (simple, "simple", ["mu", "sigma"]),
    "medium": (medium, "medium", ["mu", "tau", "a", "sigma"]),
    "stress": (stress, "stress", ["mu", "tau", "a", "sigma"]),
    "eight_schools": (eight_schools, "eight_schools", ["mu", "tau", "theta_tilde", "theta"]),
    "eight_schools_centered": (eight_schools_centered, "eight_schools", ["mu", "tau", "theta"]),
    "funnel": (funnel, "funnel", ["v", "x"]),
    "logistic": (logistic, "logistic", ["alpha", "beta"]),
    "sv": (sv, "sv", ["sigma", "nu", "s"]),
}


def load_data(stem):
    raw = json.loads((ROOT / "models" / "data" / f"{stem}.data.json").read_text())
    out = {}
    for k, v in raw.items():
        if k in ("N", "G", "J", "K", "T"):
            out[k] = int(v)
        elif k == "group":
            out[k] = jnp.asarray(v, dtype=jnp.int32)
        else:
            out[k] = jnp.asarray(v, dtype=jnp.float64)
    return out


class CompileClock:
    """Union of jax's trace / lower / backend-compile time spans (they nest, so spans are merged)."""

    EVENTS = (
        "/jax/core/compile/jaxpr_trace_duration",
        "/jax/core/compile/jaxpr_to_mlir_module_duration",
        "/jax/core/compile/backend_compile_duration",
    )

    def __init__(self):
        self.spans = []
        jax.monitoring.register_event_time_span_listener(self._on_span)

    def _on_span(self, event, start, end, **_kw):
        if event in self.EVENTS:
            self.spans.append((start, end))

    def seconds(self, since, until):
        """Time covered by the spans within [since, until] (time.time() seconds)."""
        total, cur_s, cur_e = 0.0, None, None
        clipped = [(max(s, since), min(e, until)) for s, e in self.spans if e > since and s < until]
        for s, e in sorted(clipped):
            if cur_e is None or s > cur_e:
                if cur_e is not None:
                    total += cur_e - cur_s
                cur_s, cur_e = s, e
            else:
                cur_e = max(cur_e, e)
        if cur_e is not None:
            total += cur_e - cur_s
        return total


def flat_columns(name, arr):
    """arr: chains × draws × *shape → {column: chains × draws}, 0-based row-major names."""
    shape = arr.shape[2:]
    if len(shape) == 0:
        return {name: arr}
    out = {}
    for idx in np.ndindex(*shape):
        out[f"{name}[{','.join(str(i) for i in idx)}]"] = arr[(slice(None), slice(None)) + idx]
    return out


def to_lists(a):
    a = np.asarray(a, dtype=np.float64)
    return [[x if math.isfinite(x) else None for x in row.tolist()] for row in a]


def run_seed(mcmc, a, seed, data, sites, clock):
    """One mcmc.run for one seed on the shared MCMC object (its compiled loop is reused across seeds)."""
    fields = ("num_steps", "diverging", "accept_prob", "energy", "adapt_state.step_size")
    # One run whose compiled loop covers warmup and sampling (as a user's mcmc.run does), collecting every
    # iteration so that warmup leapfrog steps can be counted: MCMC.warmup() + run() would compile the loop twice.
    collect_all = hasattr(mcmc, "_set_collection_params")
    t0 = time.time()
    key = jax.random.PRNGKey(seed)
    if collect_all:
        mcmc._set_collection_params(0, a.warmup + a.draws, a.warmup + a.draws, None)
        mcmc.run(key, **data, extra_fields=fields)
        skip = a.warmup
        samples = jax.tree.map(np.asarray, mcmc.get_samples(group_by_chain=True))
        extra_all = jax.tree.map(np.asarray, mcmc.get_extra_fields(group_by_chain=True))
        warm_extra = {k: v[:, :skip] for k, v in extra_all.items()}
        extra = {k: v[:, skip:] for k, v in extra_all.items()}
        samples = {k: v[:, skip:] for k, v in samples.items()}
    else:  # fallback on the public API: two compiled loops
        warm_extra = None
        if a.warmup > 0:
            mcmc.warmup(key, **data, extra_fields=fields, collect_warmup=True)
            warm_extra = jax.tree.map(np.asarray, mcmc.get_extra_fields(group_by_chain=True))
            key = mcmc.post_warmup_state.rng_key
        mcmc.run(key, **data, extra_fields=fields)
        samples = jax.tree.map(np.asarray, mcmc.get_samples(group_by_chain=True))
        extra = jax.tree.map(np.asarray, mcmc.get_extra_fields(group_by_chain=True))
    t2 = time.time()
    compile_s = clock.seconds(t0, t2)
    wall = t2 - t0

    draws = {}
    for site in sites:
        draws.update(flat_columns(site, samples[site]))
    if any(v.shape[1] != a.draws for v in draws.values()):
        sys.exit(f"[numpyro.py] expected {a.draws} draws per chain, got {next(iter(draws.values())).shape[1]}")
    div_chain = extra["diverging"].reshape(a.chains, -1).sum(axis=1)
    grad_chain = extra["num_steps"].reshape(a.chains, -1).sum(axis=1)
    warm_div = 0
    if warm_extra is not None:
        grad_chain = grad_chain + warm_extra["num_steps"].reshape(a.chains, -1).sum(axis=1)
        warm_div = int(warm_extra["diverging"].sum())
    step = extra["adapt_state.step_size"].reshape(a.chains, -1)

    return {
        "sampler": "numpyro",
        "model": a.model,
        "version": f"numpyro {numpyro.__version__} (jax {jax.__version__})",
        "versions": {"numpyro": numpyro.__version__, "jax": jax.__version__,
                     "jaxlib": metadata.version("jaxlib"),
                     "python": sys.version.split()[0]},
        "dtype": "float64" if jax.config.jax_enable_x64 else "float32",
        "config": {"warmup": a.warmup, "draws": a.draws, "chains": a.chains, "seed": seed,
                   "chainMethod": mcmc.chain_method, "cores": len(os.sched_getaffinity(0)),
                   "hostDevices": jax.local_device_count(), "adaptDelta": a.target_accept, "maxTreedepth": a.max_tree_depth},
        "compileSeconds": compile_s,
        "compileIncluded": False,
        "compileMethod": "union of jax.monitoring trace/lower/backend-compile spans, subtracted from wall time"
                         + ("" if collect_all else "; warmup and sampling compiled as two loops")
                         + "; later seeds of one process reuse the compiled loop",
        "samplingSeconds": wall - compile_s,
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
        "totalWallSeconds": wall,
        "chains": a.chains,
        "columns": list(draws.keys()),
        "draws": {k: to_lists(v) for k, v in draws.items()},
        "stats": {
            "accept_stat__": to_lists(extra["accept_prob"].reshape(a.chains, -1)),
            "stepsize__": to_lists(step),
            "n_leapfrog__": to_lists(extra["num_steps"].reshape(a.chains, -1)),
            "divergent__": to_lists(extra["diverging"].reshape(a.chains, -1)),
            "energy__": to_lists(extra["energy"].reshape(a.chains, -1)),
        },
        "divergences": int(div_chain.sum()),
        "divergencesPerChain": [int(x) for x in div_chain],
        "warmupDivergences": warm_div,
        "gradientEvaluations": int(grad_chain.sum()),
        "gradientEvaluationsPerChain": [int(x) for x in grad_chain],
        "stepsize": [float(x) for x in step[:, 0]],
    }


def main():
    ap = argparse.ArgumentParser(description="NumPyro peer for the mlx-nuts benchmark")
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--warmup", type=int, required=True)
    ap.add_argument("--draws", type=int, required=True)
    ap.add_argument("--chains", type=int, required=True)
    ap.add_argument("--seed", required=True, help="a seed, or several separated by commas (one run each)")
    ap.add_argument("--out", required=True, help="output JSON; with several seeds it must contain {seed}")
    ap.add_argument("--chain-method", default="sequential", choices=["sequential", "vectorized", "parallel"])
    ap.add_argument("--cores", type=int, default=None, help="with --chain-method=parallel: CPUs the process may use")
    ap.add_argument("--target-accept", type=float, default=0.8)
    ap.add_argument("--max-tree-depth", type=int, default=10)
    a = ap.parse_args()
    try:
        seeds = [int(x) for x in a.seed.split(",")]
    except ValueError:
        ap.error(f"--seed must be integers separated by commas, got {a.seed!r}")
    if a.warmup < 0 or a.draws < 1 or a.chains < 1 or any(x < 0 for x in seeds):
        ap.error("need warmup >= 0, draws >= 1, chains >= 1, seed >= 0")
    if len(seeds) > 1 and "{seed}" not in a.out:
        ap.error("with several seeds, --out must contain {seed}")

    fn, stem, sites = MODELS[a.model]
    data = load_data(stem)
    clock = CompileClock()
    kernel = NUTS(fn, target_accept_prob=a.target_accept, max_tree_depth=a.max_tree_depth)
    mcmc = MCMC(kernel, num_warmup=a.warmup, num_samples=a.draws, num_chains=a.chains,
                chain_method=a.chain_method, progress_bar=False)
    for seed in seeds:
        result = run_seed(mcmc, a, seed, data, sites, clock)
        out = Path(a.out.replace("{seed}", str(seed)))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, allow_nan=False))
        print(f"[numpyro.py] {a.model} seed {seed}: compile {result['compileSeconds']:.2f} s, "
              f"sampling {result['samplingSeconds']:.2f} s (wall {result['totalWallSeconds']:.2f} s), "
              f"{result['divergences']} divergences, {result['gradientEvaluations']} gradients -> {out}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
