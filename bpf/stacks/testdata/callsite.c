/* A program that prints the return address of one of its calls, with the
 * line that makes the call, then waits: the test resolves the address in
 * the live process and expects that function and line. */
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline)) static void report(void *ret, int line)
{
	printf("%p %d\n", ret, line);
	fflush(stdout);
}

__attribute__((noinline)) static void *where(void)
{
	return __builtin_return_address(0);
}

__attribute__((noinline)) void make_call(void)
{
	void *ret = where(); int line = __LINE__;

	report(ret, line);
}

int main(void)
{
	make_call();
	pause();
	return 0;
}
