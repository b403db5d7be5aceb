#include "cpng_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cpng_fail(cpng_result *result, int code, const char *format, ...) {
    result->code = code;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(result->message, sizeof result->message, format, arguments);
    va_end(arguments);
    // Messages are one line by contract; libpng's and strerror's never contain newlines, but be sure.
    for (char *c = result->message; *c; c++) {
        if (*c == '\n' || *c == '\r') *c = ' ';
    }
}

cpng_result cpng_empty_result(void) {
    cpng_result result;
    memset(&result, 0, sizeof result);
    return result;
}

void cpng_free(void *data) {
    free(data);
}
