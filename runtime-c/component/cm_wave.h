/*
 * cm_wave.h -- WAVE call text -> component values (cm_wave.c, hosted).
 */
#ifndef WASMAOT_CM_WAVE_H
#define WASMAOT_CM_WAVE_H

#include "wasmaot_cm.h"

#include <stdint.h>

typedef struct cm_wave_error {
    char msg[240];
    uint32_t column;        /* 1-based byte column of the call text */
} cm_wave_error;

/* Parse `name(args...)`: the export called and one value per parameter
 * (malloc'd).  0, or -1 with *err set. */
int cm_wave_parse_call(const wasmaot_cm_component *comp, const char *text,
                       const wasmaot_cm_func **func, wasmaot_cm_value **args, cm_wave_error *err);

#endif
