#include "cpng_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

// Bytes asked of gzread at once (it takes an unsigned count).
#define CPNG_READ_CHUNK (1u << 20)

cpng_result cpng_read_file(const char *path, uint64_t max_size) {
    cpng_result result = cpng_empty_result();
    if (!path) {
        cpng_fail(&result, CPNG_INVALID_ARGUMENT, "no path");
        return result;
    }
    struct stat status;
    if (stat(path, &status) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) cpng_fail(&result, CPNG_NO_SUCH_FILE, "no such file");
        else cpng_fail(&result, CPNG_IO, "%s", strerror(errno));
        return result;
    }
    if (S_ISDIR(status.st_mode)) {
        cpng_fail(&result, CPNG_IS_DIRECTORY, "is a directory");
        return result;
    }
    // gzopen reads files that are not gzip as they are, so one path serves both.
    gzFile file = gzopen(path, "rb");
    if (!file) {
        cpng_fail(&result, CPNG_IO, "cannot open: %s", errno ? strerror(errno) : "out of memory");
        return result;
    }
    gzbuffer(file, 128 * 1024);

    uint8_t *data = NULL;
    size_t size = 0, capacity = 0;
    // One byte past the limit is enough to know the limit was passed.
    uint64_t ceiling64 = max_size < (uint64_t)SIZE_MAX - 1 ? max_size + 1 : (uint64_t)SIZE_MAX - 1;
    size_t ceiling = (size_t)ceiling64;
    for (;;) {
        if (size == capacity) {
            if (capacity >= ceiling) {
                cpng_fail(&result, CPNG_TOO_LARGE, "larger than %llu bytes%s", (unsigned long long)max_size,
                          gzdirect(file) ? "" : " decompressed");
                result.needed = max_size + 1;
                break;
            }
            size_t grown_capacity = capacity ? (capacity > ceiling / 2 ? ceiling : capacity * 2) : 1u << 20;
            if (grown_capacity > ceiling) grown_capacity = ceiling;
            uint8_t *grown = realloc(data, grown_capacity);
            if (!grown) {
                cpng_fail(&result, CPNG_NO_MEMORY, "out of memory reading the file");
                break;
            }
            data = grown;
            capacity = grown_capacity;
        }
        size_t want = capacity - size < CPNG_READ_CHUNK ? capacity - size : CPNG_READ_CHUNK;
        int got = gzread(file, data + size, (unsigned)want);
        if (got < 0) {
            int error = Z_OK;
            const char *message = gzerror(file, &error);
            if (error == Z_ERRNO) cpng_fail(&result, CPNG_IO, "cannot read: %s", strerror(errno));
            else cpng_fail(&result, CPNG_CORRUPT, "corrupt gzip data (%s)", message ? message : "zlib error");
            break;
        }
        if (got == 0) {
            // zlib reports a gzip stream that stops early as Z_BUF_ERROR rather than as a read error.
            int error = Z_OK;
            gzerror(file, &error);
            if (error == Z_BUF_ERROR) cpng_fail(&result, CPNG_TRUNCATED, "truncated gzip data");
            break;
        }
        size += (size_t)got;
    }
    int closed = gzclose(file);
    if (result.code == CPNG_OK && closed == Z_BUF_ERROR) cpng_fail(&result, CPNG_TRUNCATED, "truncated gzip data");
    if (result.code != CPNG_OK) {
        free(data);
        return result;
    }
    result.data = data;
    result.size = size;
    return result;
}
