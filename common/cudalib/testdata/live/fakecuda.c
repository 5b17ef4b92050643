/* A minimal libcudart.so.12 (-DRUNTIME) or libcuda.so.1 (-DDRIVER): one
 * export and one undefined symbol, enough for discovery and Symbols. */
#include <stdio.h>

#ifdef RUNTIME
int cudaMalloc(void **p, unsigned long n)
{
	(void)p;
	return printf("cudaMalloc %lu\n", n) < 0;
}
#else
int cuInit(unsigned int flags)
{
	return printf("cuInit %u\n", flags) < 0;
}
#endif
