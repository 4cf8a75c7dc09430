/* Plain 8 x 2-vector (and 4 x 2) float32 register tiles for N = 32, C order, no prefetch and no
   overflow scan: what the hardware gives the simplest form of the tiles (2026-12-08 exploration).
   gcc -O3 -march=native -shared -fPIC c_tiles_8x2.c -o /tmp/x27/mk.so; run by tile_overheads.py. */
#include <immintrin.h>
#include <stddef.h>
/* C = A B for B batches of M x K, K x N (row-major, N = 32), tiles of R rows x 2 vectors */
#define TILE(R) \
void tiles##R(long nb, long M, long K, const float *A, const float *Bm, float *C) { \
  for (long b = 0; b < nb; b++) { \
    const float *a0 = A + b*M*K, *b0 = Bm + b*K*32; float *c0 = C + b*M*32; \
    for (long i = 0; i < M; i += R) { \
      __m512 acc[R][2]; \
      for (int r = 0; r < R; r++) { acc[r][0] = _mm512_setzero_ps(); acc[r][1] = _mm512_setzero_ps(); } \
      for (long k = 0; k < K; k++) { \
        __m512 v0 = _mm512_loadu_ps(b0 + k*32), v1 = _mm512_loadu_ps(b0 + k*32 + 16); \
        for (int r = 0; r < R; r++) { __m512 s = _mm512_set1_ps(a0[(i+r)*K + k]); \
          acc[r][0] = _mm512_fmadd_ps(s, v0, acc[r][0]); acc[r][1] = _mm512_fmadd_ps(s, v1, acc[r][1]); } \
      } \
      for (int r = 0; r < R; r++) { _mm512_storeu_ps(c0 + (i+r)*32, acc[r][0]); _mm512_storeu_ps(c0 + (i+r)*32 + 16, acc[r][1]); } \
    } \
  } \
}
TILE(4)
TILE(8)
