/* Clock rate from a chain of dependent adds (4 a loop, 2e9 loops): gcc -O2 clock_rate.c -o /tmp/clk && /tmp/clk */
#include <stdio.h>
#include <time.h>
int main(){ long n=2000000000; struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
long x=0; for(long i=0;i<n;i++){ __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x)); }
clock_gettime(CLOCK_MONOTONIC,&b); double t=(b.tv_sec-a.tv_sec)+(b.tv_nsec-a.tv_nsec)*1e-9; printf("%.2f GHz\n", 4.0*n/t/1e9); return 0; }
