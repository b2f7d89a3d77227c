/* Force-included (-include) into the spec driver's C files on firmware:
 * wasmaot_rt.h declares wasmaot_rt_try for POSIX builds only, and
 * host_link.c calls it; fw_spec_main.c defines it for bare metal. */
#ifndef WASMAOT_FW_RT_TRY_H
#define WASMAOT_FW_RT_TRY_H
#include "wasmaot_rt.h"
int wasmaot_rt_try(void (*fn)(void *), void *arg, wasmaot_trap_code *out);
#endif
