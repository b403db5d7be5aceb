#ifndef CPNG_INTERNAL_H
#define CPNG_INTERNAL_H

#include "cpng.h"

// Fills result->code and a formatted one-line message.
void cpng_fail(cpng_result *result, int code, const char *format, ...) __attribute__((format(printf, 3, 4)));

// A result with nothing in it yet.
cpng_result cpng_empty_result(void);

#endif
