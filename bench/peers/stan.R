# Stan peer: compiles bench/peers/stan/<model>.stan with rstan (cached), samples with NUTS, writes the PeerResult JSON.
#
# Usage (from anywhere; paths are resolved against the repository root):
#   Rscript bench/peers/stan.R --model=eight_schools --warmup=500 --draws=500 --chains=1 --seed=42 \
#     --out=bench/results/stan-eight_schools.json [--cores=1]
#     (several seeds in one process: --seed=1,2,3 --out='dir/stan-{seed}.json') [--adapt-delta=0.8] [--max-treedepth=10]
#     [--cxxflags='-O3 -g0'] (the default; 'default' keeps R's own -g -O2)
# Run bench/peers/setup-stan.sh first (it provides the BH package rstan needs in .cache/R-lib, and the wall-clock
# shim .cache/stan-wallclock.so).
# Timing: Stan 2.21 measures warmup and sampling with clock(), the CPU time of its process. This script runs with
# the shim preloaded (it re-executes itself with LD_PRELOAD when the caller did not), so get_elapsed_time() is
# wall time. With --cores=N > 1 rstan runs the chains in N forked processes (mclapply, a new chain whenever one
# ends); samplingSeconds is then the wall time of that schedule replayed from each chain's warmup + sampling time.
# Columns use mlx-nuts' names: 0-based brackets ('theta[0]'), constrained scale; lp__ is not a column.

args <- commandArgs(trailingOnly = FALSE)
script_file <- sub("^--file=", "", args[grep("^--file=", args)][1])
root <- normalizePath(file.path(dirname(normalizePath(script_file)), "..", ".."))

# Stan's clock() made a wall clock: preload the shim (re-executing this script once) when it is not loaded.
wallclock_shim <- file.path(root, ".cache", "stan-wallclock.so")
shim_loaded <- function() {
  maps <- tryCatch(readLines("/proc/self/maps"), error = function(e) character(0))
  any(grepl(wallclock_shim, maps, fixed = TRUE))
}
if (!shim_loaded() && file.exists(wallclock_shim) && Sys.getenv("MLX_NUTS_STAN_REEXEC") == "") {
  preload <- paste(c(wallclock_shim, Sys.getenv("LD_PRELOAD")[nzchar(Sys.getenv("LD_PRELOAD"))]), collapse = ":")
  status <- system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", shQuote(script_file), shQuote(commandArgs(trailingOnly = TRUE))),
    env = c(paste0("LD_PRELOAD=", shQuote(preload)), "MLX_NUTS_STAN_REEXEC=1"))
  quit(save = "no", status = status)
}
timing_clock <- if (shim_loaded()) "wall" else "cpu"
if (timing_clock == "cpu") message("[stan.R] the wall-clock shim is not loaded (run bench/peers/setup-stan.sh): times are Stan's CPU time")

# Wall time of running chains of these durations in order on `cores` processes, a new chain starting as soon as
# one ends (what mclapply(mc.preschedule = FALSE) does); the sum for one core.
schedule_seconds <- function(durations, cores) {
  slots <- numeric(max(1L, min(cores, length(durations))))
  for (d in durations) {
    j <- which.min(slots)
    slots[j] <- slots[j] + d
  }
  max(slots)
}
.libPaths(c(file.path(root, ".cache", "R-lib"), .libPaths()))

die <- function(...) {
  message("[stan.R] ", ...)
  quit(save = "no", status = 1)
}

# -O3 for speed, -g0 for a smaller, faster compile. Not -march=native: the model then disagrees with the
# prebuilt rstan/StanHeaders libraries on Eigen alignment and crashes ("double free or corruption").
DEFAULT_CXXFLAGS <- "-O3 -g0"

parse_args <- function(argv) {
  opts <- list(cores = "1", `adapt-delta` = "0.8", `max-treedepth` = "10", cxxflags = DEFAULT_CXXFLAGS)
  for (a in argv) {
    m <- regmatches(a, regexec("^--([a-z-]+)=(.*)$", a))[[1]]
    if (length(m) != 3) die("bad argument '", a, "' (expected --key=value)")
    opts[[m[2]]] <- m[3]
  }
  for (k in c("model", "warmup", "draws", "chains", "seed", "out")) {
    if (is.null(opts[[k]])) die("missing --", k)
  }
  opts
}

opts <- parse_args(commandArgs(trailingOnly = TRUE))
model_name <- opts$model
as_count <- function(key, min) {
  v <- suppressWarnings(as.integer(opts[[key]]))
  if (is.na(v) || v < min) die("--", key, " must be an integer >= ", min, ", got '", opts[[key]], "'")
  v
}
warmup <- as_count("warmup", 0)
draws <- as_count("draws", 1)
chains <- as_count("chains", 1)
# --seed=1,2,3 runs one sampling per seed in this process (the model is loaded once); --out then holds {seed}.
seeds <- suppressWarnings(as.integer(strsplit(opts$seed, ",", fixed = TRUE)[[1]]))
if (length(seeds) == 0 || any(is.na(seeds)) || any(seeds < 0)) die("--seed must be integers >= 0 separated by commas, got '", opts$seed, "'")
if (length(seeds) > 1 && !grepl("{seed}", opts$out, fixed = TRUE)) die("with several seeds, --out must contain {seed}")
cores <- as_count("cores", 1)
max_treedepth <- as_count("max-treedepth", 1)
adapt_delta <- as.numeric(opts[["adapt-delta"]])
cxxflags <- opts$cxxflags

