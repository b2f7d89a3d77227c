/*
 * Shared between the POSIX platform files (not an interface for anyone else).
 */
#ifndef WASMAOT_POSIX_INTERNAL_H
#define WASMAOT_POSIX_INTERNAL_H

#include "wasmaot_platform.h"

#if !WASMAOT_PLATFORM_POSIX
#error "runtime-c/platform/posix is only for WASMAOT_PLATFORM_POSIX builds"
#endif

/* GUARD-mode reservations, consulted by the fault handler: a fault inside
 * [start, end) of a live reservation is an out-of-bounds memory access. */
int wasmaot_posix_register_reservation(uintptr_t start, uintptr_t end);
void wasmaot_posix_unregister_reservation(uintptr_t start);
int wasmaot_posix_in_reservation(uintptr_t addr); /* async-signal-safe */

#endif
