#include "cpng_internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

// libpng's own default limit on either side of an image it writes.
#define CPNG_ENCODE_MAX_SIDE 1000000u

// As in decode.c: all state outside the frame that calls setjmp.
typedef struct {
    const uint8_t *rows;
    size_t row_bytes;
    const cpng_encode_options *options;
    png_structp png;
    png_infop info;
    uint8_t *out;
    size_t size;
    size_t capacity;
    cpng_result *result;
} encode_job;

static void on_error(png_structp png, png_const_charp message) {
    encode_job *job = png_get_error_ptr(png);
    if (job->result->message[0] == '\0') cpng_fail(job->result, CPNG_CORRUPT, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

// Appends to a buffer that doubles as it fills.
static void on_write(png_structp png, png_bytep data, size_t length) {
    encode_job *job = png_get_io_ptr(png);
    if (length > job->capacity - job->size) {
        uint8_t *grown = NULL;
        if (length <= SIZE_MAX - job->size) {
            size_t needed = job->size + length, capacity = job->capacity ? job->capacity : 4096;
            while (capacity < needed) capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
            grown = realloc(job->out, capacity);
            if (grown) job->capacity = capacity;
        }
        if (!grown) {
            cpng_fail(job->result, CPNG_NO_MEMORY, "out of memory writing the PNG");
            png_longjmp(png, 1);
        }
        job->out = grown;
    }
    memcpy(job->out + job->size, data, length);
    job->size += length;
}

static void on_flush(png_structp png) {
    (void)png;
}

// The PNG rules for colour type, bit depth, palette and tRNS, checked here so a caller's mistake is
// CPNG_INVALID_ARGUMENT with a clear message rather than a libpng error. Returns the channel count, or 0.
static int check_options(const cpng_encode_options *o, cpng_result *result) {
    int depth = o->bit_depth, channels = 0, depth_ok = 0;
    switch (o->color_type) {
    case 0: channels = 1; depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16; break;
    case 3: channels = 1; depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8; break;
    case 2: channels = 3; depth_ok = depth == 8 || depth == 16; break;
    case 4: channels = 2; depth_ok = depth == 8 || depth == 16; break;
    case 6: channels = 4; depth_ok = depth == 8 || depth == 16; break;
    default:
        cpng_fail(result, CPNG_INVALID_ARGUMENT, "colour type %d does not exist", o->color_type);
        return 0;
    }
    if (!depth_ok) {
        cpng_fail(result, CPNG_INVALID_ARGUMENT, "bit depth %d is not allowed for colour type %d", depth, o->color_type);
        return 0;
    }
    if (o->width == 0 || o->height == 0 || o->width > CPNG_ENCODE_MAX_SIDE || o->height > CPNG_ENCODE_MAX_SIDE) {
        cpng_fail(result, CPNG_INVALID_ARGUMENT, "cannot write a %ux%u image", o->width, o->height);
        return 0;
    }
    if (o->color_type == 3) {
        if (!o->palette || o->palette_count < 1 || o->palette_count > (1 << depth)) {
            cpng_fail(result, CPNG_INVALID_ARGUMENT, "a %d-bit palette image needs 1 to %d palette entries, not %d",
                      depth, 1 << depth, o->palette_count);
            return 0;
        }
        if (o->trans_count < 0 || o->trans_count > o->palette_count || (o->trans_count > 0 && !o->trans_alpha)) {
            cpng_fail(result, CPNG_INVALID_ARGUMENT, "%d tRNS entries for %d palette entries", o->trans_count,
                      o->palette_count);
            return 0;
        }
    } else if (o->palette_count != 0 || o->trans_count != 0) {
        cpng_fail(result, CPNG_INVALID_ARGUMENT, "only palette images take a palette or tRNS alpha table");
        return 0;
    }
    if (o->has_trans_color && o->color_type != 0 && o->color_type != 2) {
        cpng_fail(result, CPNG_INVALID_ARGUMENT, "only gray and RGB images take a transparent colour");
        return 0;
    }
    return channels;
}

static int run_encode(encode_job *job) {
    png_structp png = job->png;
    png_infop info = job->info;
    const cpng_encode_options *o = job->options;
    if (setjmp(png_jmpbuf(png))) return 1;

    png_set_write_fn(png, job, on_write, on_flush);
    png_set_IHDR(png, info, o->width, o->height, o->bit_depth, o->color_type,
                 o->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (o->color_type == 3) {
        png_color colors[256];
        for (int i = 0; i < o->palette_count; i++) {
            colors[i].red = o->palette[3 * i];
            colors[i].green = o->palette[3 * i + 1];
            colors[i].blue = o->palette[3 * i + 2];
        }
        png_set_PLTE(png, info, colors, o->palette_count);
        if (o->trans_count > 0) png_set_tRNS(png, info, o->trans_alpha, o->trans_count, NULL);
    }
    if (o->has_trans_color) {
        png_color_16 color;
        memset(&color, 0, sizeof color);
        color.gray = o->trans_gray;
        color.red = o->trans_red;
        color.green = o->trans_green;
        color.blue = o->trans_blue;
        png_set_tRNS(png, info, NULL, 0, &color);
    }
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < o->height; y++) png_write_row(png, job->rows + (size_t)y * job->row_bytes);
    }
    png_write_end(png, NULL);
    return 0;
}

cpng_result cpng_encode(const uint8_t *rows, size_t rows_size, const cpng_encode_options *options) {
    cpng_result result = cpng_empty_result();
    if (!options || !rows) {
        cpng_fail(&result, CPNG_INVALID_ARGUMENT, "no image data");
        return result;
    }
    int channels = check_options(options, &result);
    if (channels == 0) return result;
    uint64_t row_bits = (uint64_t)options->width * (uint64_t)(channels * options->bit_depth);
    uint64_t row_bytes = (row_bits + 7) / 8;
    if (row_bytes * options->height != (uint64_t)rows_size) {
        cpng_fail(&result, CPNG_INVALID_ARGUMENT, "%zu bytes of rows given; a %ux%u image of this type needs %llu",
                  rows_size, options->width, options->height, (unsigned long long)(row_bytes * options->height));
        return result;
    }

    encode_job job;
    memset(&job, 0, sizeof job);
    job.rows = rows;
    job.row_bytes = (size_t)row_bytes;
    job.options = options;
    job.result = &result;
    job.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning);
    if (job.png) job.info = png_create_info_struct(job.png);
    if (!job.png || !job.info) {
        png_destroy_write_struct(&job.png, NULL);
        cpng_fail(&result, CPNG_NO_MEMORY, "out of memory starting libpng");
        return result;
    }
    int failed = run_encode(&job);
    png_destroy_write_struct(&job.png, &job.info);
    if (failed) {
        free(job.out);
        if (result.code == CPNG_OK) cpng_fail(&result, CPNG_CORRUPT, "libpng could not write the image");
        return result;
    }
    result.code = CPNG_OK;
    result.data = job.out;
    result.size = job.size;
    result.width = options->width;
    result.height = options->height;
    return result;
}
