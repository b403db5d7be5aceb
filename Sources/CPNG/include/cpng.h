#ifndef CPNG_H
#define CPNG_H

// A small C shim over libpng and zlib for Swift.
// libpng reports errors by longjmp, which must never cross Swift frames, so every call here traps them with
// setjmp and returns a status code plus a one-line message instead. Buffers handed out must be released with
// cpng_free.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by every cpng function.
typedef enum {
    CPNG_OK = 0,
    CPNG_NOT_PNG = 1,          ///< The data does not start with the PNG signature.
    CPNG_TRUNCATED = 2,        ///< The data ends before the PNG (or gzip stream) does.
    CPNG_BAD_DIMENSIONS = 3,   ///< Width or height is 0 or above the limit.
    CPNG_TOO_LARGE = 4,        ///< Decoded size (or file size) is above the limit.
    CPNG_CORRUPT = 5,          ///< libpng or zlib rejected the data; the message says why.
    CPNG_NO_MEMORY = 6,        ///< An allocation failed.
    CPNG_INVALID_ARGUMENT = 7, ///< The caller's parameters are inconsistent (encoder).
    CPNG_NO_SUCH_FILE = 8,     ///< The path does not exist.
    CPNG_IS_DIRECTORY = 9,     ///< The path is a directory.
    CPNG_IO = 10               ///< The file could not be opened or read; the message says why.
} cpng_code;

/// Size of the message buffer inside cpng_result.
#define CPNG_MESSAGE_SIZE 200

/// What a call produced: a status, a one-line message when it failed, and an owned buffer when it succeeded.
typedef struct {
    int code;                        ///< A cpng_code.
    char message[CPNG_MESSAGE_SIZE]; ///< NUL-terminated; empty on success.
    uint8_t *data;                   ///< Owned by the caller on success (free with cpng_free); NULL on failure.
    size_t size;                     ///< Bytes in data.
    uint32_t width;                  ///< Decoder only: image width.
    uint32_t height;                 ///< Decoder only: image height.
    uint64_t needed;                 ///< CPNG_TOO_LARGE / CPNG_BAD_DIMENSIONS: the claimed size or dimension.
} cpng_result;

/// Decodes a PNG held in memory into 8-bit gray, one byte per pixel, row-major.
///
/// Every colour type and bit depth is accepted, interlaced or not. Transparency (alpha or tRNS) is composited
/// onto white; colour is turned into gray with the ITU-R BT.601 luma weights 0.299 R + 0.587 G + 0.114 B;
/// 16-bit samples are scaled (not truncated) to 8 bits.
///
/// The IHDR dimensions are checked before libpng allocates anything: width and height must be within
/// 1...max_dimension, and both the decompressed image data and the working buffers must fit in max_bytes
/// (decompression bombs). Reads past the end of `bytes` stop with CPNG_TRUNCATED.
cpng_result cpng_decode_gray8(const uint8_t *bytes, size_t size, uint32_t max_dimension, uint64_t max_bytes);

/// What cpng_encode writes.
typedef struct {
    uint32_t width;
    uint32_t height;
    int color_type;            ///< PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    int bit_depth;             ///< 1, 2, 4, 8 or 16, as the colour type allows.
    int interlaced;            ///< Non-zero for Adam7.
    const uint8_t *palette;    ///< Palette only: palette_count RGB triples.
    int palette_count;
    const uint8_t *trans_alpha; ///< Palette only: alpha of the first trans_count entries (tRNS), or NULL.
    int trans_count;
    int has_trans_color;       ///< Gray or RGB only: write a tRNS chunk with this transparent colour.
    uint16_t trans_gray, trans_red, trans_green, trans_blue;
} cpng_encode_options;

/// Encodes `rows` (height rows, each already in PNG's packed sample layout: samples big-endian for 16 bits,
/// packed most significant bits first below 8 bits) into a PNG in memory. `rows_size` must be exactly
/// height * ceil(width * channels * bit_depth / 8).
cpng_result cpng_encode(const uint8_t *rows, size_t rows_size, const cpng_encode_options *options);

/// Reads a whole file into memory, gunzipping it when it is a gzip file (raw files are read as they are).
/// Stops with CPNG_TOO_LARGE once the (decompressed) content passes max_size, and with CPNG_TRUNCATED when a
/// gzip stream ends early.
cpng_result cpng_read_file(const char *path, uint64_t max_size);

/// Releases a buffer returned in cpng_result.data. NULL is fine.
void cpng_free(void *data);

#ifdef __cplusplus
}
#endif

#endif
