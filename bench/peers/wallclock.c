/* Stan 2.21 times warmup and sampling with clock(), i.e. the CPU time of its process. Preloaded into the Stan
 * peer's R process (LD_PRELOAD, built by setup-stan.sh into .cache/stan-wallclock.so), this clock() returns a
 * monotonic wall clock instead, so that get_elapsed_time() is wall time like every other sampler's time in the
 * benchmark (on a loaded machine, CPU time is less than wall time). Nothing else in R or Stan uses clock(). */
#include <time.h>

clock_t clock(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return (clock_t)-1;
  return (clock_t)ts.tv_sec * CLOCKS_PER_SEC + (clock_t)(ts.tv_nsec / (1000000000L / CLOCKS_PER_SEC));
}
