// Package stacks turns the raw user stacks the probes capture into stored
// stacks: native frames symbolised from the process's mappings, ELF
// symbol tables and DWARF line tables, and, for CPython processes, the
// interpreter's own frames read from its memory. Each distinct stack gets
// an ID hashed from its symbolic frames, so the same call site has the
// same ID across runs, processes and nodes, and read-only commands need
// no /proc to show it.
package stacks