stan_file <- file.path(root, "bench", "peers", "stan", paste0(model_name, ".stan"))
data_file <- file.path(root, "models", "data", paste0(model_name, ".data.json"))
if (model_name == "eight_schools_centered") data_file <- file.path(root, "models", "data", "eight_schools.data.json")
if (!file.exists(stan_file)) die("no Stan program for model '", model_name, "' at ", stan_file)
if (!file.exists(data_file)) die("no data for model '", model_name, "' at ", data_file)

suppressPackageStartupMessages({
  library(jsonlite)
  library(rstan)
})
if (!nzchar(system.file("include", "boost", "version.hpp", package = "BH"))) {
  die("Boost headers not found through the BH package: run bench/peers/setup-stan.sh")
}

# Data: JSON as the models use it; group indices are 0-based there and 1-based in Stan.
data <- fromJSON(data_file, simplifyVector = TRUE)
if (!is.null(data$group)) data$group <- as.integer(data$group) + 1L

# Compile, or load the compiled model from .cache/stan-models (keyed by program text and rstan version).
cache_dir <- file.path(root, ".cache", "stan-models")
dir.create(cache_dir, recursive = TRUE, showWarnings = FALSE)
key_src <- tempfile()
writeLines(c(readLines(stan_file), as.character(packageVersion("rstan")), R.version.string, cxxflags), key_src)
key <- unname(tools::md5sum(key_src))
unlink(key_src)
cache_rds <- file.path(cache_dir, paste0(model_name, "-", key, ".rds"))
cache_meta <- file.path(cache_dir, paste0(model_name, "-", key, ".json"))

# Compiler flags through a Makevars of our own (R_MAKEVARS_USER), so that ~/.R/Makevars does not matter.
if (cxxflags != "default") {
  makevars <- file.path(cache_dir, paste0("Makevars-", key))
  writeLines(c(paste("CXX14FLAGS =", cxxflags, "-fPIC"), paste("CXXFLAGS =", cxxflags, "-fPIC")), makevars)
  Sys.setenv(R_MAKEVARS_USER = makevars)
}

# One Stan compile at a time on this machine: a lock directory, waited on, taken over when stale (> 20 min).
with_compile_lock <- function(expr) {
  lock <- file.path(cache_dir, ".compile.lock")
  waited <- 0
  while (!dir.create(lock, showWarnings = FALSE)) {
    age <- as.numeric(difftime(Sys.time(), file.info(lock)$mtime, units = "secs"))
    if (!is.na(age) && age > 1200) {
      unlink(lock, recursive = TRUE)
      next
    }
    if (waited %% 30 == 0) message("[stan.R] waiting for another Stan compile to finish (", lock, ")")
    Sys.sleep(1)
    waited <- waited + 1
  }
  on.exit(unlink(lock, recursive = TRUE), add = TRUE)
  force(expr)
}

