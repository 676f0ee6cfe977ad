#!/usr/bin/env bash
# GPU measurements for one or two calls of the device tool, on the GPU machine inside the kit (after
# .gpu-kit1/stash.sh: `.gpu-kit3/go.sh 'bash bench/gpu-round.sh $OUT tests loops'`), each step under its own time
# limit and logged to $OUT as it goes (a call stopped by its limit keeps what finished). Steps (all when none named):
#   tests  test/gpu/run.ts, the GPU checks (~130 s, most of it NVRTC compiles)
#   loops  bench/gpuLoop.ts, eight_schools at 16,384 chains, passes against nested loops, with the default pooled
#          windows and with Stan's 75/25/50 (its device time rose from 1.0 to 1.3 s between rounds 5 and 6) (~200 s)
#   small  bench/gpu.ts, stress, eight_schools, medium at 16,384 chains, plain and then pinned read-back (~250 s)
#   large  bench/gpu.ts, simple and logistic at 65,536 chains, plain and then pinned read-back (~250 s)
#   wide   bench/gpu.ts, stress, eight_schools, medium at 65,536 chains (whether more chains pay for them now; ~90 s)
#   overlap  test/gpu/run.ts overlap (same draws), then bench/gpu.ts on eight_schools and simple at 16,384 chains with
#          MLX_NUTS_GPU_OVERLAP=1 (compare with small/large's plain rows; ~150 s)
#   ncu    Nsight Compute on one warmup launch (NCU_SKIP, default 2) of NCU_MODEL (default eight_schools) at NCU_CHAINS
#          (default 16,384): registers, occupancy, speed of light, stall reasons, memory (~30 s)
#   ncusrc Nsight Compute's source counters on launches NCU_SKIP+1.. (NCU_COUNT of them: warmup and sampling): stall samples per SASS instruction
#          (ncu-src-sass.csv; match it to source with a -lineinfo compile of the same kernel; ~60 s), of NCU_MODEL
#          (default eight_schools) at NCU_CHAINS (default 16,384)
#   hostprof  bench/gpu.ts on eight_schools (16,384 chains) and simple (65,536) under node --cpu-prof: where the host's
#          time goes between and around the launches (profiles in hostprof/; ~90 s)
#   table  bench/gpu.ts, each model once at its best chain count of round 9 (eight_schools 16,384; medium, stress,
#          simple, logistic 65,536), plain read-back (~250 s)
#   ldg    bench/gpu.ts, simple, stress and logistic at 65,536 chains with plain reads of data and metric
#          (MLX_NUTS_GPU_LDG=0), then through the read-only path (the default; same draws; ~150 s)
#   wider  bench/gpu.ts, stress, medium, simple at 131,072 chains (whether twice the bench's chains pay; ~200 s)
#   warps  Nsight Compute's threads active per warp instruction, occupancy and duration of one warmup and one sampling
#          launch of each model at 16,384 chains (warp divergence; ~200 s)
#   sweep  bench/gpuLoop.ts with pinned read-back at more chains than the bench's: eight_schools and stress at 65,536,
#          eight_schools at 131,072 (whether a fuller GPU pays; ~250 s)
set -uo pipefail
out=${1:?usage: bench/gpu-round.sh OUT_DIR [tests] [loops] [small] [large] [wide] [overlap] [ncu] [ncusrc] [hostprof] [table] [ldg] [wider] [warps] [sweep]}
shift
steps=${*:-tests loops small large}
T=${T:-./node_modules/.bin/tsx}
mkdir -p "$out"
step() { local limit=$1 name=$2; shift 2; echo "[gpu-round] $(date -u +%T) $name" | tee -a "$out/round.log"
  timeout "$limit" "$@" > "$out/$name.log" 2>&1; echo "[gpu-round] $(date -u +%T) $name: exit $?" | tee -a "$out/round.log"; }
