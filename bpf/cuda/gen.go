package cuda

// The object is compiled for x86-64 only: the probes read arguments and the
// return address where the x86-64 System V ABI puts them. clang-14 is
// pinned so that regenerating gives the committed bytes; see bpf/README.md.
//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I../include -I../headers" -target amd64 -type cuda_rec -type stack_tail -type py_tail -type py_proc -type py_code -type py_tstate cuda cuda.c
