package nccl

// Compiled for x86-64 like the other families (see ../cuda/gen.go).
//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I../include -I../headers" -target amd64 -type nccl_rec -type comm_info -type comm_key -type pending_init -type nccl_call nccl nccl.c
