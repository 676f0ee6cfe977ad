"""Interop check: reads the Stan CSVs written by mlx-nuts with ArviZ and cmdstanpy and compares every value exactly."""
import ast
import json
import logging
import sys
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")

import arviz  # noqa: E402
import cmdstanpy  # noqa: E402
from cmdstanpy.utils import stancsv  # noqa: E402

# from_csv warns about the synthetic divergences; the checks below are what matters.
cmdstanpy.utils.get_logger().setLevel(logging.ERROR)

passed = 0
failures: list[str] = []


def check(label: str, ok: bool, detail: str = "") -> None:
    global passed
    if ok:
        passed += 1
    else:
        failures.append(f"{label}{': ' + detail if detail else ''}")


def arr(x) -> np.ndarray:
    """Expected values from JSON: strings spell nan, inf, -inf and -0."""
    if isinstance(x, list):
        return np.array([arr(v) for v in x], dtype=np.float64) if x else np.zeros(0)
    return np.float64(float(x))


def same(a, b) -> bool:
    """Bit-level equality up to the NaN payload: same shape, NaN where NaN, equal values, equal signs of zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    na, nb = np.isnan(a), np.isnan(b)
    if not np.array_equal(na, nb):
        return False
    return bool(np.array_equal(a[~na], b[~nb]) and np.array_equal(np.signbit(a[~na]), np.signbit(b[~nb])))


def show(a, b) -> str:
    a, b = np.asarray(a), np.asarray(b)
    return f"shapes {a.shape} vs {b.shape}; got {np.ravel(a)[:4]} expected {np.ravel(b)[:4]}"


ARVIZ_STATS = {"lp__": "lp", "accept_stat__": "acceptance_rate", "stepsize__": "step_size", "treedepth__": "tree_depth",
               "n_leapfrog__": "n_steps", "divergent__": "diverging", "energy__": "energy"}


def check_arviz(case: str, exp: dict) -> None:
    idata = arviz.from_cmdstan(posterior=exp["files"])
    post = idata.posterior
    check(f"{case} arviz variables", set(post.data_vars) == set(exp["variables"]), str(list(post.data_vars)))
    for name, v in exp["variables"].items():
        want = arr(v["draws"])
        got = post[name].values
        check(f"{case} arviz posterior {name}", same(got, want), show(got, want))
    for stat, name in ARVIZ_STATS.items():
        want = arr(exp["stats"][stat])
        got = idata.sample_stats[name].values.astype(np.float64)
        check(f"{case} arviz sample_stats {name}", same(got, want), show(got, want))
    attrs = post.attrs
    got_step = [float(s) for s in attrs["step_size"]]
    check(f"{case} arviz step_size attr", same(got_step, arr(exp["stepSize"])), f"{got_step}")
    first_rows = [ast.literal_eval(s) for s in attrs["inverse_mass_matrix"]]
    want_rows = [m if exp["metric"] == "diag_e" else m[0] for m in exp["invMetric"]]
    check(f"{case} arviz inverse_mass_matrix attr (first row)", same(first_rows, arr(want_rows)), f"{first_rows}")
    check(f"{case} arviz model attr", attrs["model"] == [exp["modelName"]] * len(exp["files"]), str(attrs["model"]))
    check(f"{case} arviz seed attr", attrs["seed"] == [str(exp["seed"])] * len(exp["files"]), str(attrs["seed"]))
    check(f"{case} arviz chain id attr", attrs["id"] == [str(k + 1) for k in range(len(exp["files"]))], str(attrs["id"]))
    check(f"{case} arviz warm-up time", [float(t) for t in attrs["warmup_time_seconds"]] == [exp["timing"]["warmup"]] * len(exp["files"]),
          str(attrs["warmup_time_seconds"]))
    check(f"{case} arviz sampling time", [float(t) for t in attrs["sampling_time_seconds"]] == [exp["timing"]["sampling"]] * len(exp["files"]),
          str(attrs["sampling_time_seconds"]))


def check_cmdstanpy(case: str, exp: dict) -> None:
    fit = cmdstanpy.from_csv(path=exp["files"], method="sample")
    check(f"{case} cmdstanpy type", isinstance(fit, cmdstanpy.CmdStanMCMC), type(fit).__name__)
    chains, n = len(exp["files"]), exp["numSamples"]
    check(f"{case} cmdstanpy chains", fit.chains == chains, str(fit.chains))
    check(f"{case} cmdstanpy num_draws_sampling", fit.num_draws_sampling == n, str(fit.num_draws_sampling))
    check(f"{case} cmdstanpy metric_type", fit.metric_type == exp["metric"], str(fit.metric_type))
    cfg = fit.metadata.cmdstan_config
    for key, want in (("model", exp["modelName"]), ("seed", exp["seed"]), ("num_samples", n), ("num_warmup", exp["numWarmup"]),
                      ("max_depth", exp["maxDepth"]), ("delta", exp["delta"]), ("algorithm", "hmc"), ("engine", "nuts")):
        check(f"{case} cmdstanpy config {key}", cfg.get(key) == want, f"{cfg.get(key)!r} vs {want!r}")
    for name, v in exp["variables"].items():
        # stan_variable concatenates chains: (chains * draws, *shape); expected is (chains, draws, *shape).
        want = arr(v["draws"])
        want = want.reshape(chains * n, *want.shape[2:])
        got = fit.stan_variable(name)
        check(f"{case} cmdstanpy stan_variable {name}", same(got, want), show(got, want))
    method_vars = fit.method_variables()
    for stat in ARVIZ_STATS:
        want = arr(exp["stats"][stat]).T  # method_variables: (draws, chains)
        check(f"{case} cmdstanpy method variable {stat}", same(method_vars[stat], want), show(method_vars[stat], want))
    check(f"{case} cmdstanpy step_size", same(fit.step_size, arr(exp["stepSize"])), f"{fit.step_size}")
    check(f"{case} cmdstanpy inv_metric", same(fit.inv_metric, arr(exp["invMetric"])), show(fit.inv_metric, arr(exp["invMetric"])))
    times = fit.time
    t = exp["timing"]
    check(f"{case} cmdstanpy time", times == [{"warmup": t["warmup"], "sampling": t["sampling"], "total": t["total"]}] * chains, str(times))
    # cmdstanpy's counter skips the first draw row of each file (draws_lines[1 + warmup:] in stancsv), so count the same way.
    divs = [int(np.sum(np.asarray(d, dtype=float)[1:])) for d in exp["stats"]["divergent__"]]
    check(f"{case} cmdstanpy divergences", list(fit.divergences) == divs, f"{list(fit.divergences)} vs {divs}")


def check_incomplete(case: str, exp: dict) -> None:
    """An aborted run: marked at the top of each file; cmdstanpy refuses it, the raw parsers still read the draws exactly."""
    done, total = exp["drawsPerChain"][0], exp["numSamples"]
    for k, path in enumerate(exp["files"]):
        lines = Path(path).read_text().splitlines()
        # the one-shot writer marks the first line; the streaming writer, which cannot know in advance, its footer
        marker = [l for l in lines if l.startswith("# INCOMPLETE:")][-1] if exp.get("markerLast") else lines[0]
        check(f"{case} INCOMPLETE marker {k + 1}", marker == f"# INCOMPLETE: sampling was aborted after {done} of {total} draws", marker)
        comments, header, draws = stancsv.parse_comments_header_and_draws(path)
        got = stancsv.csv_bytes_list_to_numpy(draws)
        names = header.split(",")
        for stat in ARVIZ_STATS:
            check(f"{case} stancsv {stat} chain {k + 1}", same(got[:, names.index(stat)], arr(exp["stats"][stat][k])))
        meta = stancsv.parse_sampler_metadata_from_csv(path)
        check(f"{case} stancsv draws_sampling chain {k + 1}", meta["draws_sampling"] == done, str(meta["draws_sampling"]))
    try:
        cmdstanpy.from_csv(path=exp["files"], method="sample")
        check(f"{case} cmdstanpy refuses an incomplete run", False, "from_csv accepted it")
    except ValueError:
        check(f"{case} cmdstanpy refuses an incomplete run", True)
    idata = arviz.from_cmdstan(posterior=exp["files"])
    for name, v in exp["variables"].items():
        want = arr(v["draws"])
        check(f"{case} arviz reads the {done} draws of {name}", same(idata.posterior[name].values, want), show(idata.posterior[name].values, want))


def main() -> int:
    out = Path(sys.argv[1])
    expected = json.loads((out / "expected.json").read_text())
    for case, exp in expected.items():
        if exp["complete"]:
            check_arviz(case, exp)
            check_cmdstanpy(case, exp)
        else:
            check_incomplete(case, exp)
    if failures:
        for f in failures:
            print(f"interop: FAILED {f}")
        print(f"interop: {passed} checks passed, {len(failures)} failed (arviz {arviz.__version__}, cmdstanpy {cmdstanpy.__version__})")
        return 1
    print(f"interop: {passed} checks passed (arviz {arviz.__version__}, cmdstanpy {cmdstanpy.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
