// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* Only the shared maps of ingero.h, so that user space can create them once,
 * before any family loads, and hand them to each family's collection. */
#include "ingero.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";
