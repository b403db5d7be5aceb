// See include/chdf5.h. Every function: switch libhdf5's error printing off for this thread, check the caller's
// limits against what the file declares before reading, close what it opened, and turn libhdf5's error stack
// into one line.

#include "chdf5.h"

#if __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#else
#include <hdf5.h>
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libhdf5's error stacks, and so its automatic printing setting, are per thread in thread-safe builds.
static void quiet(chdf5_status *status) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    status->code = CHDF5_OK;
    status->message[0] = 0;
    status->needed = 0;
}

static int fail(chdf5_status *status, int code, const char *format, ...) {
    status->code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(status->message, CHDF5_MESSAGE_SIZE, format, args);
    va_end(args);
    H5Eclear2(H5E_DEFAULT);
    return code;
}

typedef struct {
    char innermost[120];
    char outermost[120];
    int seen;
} error_walk;

static herr_t walk_error(unsigned n, const H5E_error2_t *entry, void *data) {
    error_walk *walk = (error_walk *)data;
    const char *text = entry->desc && entry->desc[0] ? entry->desc : (entry->func_name ? entry->func_name : "?");
    if (walk->seen == 0) snprintf(walk->innermost, sizeof walk->innermost, "%s", text);
    snprintf(walk->outermost, sizeof walk->outermost, "%s", text);
    walk->seen++;
    (void)n;
    return 0;
}

// Fails with libhdf5's own account of the error: the outermost (API-level) and innermost descriptions.
static int fail_library(chdf5_status *status, int code, const char *what) {
    error_walk walk = {{0}, {0}, 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_error, &walk);
    if (walk.seen == 0) return fail(status, code, "%s", what);
    if (walk.seen == 1 || strcmp(walk.innermost, walk.outermost) == 0)
        return fail(status, code, "%s (libhdf5: %s)", what, walk.innermost);
    return fail(status, code, "%s (libhdf5: %s: %s)", what, walk.outermost, walk.innermost);
}

int64_t chdf5_open_image(const void *bytes, size_t size, chdf5_status *status) {
    quiet(status);
    static const unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    // HDF5 allows a user block before the superblock (at 0, 512, 1024, ...); Keras writes none.
    if (bytes == NULL || size < 8 || memcmp(bytes, signature, 8) != 0) {
        fail(status, CHDF5_NOT_HDF5, "not an HDF5 file (no HDF5 signature at the start)");
        return -1;
    }
    // The core (memory) driver with a file image: libhdf5 copies the bytes, so the caller's may go at once.
    // (H5LTopen_file_image without copying leaks its bookkeeping on every open in libhdf5 1.10.)
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    if (access < 0) {
        fail_library(status, CHDF5_LIBRARY, "cannot make a file access list");
        return -1;
    }
    if (H5Pset_fapl_core(access, 1 << 16, 0) < 0 || H5Pset_file_image(access, (void *)bytes, size) < 0) {
        H5Pclose(access);
        fail_library(status, CHDF5_NO_MEMORY, "cannot hand the file image to libhdf5");
        return -1;
    }
    // A name of its own: libhdf5 takes two core-driver files of the same name to be one file already open.
    static _Atomic unsigned long long opened = 0;
    char name[64];
    snprintf(name, sizeof name, "chdf5-image-%llu.h5", (unsigned long long)++opened);
    hid_t file = H5Fopen(name, H5F_ACC_RDONLY, access);
    H5Pclose(access);
    if (file < 0) {
        fail_library(status, CHDF5_NOT_HDF5, "not a readable HDF5 file");
        return -1;
    }
    return (int64_t)file;
}

