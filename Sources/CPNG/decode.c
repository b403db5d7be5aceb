#include "cpng_internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

// Ancillary chunks (zTXt, iTXt, iCCP) inflate into buffers of at most this size: a second decompression-bomb
// guard next to the image-size check.
#define CPNG_CHUNK_MALLOC_MAX (4u * 1024u * 1024u)
// At most this many ancillary chunks are kept; the rest are skipped.
#define CPNG_CHUNK_CACHE_MAX 256u

// Everything the decode needs lives here, outside the frame that calls setjmp, so nothing it touches is left
// indeterminate by a longjmp.
typedef struct {
    const uint8_t *bytes;
    size_t size;
    size_t position;
    int truncated;
    uint32_t max_dimension;
    png_structp png;
    png_infop info;
    uint8_t *gray;        // the output, width * height
    uint8_t *rgba;        // one RGBA row, or the whole image when interlaced
    png_bytep *rows;      // row pointers into rgba when interlaced
    cpng_result *result;
} decode_job;

static uint32_t big_endian_32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void on_error(png_structp png, png_const_charp message) {
    decode_job *job = png_get_error_ptr(png);
    if (job->result->message[0] == '\0') cpng_fail(job->result, CPNG_CORRUPT, "%s", message);
    png_longjmp(png, 1);
}

// Warnings (a bad CRC on an ancillary chunk, an unknown sRGB profile) do not stop the decode and must not reach
// stderr.
static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

// Serves libpng from memory; a read past the end is a truncated file, never a wait for more input.
static void on_read(png_structp png, png_bytep out, size_t length) {
    decode_job *job = png_get_io_ptr(png);
    if (length > job->size - job->position) {
        job->truncated = 1;
        cpng_fail(job->result, CPNG_TRUNCATED, "truncated PNG data");
        png_longjmp(png, 1);
    }
    memcpy(out, job->bytes + job->position, length);
    job->position += length;
}

static int channels_of(int color_type) {
    switch (color_type) {
    case 0: return 1; // gray
    case 2: return 3; // RGB
    case 3: return 1; // palette index
    case 4: return 2; // gray + alpha
    case 6: return 4; // RGBA
    default: return 0;
    }
}

// Reads the IHDR straight from the bytes, before libpng allocates anything, and refuses dimensions and decoded
// sizes beyond the limits. Returns 0 when the decode may go on.
static int check_header(const uint8_t *bytes, size_t size, uint32_t max_dimension, uint64_t max_bytes,
                        cpng_result *result) {
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    size_t compared = size < 8 ? size : 8;
    if (size == 0 || memcmp(bytes, signature, compared) != 0) {
        cpng_fail(result, CPNG_NOT_PNG, "not a PNG file");
        return 1;
    }
    // Signature, chunk length and type, 13 bytes of IHDR, CRC.
    if (size < 8 + 8 + 13 + 4) {
        cpng_fail(result, CPNG_TRUNCATED, "truncated PNG data");
        return 1;
    }
    if (big_endian_32(bytes + 8) != 13 || memcmp(bytes + 12, "IHDR", 4) != 0) {
        cpng_fail(result, CPNG_CORRUPT, "the first chunk is not a 13-byte IHDR");
        return 1;
    }
    uint32_t width = big_endian_32(bytes + 16), height = big_endian_32(bytes + 20);
    int depth = bytes[24], color_type = bytes[25], interlaced = bytes[28] == 1;
    if (width == 0 || height == 0 || width > max_dimension || height > max_dimension) {
        result->width = width;
        result->height = height;
        result->needed = width > height ? width : height;
        cpng_fail(result, CPNG_BAD_DIMENSIONS, "image is %ux%u pixels; width and height must be 1 to %u",
                  width, height, max_dimension);
        return 1;
    }
    int channels = channels_of(color_type);
    if (channels == 0 || (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16)) {
        return 0; // libpng names the exact problem
    }
    // Both sides are at most 2^32, so these products fit in 64 bits.
    uint64_t row_bytes = ((uint64_t)width * (uint64_t)(channels * depth) + 7) / 8;
    uint64_t inflated = (uint64_t)height * (row_bytes + 1);
    if (interlaced) inflated += 2 * 7 * ((uint64_t)height + 8); // each Adam7 pass adds its own filter bytes
    uint64_t pixels = (uint64_t)width * height;
    uint64_t working = pixels + (interlaced ? 4 * pixels : 4 * (uint64_t)width);
    uint64_t needed = inflated > working ? inflated : working;
    if (needed > max_bytes) {
        result->width = width;
        result->height = height;
        result->needed = needed;
        cpng_fail(result, CPNG_TOO_LARGE,
                  "a %ux%u image needs %llu bytes decoded, over the limit of %llu", width, height,
                  (unsigned long long)needed, (unsigned long long)max_bytes);
        return 1;
    }
    return 0;
}

// Luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B), then alpha composited onto white.
static void composite_row(const uint8_t *rgba, uint8_t *gray, uint32_t width) {
    for (uint32_t x = 0; x < width; x++, rgba += 4) {
        uint32_t luma = (299u * rgba[0] + 587u * rgba[1] + 114u * rgba[2] + 500u) / 1000u;
        uint32_t alpha = rgba[3];
        gray[x] = (uint8_t)((luma * alpha + 255u * (255u - alpha) + 127u) / 255u);
    }
}

// Runs libpng. Returns 0 on success, 1 after a libpng error (the message is already in job->result).
static int run_decode(decode_job *job) {
    png_structp png = job->png;
    png_infop info = job->info;
    if (setjmp(png_jmpbuf(png))) return 1;

    png_set_user_limits(png, job->max_dimension, job->max_dimension);
    png_set_chunk_malloc_max(png, CPNG_CHUNK_MALLOC_MAX);
    png_set_chunk_cache_max(png, CPNG_CHUNK_CACHE_MAX);
    png_set_read_fn(png, job, on_read);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);
    int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;

    // Everything becomes 8-bit RGBA; composite_row then makes gray.
    if (color_type == PNG_COLOR_TYPE_PALETTE || depth < 8 || has_trns) png_set_expand(png);
    if (depth == 16) png_set_scale_16(png);
    if (!(color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(png);
    if (!(color_type & PNG_COLOR_MASK_ALPHA) && !has_trns) png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 4) {
        cpng_fail(job->result, CPNG_CORRUPT, "unexpected row layout after conversion to RGBA");
        png_longjmp(png, 1);
    }

    job->result->width = width;
    job->result->height = height;
    job->gray = malloc((size_t)width * height);
    job->rgba = malloc((size_t)width * 4 * (passes > 1 ? height : 1));
    if (passes > 1) job->rows = malloc(sizeof(png_bytep) * height);
    if (!job->gray || !job->rgba || (passes > 1 && !job->rows)) {
        cpng_fail(job->result, CPNG_NO_MEMORY, "out of memory for a %ux%u image", width, height);
        png_longjmp(png, 1);
    }
    if (passes > 1) {
        // Adam7 fills the image in several passes, so the whole RGBA image has to be kept.
        for (png_uint_32 y = 0; y < height; y++) job->rows[y] = job->rgba + (size_t)y * width * 4;
        png_read_image(png, job->rows);
        for (png_uint_32 y = 0; y < height; y++) composite_row(job->rows[y], job->gray + (size_t)y * width, width);
    } else {
        for (png_uint_32 y = 0; y < height; y++) {
            png_read_row(png, job->rgba, NULL);
            composite_row(job->rgba, job->gray + (size_t)y * width, width);
        }
    }
    // Reads up to IEND, so a file cut after its image data or with a bad trailing CRC is still an error.
    png_read_end(png, NULL);
    return 0;
}

cpng_result cpng_decode_gray8(const uint8_t *bytes, size_t size, uint32_t max_dimension, uint64_t max_bytes) {
    cpng_result result = cpng_empty_result();
    if (bytes == NULL && size > 0) {
        cpng_fail(&result, CPNG_INVALID_ARGUMENT, "no data");
        return result;
    }
    if (check_header(bytes, size, max_dimension, max_bytes, &result)) return result;

    decode_job job;
    memset(&job, 0, sizeof job);
    job.bytes = bytes;
    job.size = size;
    job.max_dimension = max_dimension;
    job.result = &result;
    job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning);
    if (job.png) job.info = png_create_info_struct(job.png);
    if (!job.png || !job.info) {
        png_destroy_read_struct(&job.png, NULL, NULL);
        cpng_fail(&result, CPNG_NO_MEMORY, "out of memory starting libpng");
        return result;
    }

    int failed = run_decode(&job);
    png_destroy_read_struct(&job.png, &job.info, NULL);
    free(job.rgba);
    free(job.rows);
    if (failed) {
        free(job.gray);
        if (result.code == CPNG_OK) cpng_fail(&result, CPNG_CORRUPT, "corrupt PNG data");
        if (job.truncated) result.code = CPNG_TRUNCATED;
        return result;
    }
    result.code = CPNG_OK;
    result.data = job.gray;
    result.size = (size_t)result.width * result.height;
    return result;
}
