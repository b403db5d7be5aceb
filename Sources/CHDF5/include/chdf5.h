#ifndef CHDF5_H
#define CHDF5_H

// A small C shim over libhdf5 for Swift: the parts of the HDF5 API that the Keras importer needs, with every size
// checked against the caller's limits before anything is read. libhdf5's automatic error printing is switched off
// on every call (its error stacks are per thread), and its errors come back as a status code plus a one-line
// message. The HDF5 type and property macros (H5T_NATIVE_FLOAT, H5P_DEFAULT, ...) are not importable into Swift,
// which is why this shim exists rather than calling libhdf5 directly.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by every chdf5 function.
typedef enum {
    CHDF5_OK = 0,
    CHDF5_NOT_HDF5 = 1,         ///< The bytes do not start an HDF5 file, or libhdf5 refused to open them.
    CHDF5_NOT_FOUND = 2,        ///< No object or attribute by that name.
    CHDF5_WRONG_KIND = 3,       ///< The object exists but is not what was asked for (group vs dataset, rank, ...).
    CHDF5_TOO_LARGE = 4,        ///< A size in the file is above the caller's limit; `needed` says how large.
    CHDF5_UNSUPPORTED_TYPE = 5, ///< A datatype other than the ones accepted (see each function).
    CHDF5_LIBRARY = 6,          ///< libhdf5 reported an error while reading; the message says what it said.
    CHDF5_NO_MEMORY = 7,        ///< An allocation failed.
    CHDF5_INVALID_ARGUMENT = 8  ///< The caller's parameters are inconsistent.
} chdf5_code;

#define CHDF5_MESSAGE_SIZE 240
#define CHDF5_MAX_RANK 8

/// What a call produced: a status and, when it failed, a one-line message.
typedef struct {
    int code;                         ///< A chdf5_code.
    char message[CHDF5_MESSAGE_SIZE]; ///< NUL-terminated; empty on success.
    uint64_t needed;                  ///< CHDF5_TOO_LARGE: the size the file claims.
} chdf5_status;

/// Opens an HDF5 file held in memory, read-only, with libhdf5's core driver and a file image (libhdf5 keeps its
/// own copy: `bytes` may be released after the call). Returns a file handle (> 0) or -1 with `status` set.
int64_t chdf5_open_image(const void *bytes, size_t size, chdf5_status *status);

/// Closes a handle from chdf5_open_image, and every object libhdf5 still has open in it.
void chdf5_close(int64_t file);

/// What kind of object `path` (relative to the file's root, '/'-separated) is: 1 group, 2 dataset, 3 other.
/// CHDF5_NOT_FOUND when any component is missing.
int chdf5_object_kind(int64_t file, const char *path, int *kind, chdf5_status *status);

/// The file address of the object header at `path` (".": the root group), so that the caller can check the
/// header's raw bytes before asking libhdf5 for anything that decodes its attribute messages.
int chdf5_object_address(int64_t file, const char *path, uint64_t *address, chdf5_status *status);

/// The number of links in the group at `path`; CHDF5_TOO_LARGE above max_links.
int chdf5_group_count(int64_t file, const char *path, uint64_t max_links, uint64_t *count, chdf5_status *status);

/// The name of link `index` (in name order) of the group at `path`, NUL-terminated into `name` (capacity
/// `name_capacity`); CHDF5_TOO_LARGE when the name does not fit.
int chdf5_group_link_name(int64_t file, const char *path, uint64_t index, char *name, size_t name_capacity,
                          chdf5_status *status);

/// Strings held by this attribute.
typedef struct {
    char *bytes;    ///< `count` strings, each NUL-terminated, one after another; owned (chdf5_free).
    size_t size;    ///< Bytes in `bytes`, terminators included.
    uint64_t count; ///< Number of strings.
} chdf5_strings;

/// Reads attribute `name` of the object at `path` (".": the root) as strings: a scalar or one-dimensional
/// attribute of fixed- or variable-length strings. An empty attribute of any type gives zero strings (Keras
/// writes an empty float64 array for a layer without weights). At most max_count strings and max_bytes bytes
/// in all, checked before reading fixed-length strings and after reading variable-length ones (whose sizes
/// libhdf5 only knows once it has read them from the file's heap, which lies within the file image).
int chdf5_read_strings(int64_t file, const char *path, const char *name, uint64_t max_count, uint64_t max_bytes,
                       chdf5_strings *out, chdf5_status *status);

/// Releases memory handed out by this shim.
void chdf5_free(void *pointer);

/// Shape and element type of the dataset at `path`.
typedef struct {
    int rank;                          ///< 0 for a scalar.
    uint64_t dims[CHDF5_MAX_RANK];
    int type_class;                    ///< 1 float, 2 integer, 0 anything else.
    size_t type_size;                  ///< Bytes per element.
    int little_endian;                 ///< 1 when the stored byte order is little-endian.
} chdf5_dataset_info;

/// Rank, dimensions and type of the dataset at `path`. Ranks above max_rank (at most CHDF5_MAX_RANK) give
/// CHDF5_TOO_LARGE; so does a product of dimensions above max_elements.
int chdf5_dataset_info_at(int64_t file, const char *path, int max_rank, uint64_t max_elements,
                          chdf5_dataset_info *info, chdf5_status *status);

/// Reads the dataset at `path` as float32 into `out`, which holds exactly `count` elements: the dataset must be
/// a little-endian IEEE float32 or float64 (converted, rounding to nearest) with exactly `count` elements.
int chdf5_read_float32(int64_t file, const char *path, float *out, uint64_t count, chdf5_status *status);

// Writing, for tests that generate large Keras files from a seed (ResNet50) instead of committing them; the
// importer never writes. Files are created on disk (truncating), with libhdf5's default (oldest) format, as h5py
// writes Keras files.

/// Creates (or truncates) an HDF5 file at `path` for writing. Returns a handle for chdf5_close, or -1.
int64_t chdf5_create_file(const char *path, chdf5_status *status);

/// Creates the group at `path` (its parent must exist).
int chdf5_create_group(int64_t file, const char *path, chdf5_status *status);

/// Sets attribute `name` of the object at `path` to a scalar variable-length UTF-8 string, as h5py stores a str.
int chdf5_write_string_attribute(int64_t file, const char *path, const char *name, const char *value,
                                 chdf5_status *status);

/// Writes a contiguous little-endian float32 dataset at `path` with `rank` dimensions `dims` from `values`.
int chdf5_write_float32(int64_t file, const char *path, int rank, const uint64_t *dims, const float *values,
                        chdf5_status *status);

#ifdef __cplusplus
}
#endif

#endif