void chdf5_close(int64_t file) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (file <= 0) return;
    // Close anything still open in the file so the file image is no longer referenced.
    ssize_t open = H5Fget_obj_count((hid_t)file, H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_ATTR | H5F_OBJ_DATATYPE | H5F_OBJ_LOCAL);
    if (open > 1) {
        hid_t *ids = calloc((size_t)open, sizeof(hid_t));
        if (ids) {
            ssize_t n = H5Fget_obj_ids((hid_t)file, H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_ATTR | H5F_OBJ_DATATYPE | H5F_OBJ_LOCAL, (size_t)open, ids);
            for (ssize_t i = 0; i < n; i++) {
                if (ids[i] != (hid_t)file) H5Oclose(ids[i]);
            }
            free(ids);
        }
    }
    H5Fclose((hid_t)file);
    H5Eclear2(H5E_DEFAULT);
}

// Checks every component of `path` exists as a hard link, so that libhdf5 never follows a soft or external
// link (an external link would make it open another file on disk). "." is the root.
static int check_path(hid_t file, const char *path, chdf5_status *status) {
    if (path == NULL) return fail(status, CHDF5_INVALID_ARGUMENT, "no path");
    if (strcmp(path, ".") == 0 || strcmp(path, "/") == 0) return CHDF5_OK;
    size_t length = strlen(path);
    if (length == 0 || length > 4000) return fail(status, CHDF5_INVALID_ARGUMENT, "bad path length");
    char prefix[4096];
    size_t at = 0;
    while (at <= length) {
        size_t end = at;
        while (end < length && path[end] != '/') end++;
        if (end == at) return fail(status, CHDF5_INVALID_ARGUMENT, "empty component in '%s'", path);
        memcpy(prefix, path, end);
        prefix[end] = 0;
        htri_t exists = H5Lexists(file, prefix, H5P_DEFAULT);
        if (exists < 0) return fail_library(status, CHDF5_LIBRARY, "cannot look up a link");
        if (exists == 0) return fail(status, CHDF5_NOT_FOUND, "no object '%s'", prefix);
        H5L_info_t info;
        if (H5Lget_info(file, prefix, &info, H5P_DEFAULT) < 0) return fail_library(status, CHDF5_LIBRARY, "cannot read a link");
        if (info.type != H5L_TYPE_HARD) return fail(status, CHDF5_WRONG_KIND, "'%s' is a soft or external link", prefix);
        at = end + 1;
    }
    return CHDF5_OK;
}

int chdf5_object_kind(int64_t file, const char *path, int *kind, chdf5_status *status) {
    quiet(status);
    if (check_path((hid_t)file, path, status) != CHDF5_OK) return status->code;
    hid_t object = H5Oopen((hid_t)file, path, H5P_DEFAULT);
    if (object < 0) return fail_library(status, CHDF5_LIBRARY, "cannot open an object");
    H5I_type_t type = H5Iget_type(object);
    *kind = type == H5I_GROUP ? 1 : type == H5I_DATASET ? 2 : 3;
    H5Oclose(object);
    return CHDF5_OK;
}