for s in $steps; do
  case $s in
    tests) step 200 gpu-tests "$T" test/gpu/run.ts ;;
    loops)
      step 110 loop-default "$T" bench/gpuLoop.ts --models eight_schools --chains 16384 --loops 0.5,nested --ess --out "$out/loop-default"
      step 110 loop-stan-windows "$T" bench/gpuLoop.ts --models eight_schools --chains 16384 --loops 0.5,nested --ess --windows 75,25,50 --out "$out/loop-stan-windows" ;;
    small) step 280 bench-16k "$T" bench/gpu.ts --models stress,eight_schools,medium --chains 16384 --lanes 1 --peers none --copy-modes pinned --out "$out" --name bench-16k ;;
    large) step 280 bench-65k "$T" bench/gpu.ts --models simple,logistic --chains 65536 --lanes 1 --peers none --copy-modes pinned --out "$out" --name bench-65k ;;
    wide) step 280 bench-65k-wide "$T" bench/gpu.ts --models stress,eight_schools,medium --chains 65536 --lanes 1 --peers none --out "$out" --name bench-65k-wide ;;
    overlap)
      step 120 overlap-check "$T" test/gpu/run.ts overlap
      step 200 bench-overlap env MLX_NUTS_GPU_OVERLAP=1 "$T" bench/gpu.ts --models eight_schools,simple --chains 16384 --lanes 1 --peers none --out "$out" --name bench-overlap ;;
    ncu) step 240 "ncu-${NCU_MODEL:-eight_schools}-${NCU_CHAINS:-16384}" ncu --target-processes all --kernel-name regex:mn_fused --launch-skip ${NCU_SKIP:-2} --launch-count 1 \
           --section LaunchStats --section Occupancy --section SpeedOfLight --section WarpStateStats --section MemoryWorkloadAnalysis \
           --section SchedulerStats --section ComputeWorkloadAnalysis \
           "$T" bench/gpuLoop.ts --models ${NCU_MODEL:-eight_schools} --chains ${NCU_CHAINS:-16384} --loops 0.5 --warmup 100 --draws 100 --out "$out/ncu-run" ;;
    ncusrc)
      step 240 ncu-src ncu --target-processes all --kernel-name regex:mn_fused --launch-skip ${NCU_SKIP:-3} --launch-count ${NCU_COUNT:-8} \
           --section SourceCounters --section WarpStateStats --section LaunchStats -f -o "$out/ncu-src" \
           "$T" bench/gpuLoop.ts --models ${NCU_MODEL:-eight_schools} --chains ${NCU_CHAINS:-16384} --loops 0.5 --warmup 100 --draws 100 --out "$out/ncusrc-run"
      step 120 ncu-src-page ncu --import "$out/ncu-src.ncu-rep" --page source --csv --print-source sass
      python3 bench/ncu-source.py "$out/ncu-src-page.log" "$out/ncu-src-sass.csv" && rm -f "$out/ncu-src-page.log" "$out/ncu-src.ncu-rep" ;;
    hostprof)
      mkdir -p "$out/hostprof"
      step 150 hostprof-16k node --cpu-prof --cpu-prof-dir="$out/hostprof" --import tsx bench/gpu.ts --models eight_schools --chains 16384 --lanes 1 --peers none --out "$out/hostprof" --name hostprof-16k
      step 150 hostprof-65k node --cpu-prof --cpu-prof-dir="$out/hostprof" --import tsx bench/gpu.ts --models simple --chains 65536 --lanes 1 --peers none --out "$out/hostprof" --name hostprof-65k
      tar czf "$out/hostprof.tgz" -C "$out" hostprof && rm -rf "$out/hostprof" ;; # one file: the device tool brings back few
    table)
      step 100 table-16k "$T" bench/gpu.ts --models eight_schools --chains 16384 --lanes 1 --peers none --out "$out" --name table-16k
      step 250 table-65k "$T" bench/gpu.ts --models medium,stress,simple,logistic --chains 65536 --lanes 1 --peers none --out "$out" --name table-65k ;;
    ldg)
      step 150 ldg-off env MLX_NUTS_GPU_LDG=0 "$T" bench/gpu.ts --models simple,stress,logistic --chains 65536 --lanes 1 --peers none --out "$out" --name ldg-off
      step 150 ldg-on "$T" bench/gpu.ts --models simple,stress,logistic --chains 65536 --lanes 1 --peers none --out "$out" --name ldg-on ;;
    wider) step 280 bench-131k "$T" bench/gpu.ts --models stress,medium,simple --chains 131072 --lanes 1 --peers none --out "$out" --name bench-131k ;;
    warps)
      for m in eight_schools medium stress simple logistic; do
        step 100 "warps-$m" ncu --target-processes all --kernel-name regex:mn_fused --launch-skip 3 --launch-count 2 \
          --metrics smsp__thread_inst_executed_per_inst_executed.ratio,sm__warps_active.avg.pct_of_peak_sustained_active,gpu__time_duration.sum,launch__registers_per_thread,launch__occupancy_limit_registers \
          "$T" bench/gpuLoop.ts --models "$m" --chains 16384 --loops 0.5 --warmup 100 --draws 100 --out "$out/warps-run-$m"
      done ;;
    sweep)
      step 150 sweep-65k env MLX_NUTS_GPU_COPY=pinned "$T" bench/gpuLoop.ts --models eight_schools,stress --chains 65536 --loops 0.5 --ess --out "$out/sweep-65k"
      step 120 sweep-131k env MLX_NUTS_GPU_COPY=pinned "$T" bench/gpuLoop.ts --models eight_schools --chains 131072 --loops 0.5 --ess --out "$out/sweep-131k" ;;
    *) echo "[gpu-round] unknown step '$s' (tests, loops, small, large, wide, overlap, ncu, ncusrc, hostprof, table, ldg, wider, warps, sweep)"; exit 2 ;;
  esac
done