compile_cached <- FALSE
load_seconds <- NA_real_
sm <- NULL
if (file.exists(cache_rds) && file.exists(cache_meta)) {
  t0 <- proc.time()[["elapsed"]]
  sm <- tryCatch(readRDS(cache_rds), error = function(e) NULL)
  load_seconds <- proc.time()[["elapsed"]] - t0
  if (!is.null(sm)) {
    compile_cached <- TRUE
    compile_seconds <- fromJSON(cache_meta)$compileSeconds
  }
}
if (is.null(sm)) {
  sm <- with_compile_lock({
    message("[stan.R] compiling ", stan_file)
    t0 <- proc.time()[["elapsed"]]
    m <- tryCatch(stan_model(file = stan_file, model_name = model_name, save_dso = TRUE),
      error = function(e) die("Stan compile of ", model_name, " failed: ", conditionMessage(e)))
    compile_seconds <- proc.time()[["elapsed"]] - t0
    m
  })
  saveRDS(sm, cache_rds)
  write_json(list(model = model_name, compileSeconds = compile_seconds, compiledAt = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z")),
    cache_meta, auto_unbox = TRUE, digits = NA)
}

# Peak resident memory of this R process so far (VmHWM, Linux), MiB; NULL where /proc is unavailable.
peak_rss_mb <- function() {
  st <- tryCatch(readLines("/proc/self/status"), error = function(e) character(0))
  hwm <- grep("^VmHWM:", st, value = TRUE)
  if (length(hwm) == 0) return(NULL)
  as.numeric(gsub("[^0-9]", "", hwm)) / 1024
}

for (seed in seeds) {
  out_path <- gsub("{seed}", as.character(seed), opts$out, fixed = TRUE)
  # Sample. Inits: Stan's default (uniform(-2, 2) on the unconstrained scale), from the same seed.
  t0 <- proc.time()[["elapsed"]]
  fit <- sampling(sm,
    data = data, chains = chains, iter = warmup + draws, warmup = warmup, seed = seed,
    cores = cores, refresh = 0, control = list(adapt_delta = adapt_delta, max_treedepth = max_treedepth)
  )
  wall_seconds <- proc.time()[["elapsed"]] - t0
  if (fit@mode != 0L) die("Stan sampling of ", model_name, " failed (fit mode ", fit@mode, ")")

  elapsed <- get_elapsed_time(fit) # chains × (warmup, sample), seconds (wall time with the shim)
  chain_seconds <- unname(rowSums(elapsed))
  parallel_chains <- cores > 1 && chains > 1
  arr <- as.array(fit) # iterations × chains × parameters, post-warmup
  pars <- setdiff(dimnames(arr)[[3]], "lp__")
  zero_based <- function(name) {
    m <- regmatches(name, regexec("^([^[]+)\\[([0-9,]+)\\]$", name))[[1]]
    if (length(m) != 3) return(name)
    idx <- as.integer(strsplit(m[3], ",")[[1]]) - 1L
    paste0(m[2], "[", paste(idx, collapse = ","), "]")
  }
  columns <- vapply(pars, zero_based, character(1), USE.NAMES = FALSE)
  draws_out <- list()
  for (i in seq_along(pars)) {
    # chains × draws matrix → JSON [[chain 1 draws], [chain 2 draws], …]
    draws_out[[columns[i]]] <- t(matrix(arr[, , pars[i]], nrow = dim(arr)[1], ncol = dim(arr)[2]))
  }

  sp_all <- get_sampler_params(fit, inc_warmup = TRUE) # per chain: (warmup + draws) × stats
  post <- function(sp) sp[(warmup + 1):(warmup + draws), , drop = FALSE]
  stat_names <- c("accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__")
  stats_out <- list()
  for (s in stat_names) stats_out[[s]] <- t(vapply(sp_all, function(sp) post(sp)[, s], numeric(draws)))
  if (draws == 1) for (s in stat_names) stats_out[[s]] <- matrix(stats_out[[s]], nrow = chains)
  div_per_chain <- vapply(sp_all, function(sp) sum(post(sp)[, "divergent__"]), numeric(1))
  warmup_div <- vapply(sp_all, function(sp) if (warmup > 0) sum(sp[1:warmup, "divergent__"]) else 0, numeric(1))
  grad_per_chain <- vapply(sp_all, function(sp) sum(sp[, "n_leapfrog__"]), numeric(1))
  stepsize <- vapply(sp_all, function(sp) post(sp)[1, "stepsize__"], numeric(1))

  versions <- list(rstan = as.character(packageVersion("rstan")), stan = stan_version(),
    StanHeaders = as.character(packageVersion("StanHeaders")), R = paste(R.version$major, R.version$minor, sep = "."))
  result <- list(
    sampler = "stan",
    model = model_name,
    version = paste0("rstan ", versions$rstan, " (Stan ", versions$stan, ")"),
    versions = versions,
    dtype = "float64",
    config = list(warmup = warmup, draws = draws, chains = chains, seed = seed, cores = min(cores, chains),
      adaptDelta = adapt_delta, maxTreedepth = max_treedepth, cxxflags = cxxflags),
    compileSeconds = compile_seconds,
    compileCached = compile_cached,
    compileLoadSeconds = if (compile_cached) load_seconds else NULL,
    samplingSeconds = schedule_seconds(chain_seconds, if (parallel_chains) cores else 1L),
    timing = paste0(timing_clock, if (parallel_chains) paste0(", ", min(cores, chains), " chains at a time") else ", chains one after another"),
    chainSeconds = I(chain_seconds),
    warmupSeconds = sum(elapsed[, "warmup"]),
    drawSeconds = sum(elapsed[, "sample"]),
    samplingWallSeconds = wall_seconds,
    peakRssMB = peak_rss_mb(),
    chains = chains,
    columns = I(columns),
    draws = draws_out,
    stats = stats_out,
    divergences = sum(div_per_chain),
    divergencesPerChain = I(div_per_chain),
    warmupDivergences = sum(warmup_div),
    gradientEvaluations = sum(grad_per_chain),
    gradientEvaluationsPerChain = I(grad_per_chain),
    stepsize = I(stepsize)
  )
  result <- result[!vapply(result, is.null, logical(1))]
  dir.create(dirname(out_path), recursive = TRUE, showWarnings = FALSE)
  write_json(result, out_path, auto_unbox = TRUE, digits = NA, pretty = FALSE)
  message(sprintf("[stan.R] %s: compile %.1f s%s, sampling %.2f s (%s), %d divergences, %d gradients -> %s",
    model_name, compile_seconds, if (compile_cached) " (cached)" else "", result$samplingSeconds, result$timing,
    as.integer(sum(div_per_chain)), as.integer(sum(grad_per_chain)), out_path))
}