int chdf5_object_address(int64_t file, const char *path, uint64_t *address, chdf5_status *status) {
    quiet(status);
    if (check_path((hid_t)file, path, status) != CHDF5_OK) return status->code;
    // H5O_INFO_BASIC loads the header but decodes no attribute message (the counts are not asked for).
    H5O_info_t info;
    if (H5Oget_info_by_name2((hid_t)file, path, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        return fail_library(status, CHDF5_LIBRARY, "cannot locate an object");
    *address = (uint64_t)info.addr;
    H5Eclear2(H5E_DEFAULT);
    return CHDF5_OK;
}

static hid_t open_group(hid_t file, const char *path, chdf5_status *status) {
    if (check_path(file, path, status) != CHDF5_OK) return -1;
    hid_t object = H5Oopen(file, path, H5P_DEFAULT);
    if (object < 0) { fail_library(status, CHDF5_LIBRARY, "cannot open a group"); return -1; }
    if (H5Iget_type(object) != H5I_GROUP) {
        H5Oclose(object);
        fail(status, CHDF5_WRONG_KIND, "not a group");
        return -1;
    }
    return object;
}

int chdf5_group_count(int64_t file, const char *path, uint64_t max_links, uint64_t *count, chdf5_status *status) {
    quiet(status);
    hid_t group = open_group((hid_t)file, path, status);
    if (group < 0) return status->code;
    H5G_info_t info;
    herr_t ok = H5Gget_info(group, &info);
    H5Oclose(group);
    if (ok < 0) return fail_library(status, CHDF5_LIBRARY, "cannot read a group");
    if (info.nlinks > max_links) {
        status->needed = info.nlinks;
        return fail(status, CHDF5_TOO_LARGE, "group has %llu links, the limit is %llu",
                    (unsigned long long)info.nlinks, (unsigned long long)max_links);
    }
    *count = info.nlinks;
    return CHDF5_OK;
}

int chdf5_group_link_name(int64_t file, const char *path, uint64_t index, char *name, size_t name_capacity,
                          chdf5_status *status) {
    quiet(status);
    if (name == NULL || name_capacity == 0) return fail(status, CHDF5_INVALID_ARGUMENT, "no name buffer");
    hid_t group = open_group((hid_t)file, path, status);
    if (group < 0) return status->code;
    ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)index, NULL, 0, H5P_DEFAULT);
    if (length < 0) {
        H5Oclose(group);
        return fail_library(status, CHDF5_LIBRARY, "cannot read a link name");
    }
    if ((size_t)length >= name_capacity) {
        H5Oclose(group);
        status->needed = (uint64_t)length;
        return fail(status, CHDF5_TOO_LARGE, "link name of %lld bytes, the limit is %zu", (long long)length, name_capacity - 1);
    }
    ssize_t got = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)index, name, name_capacity, H5P_DEFAULT);
    H5Oclose(group);
    if (got < 0) return fail_library(status, CHDF5_LIBRARY, "cannot read a link name");
    name[name_capacity - 1] = 0;
    return CHDF5_OK;
}

void chdf5_free(void *pointer) { free(pointer); }

// Appends `length` bytes of `text` plus a terminator to out, within max_bytes.
static int append_string(chdf5_strings *out, size_t *capacity, const char *text, size_t length, uint64_t max_bytes,
                         chdf5_status *status) {
    if ((uint64_t)out->size + length + 1 > max_bytes) {
        status->needed = (uint64_t)out->size + length + 1;
        return fail(status, CHDF5_TOO_LARGE, "strings over %llu bytes", (unsigned long long)max_bytes);
    }
    if (out->size + length + 1 > *capacity) {
        size_t grown = (*capacity * 2 > out->size + length + 1) ? *capacity * 2 : out->size + length + 1;
        char *bigger = realloc(out->bytes, grown);
        if (bigger == NULL) return fail(status, CHDF5_NO_MEMORY, "out of memory");
        out->bytes = bigger;
        *capacity = grown;
    }
    memcpy(out->bytes + out->size, text, length);
    out->bytes[out->size + length] = 0;
    out->size += length + 1;
    out->count++;
    return CHDF5_OK;
}

