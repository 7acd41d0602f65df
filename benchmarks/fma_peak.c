/* Measures the FMA peak of one core: 12 independent vfmadd231ps chains on
 * 512-bit (AVX-512) or 256-bit (AVX2) registers. Prints GFLOP/s. */
#include <stdio.h>
#include <time.h>

int main(void) {
  const long iters = 200000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
#if defined(__AVX512F__)
  __asm__ volatile("vxorps %%zmm0,%%zmm0,%%zmm0\n" ::: "xmm0");
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(
        "vfmadd231ps %%zmm0,%%zmm0,%%zmm1\n vfmadd231ps %%zmm0,%%zmm0,%%zmm2\n"
        "vfmadd231ps %%zmm0,%%zmm0,%%zmm3\n vfmadd231ps %%zmm0,%%zmm0,%%zmm4\n"
        "vfmadd231ps %%zmm0,%%zmm0,%%zmm5\n vfmadd231ps %%zmm0,%%zmm0,%%zmm6\n"
        "vfmadd231ps %%zmm0,%%zmm0,%%zmm7\n vfmadd231ps %%zmm0,%%zmm0,%%zmm8\n"
        "vfmadd231ps %%zmm0,%%zmm0,%%zmm9\n vfmadd231ps %%zmm0,%%zmm0,%%zmm10\n"
        "vfmadd231ps %%zmm0,%%zmm0,%%zmm11\n vfmadd231ps %%zmm0,%%zmm0,%%zmm12\n" ::
            : "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
              "xmm9", "xmm10", "xmm11", "xmm12");
  const double flopsPerIter = 12 * 16 * 2;
#else
  __asm__ volatile("vxorps %%ymm0,%%ymm0,%%ymm0\n" ::: "xmm0");
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(
        "vfmadd231ps %%ymm0,%%ymm0,%%ymm1\n vfmadd231ps %%ymm0,%%ymm0,%%ymm2\n"
        "vfmadd231ps %%ymm0,%%ymm0,%%ymm3\n vfmadd231ps %%ymm0,%%ymm0,%%ymm4\n"
        "vfmadd231ps %%ymm0,%%ymm0,%%ymm5\n vfmadd231ps %%ymm0,%%ymm0,%%ymm6\n"
        "vfmadd231ps %%ymm0,%%ymm0,%%ymm7\n vfmadd231ps %%ymm0,%%ymm0,%%ymm8\n"
        "vfmadd231ps %%ymm0,%%ymm0,%%ymm9\n vfmadd231ps %%ymm0,%%ymm0,%%ymm10\n"
        "vfmadd231ps %%ymm0,%%ymm0,%%ymm11\n vfmadd231ps %%ymm0,%%ymm0,%%ymm12\n" ::
            : "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
              "xmm9", "xmm10", "xmm11", "xmm12");
  const double flopsPerIter = 12 * 8 * 2;
#endif
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%.1f\n", iters * flopsPerIter / s / 1e9);
  return 0;
}
