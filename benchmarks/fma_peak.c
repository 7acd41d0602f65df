/* Measures the FMA peak of one core: 12 independent vfmadd231ps chains on
 * 512-bit (AVX-512) or 256-bit (AVX2) registers. Prints GFLOP/s. */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define REG "zmm"
#define LANES 16
#else
#define REG "ymm"
#define LANES 8
#endif
#define FMA(n) "vfmadd231ps %%" REG "0,%%" REG "0,%%" REG #n "\n"

int main(void) {
  const long iters = 200000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  __asm__ volatile("vxorps %%" REG "0,%%" REG "0,%%" REG "0\n" ::: "xmm0");
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8)
                         FMA(9) FMA(10) FMA(11) FMA(12)::
                             : "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                               "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%.1f\n", iters * 12.0 * LANES * 2 / s / 1e9);
  return 0;
}