int chdf5_read_strings(int64_t file, const char *path, const char *name, uint64_t max_count, uint64_t max_bytes,
                       chdf5_strings *out, chdf5_status *status) {
    quiet(status);
    out->bytes = NULL;
    out->size = 0;
    out->count = 0;
    if (name == NULL) return fail(status, CHDF5_INVALID_ARGUMENT, "no attribute name");
    if (check_path((hid_t)file, path, status) != CHDF5_OK) return status->code;
    htri_t exists = H5Aexists_by_name((hid_t)file, path, name, H5P_DEFAULT);
    if (exists < 0) return fail_library(status, CHDF5_LIBRARY, "cannot look up an attribute");
    if (exists == 0) return fail(status, CHDF5_NOT_FOUND, "no attribute '%s'", name);
    hid_t attribute = H5Aopen_by_name((hid_t)file, path, name, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute < 0) return fail_library(status, CHDF5_LIBRARY, "cannot open an attribute");
    hid_t space = H5Aget_space(attribute);
    hid_t type = H5Aget_type(attribute);
    hid_t memory_type = -1;
    char *fixed = NULL;
    char **pointers = NULL;
    int vlen_read = 0;
    size_t capacity = 0;
    int code = CHDF5_OK;

    if (space < 0 || type < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read an attribute"); goto done; }
    H5S_class_t space_class = H5Sget_simple_extent_type(space);
    if (space_class == H5S_NULL) goto done; // no strings
    int rank = H5Sget_simple_extent_ndims(space);
    hssize_t points = H5Sget_simple_extent_npoints(space);
    if (rank < 0 || points < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read an attribute's shape"); goto done; }
    if (rank > 1) { code = fail(status, CHDF5_WRONG_KIND, "attribute '%s' has rank %d, expected at most 1", name, rank); goto done; }
    if (points == 0) goto done;
    if ((uint64_t)points > max_count) {
        status->needed = (uint64_t)points;
        code = fail(status, CHDF5_TOO_LARGE, "attribute '%s' holds %lld strings, the limit is %llu", name,
                    (long long)points, (unsigned long long)max_count);
        goto done;
    }
    if (H5Tget_class(type) != H5T_STRING) {
        code = fail(status, CHDF5_UNSUPPORTED_TYPE, "attribute '%s' is not a string", name);
        goto done;
    }
    htri_t variable = H5Tis_variable_str(type);
    if (variable < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read an attribute's type"); goto done; }
    memory_type = H5Tcopy(H5T_C_S1);
    if (memory_type < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot make a string type"); goto done; }
    H5Tset_cset(memory_type, H5Tget_cset(type));
    if (variable) {
        H5Tset_size(memory_type, H5T_VARIABLE);
        pointers = calloc((size_t)points, sizeof(char *));
        if (pointers == NULL) { code = fail(status, CHDF5_NO_MEMORY, "out of memory"); goto done; }
        if (H5Aread(attribute, memory_type, pointers) < 0) {
            code = fail_library(status, CHDF5_LIBRARY, "cannot read an attribute's strings");
            goto done;
        }
        vlen_read = 1;
        for (hssize_t i = 0; i < points; i++) {
            const char *text = pointers[i] ? pointers[i] : "";
            // Bounded: never measure past what the limit allows.
            size_t length = strnlen(text, (size_t)(max_bytes > out->size ? max_bytes - out->size : 0) + 1);
            if ((code = append_string(out, &capacity, text, length, max_bytes, status)) != CHDF5_OK) goto done;
        }
    } else {
        size_t size = H5Tget_size(type);
        if (size == 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read an attribute's type"); goto done; }
        if ((uint64_t)size > max_bytes || (uint64_t)points > max_bytes / (uint64_t)size) {
            status->needed = (uint64_t)points * (uint64_t)size;
            code = fail(status, CHDF5_TOO_LARGE, "attribute '%s' is over %llu bytes", name, (unsigned long long)max_bytes);
            goto done;
        }
        H5Tset_size(memory_type, size);
        H5Tset_strpad(memory_type, H5T_STR_NULLPAD);
        fixed = calloc((size_t)points, size);
        if (fixed == NULL) { code = fail(status, CHDF5_NO_MEMORY, "out of memory"); goto done; }
        if (H5Aread(attribute, memory_type, fixed) < 0) {
            code = fail_library(status, CHDF5_LIBRARY, "cannot read an attribute's strings");
            goto done;
        }
        for (hssize_t i = 0; i < points; i++) {
            const char *text = fixed + (size_t)i * size;
            if ((code = append_string(out, &capacity, text, strnlen(text, size), max_bytes, status)) != CHDF5_OK) goto done;
        }
    }

done:
    if (vlen_read) {
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(memory_type, space, H5P_DEFAULT, pointers);
#else
        H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, pointers);
#endif
    }
    free(pointers);
    free(fixed);
    if (memory_type >= 0) H5Tclose(memory_type);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Aclose(attribute);
    if (code != CHDF5_OK) {
        free(out->bytes);
        out->bytes = NULL;
        out->size = 0;
        out->count = 0;
    }
    H5Eclear2(H5E_DEFAULT);
    return code;
}

// Opens the dataset at `path` and fills `info`, checking rank and element count against the limits.
static hid_t open_dataset(hid_t file, const char *path, int max_rank, uint64_t max_elements, chdf5_dataset_info *info,
                          chdf5_status *status) {
    if (check_path(file, path, status) != CHDF5_OK) return -1;
    hid_t object = H5Oopen(file, path, H5P_DEFAULT);
    if (object < 0) { fail_library(status, CHDF5_LIBRARY, "cannot open a dataset"); return -1; }
    if (H5Iget_type(object) != H5I_DATASET) {
        H5Oclose(object);
        fail(status, CHDF5_WRONG_KIND, "not a dataset");
        return -1;
    }
    hid_t space = H5Dget_space(object);
    hid_t type = H5Dget_type(object);
    int code = CHDF5_OK;
    memset(info, 0, sizeof *info);
    if (space < 0 || type < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read a dataset's shape"); goto done; }
    H5S_class_t space_class = H5Sget_simple_extent_type(space);
    if (space_class != H5S_SCALAR && space_class != H5S_SIMPLE) {
        code = fail(status, CHDF5_WRONG_KIND, "dataset has no data space");
        goto done;
    }
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read a dataset's rank"); goto done; }
    if (max_rank > CHDF5_MAX_RANK) max_rank = CHDF5_MAX_RANK;
    if (rank > max_rank) {
        status->needed = (uint64_t)rank;
        code = fail(status, CHDF5_TOO_LARGE, "dataset has rank %d, the limit is %d", rank, max_rank);
        goto done;
    }
    hsize_t dims[CHDF5_MAX_RANK];
    if (rank > 0 && H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
        code = fail_library(status, CHDF5_LIBRARY, "cannot read a dataset's dimensions");
        goto done;
    }
    uint64_t elements = 1;
    for (int i = 0; i < rank; i++) {
        info->dims[i] = dims[i];
        if (dims[i] != 0 && elements > max_elements / dims[i]) {
            status->needed = UINT64_MAX;
            code = fail(status, CHDF5_TOO_LARGE, "dataset dimension %d is %llu: over %llu elements", i,
                        (unsigned long long)dims[i], (unsigned long long)max_elements);
            goto done;
        }
        elements *= dims[i];
    }
    if (elements > max_elements) {
        status->needed = elements;
        code = fail(status, CHDF5_TOO_LARGE, "dataset has %llu elements, the limit is %llu",
                    (unsigned long long)elements, (unsigned long long)max_elements);
        goto done;
    }
    info->rank = rank;
    H5T_class_t type_class = H5Tget_class(type);
    info->type_class = type_class == H5T_FLOAT ? 1 : type_class == H5T_INTEGER ? 2 : 0;
    info->type_size = H5Tget_size(type);
    info->little_endian = H5Tget_order(type) == H5T_ORDER_LE;
done:
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (code != CHDF5_OK) {
        H5Oclose(object);
        return -1;
    }
    return object;
}

int chdf5_dataset_info_at(int64_t file, const char *path, int max_rank, uint64_t max_elements,
                          chdf5_dataset_info *info, chdf5_status *status) {
    quiet(status);
    hid_t dataset = open_dataset((hid_t)file, path, max_rank, max_elements, info, status);
    if (dataset < 0) return status->code;
    H5Oclose(dataset);
    H5Eclear2(H5E_DEFAULT);
    return CHDF5_OK;
}

int chdf5_read_float32(int64_t file, const char *path, float *out, uint64_t count, chdf5_status *status) {
    quiet(status);
    chdf5_dataset_info info;
    hid_t dataset = open_dataset((hid_t)file, path, CHDF5_MAX_RANK, count, &info, status);
    if (dataset < 0) return status->code;
    uint64_t elements = 1;
    for (int i = 0; i < info.rank; i++) elements *= info.dims[i];
    int code = CHDF5_OK;
    hid_t type = H5Dget_type(dataset);
    if (type < 0) { code = fail_library(status, CHDF5_LIBRARY, "cannot read a dataset's type"); goto done; }
    if (elements != count) {
        code = fail(status, CHDF5_INVALID_ARGUMENT, "dataset has %llu elements, expected %llu",
                    (unsigned long long)elements, (unsigned long long)count);
        goto done;
    }
    // Only IEEE little-endian float32 (as Keras writes weights) or float64 (converted).
    if (H5Tequal(type, H5T_IEEE_F32LE) <= 0 && H5Tequal(type, H5T_IEEE_F64LE) <= 0) {
        code = fail(status, CHDF5_UNSUPPORTED_TYPE, "dataset type is not little-endian float32 or float64");
        goto done;
    }
    if (count > 0 && out == NULL) { code = fail(status, CHDF5_INVALID_ARGUMENT, "no output buffer"); goto done; }
    if (count > 0 && H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
        code = fail_library(status, CHDF5_LIBRARY, "cannot read a dataset's values");
        goto done;
    }
done:
    if (type >= 0) H5Tclose(type);
    H5Oclose(dataset);
    H5Eclear2(H5E_DEFAULT);
    return code;
}

// MARK: writing (tests only; see chdf5.h)

int64_t chdf5_create_file(const char *path, chdf5_status *status) {
    quiet(status);
    if (path == NULL) { fail(status, CHDF5_INVALID_ARGUMENT, "no path"); return -1; }
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) { fail_library(status, CHDF5_LIBRARY, "cannot create the file"); return -1; }
    return (int64_t)file;
}

int chdf5_create_group(int64_t file, const char *path, chdf5_status *status) {
    quiet(status);
    hid_t group = H5Gcreate2((hid_t)file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (group < 0) return fail_library(status, CHDF5_LIBRARY, "cannot create a group");
    H5Gclose(group);
    return CHDF5_OK;
}

int chdf5_write_string_attribute(int64_t file, const char *path, const char *name, const char *value,
                                 chdf5_status *status) {
    quiet(status);
    int code = CHDF5_OK;
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), attribute = -1;
    if (type < 0 || space < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
        code = fail_library(status, CHDF5_LIBRARY, "cannot make a string type");
        goto done;
    }
    attribute = H5Acreate_by_name((hid_t)file, path, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute < 0 || H5Awrite(attribute, type, &value) < 0) code = fail_library(status, CHDF5_LIBRARY, "cannot write an attribute");
done:
    if (attribute >= 0) H5Aclose(attribute);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return code;
}

int chdf5_write_float32(int64_t file, const char *path, int rank, const uint64_t *dims, const float *values,
                        chdf5_status *status) {
    quiet(status);
    if (rank < 0 || rank > CHDF5_MAX_RANK) return fail(status, CHDF5_INVALID_ARGUMENT, "rank %d", rank);
    hsize_t shape[CHDF5_MAX_RANK];
    for (int i = 0; i < rank; i++) shape[i] = (hsize_t)dims[i];
    hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, shape, NULL);
    if (space < 0) return fail_library(status, CHDF5_LIBRARY, "cannot make a data space");
    int code = CHDF5_OK;
    hid_t dataset = H5Dcreate2((hid_t)file, path, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (dataset < 0 || H5Dwrite(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
        code = fail_library(status, CHDF5_LIBRARY, "cannot write a dataset");
    if (dataset >= 0) H5Dclose(dataset);
    H5Sclose(space);
    return code;
}
