/* edgequant.h: the C API of libedgequant.a, EdgeQuant's int8 runtime for Cortex-M (docs/deploy.md).
 *
 * No allocation, no globals the caller must define, no libc beyond memcpy/memset (or their __aeabi_ forms) and the
 * compiler's own helpers (libgcc). Every function accepts any pointer values: NULLs are refused with a status, and a
 * never-initialized or garbage eq_model answers EQ_NOT_INITIALIZED (it carries a check word), never a fault.
 *
 *     static eq_model model;
 *     static uint8_t arena[EDGEQUANT_MODEL_ARENA_SIZE] __attribute__((aligned(EQ_ARENA_ALIGNMENT)));
 *     eq_status s = eq_init(&model, edgequant_model_data, EDGEQUANT_MODEL_SIZE, arena, sizeof arena);
 *     if (s != EQ_OK) { printf("%s (%ld)\n", eq_status_name(s), (long)eq_error_detail(&model)); }
 *     memcpy(eq_input(&model), image, eq_input_size(&model));
 *     s = eq_invoke(&model);   // eq_output(&model): eq_output_size(&model) int8 values
 */
#ifndef EDGEQUANT_H
#define EDGEQUANT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum eq_status {
    EQ_OK = 0,
    /* 1...13: the .q8 loader's errors (Int8Runtime's Q8Error.code, docs/q8-format.md "Validation"). */
    EQ_BAD_MAGIC = 1,
    EQ_UNSUPPORTED_VERSION = 2,
    EQ_SIZE_MISMATCH = 3,        /* model_size differs from the size the file records (or is 2 GiB or more) */
    EQ_CRC_MISMATCH = 4,
    EQ_MISALIGNED = 5,           /* model_data not EQ_MODEL_ALIGNMENT-aligned, or a misaligned table inside */
    EQ_COUNT_OUT_OF_RANGE = 6,
    EQ_OUT_OF_BOUNDS = 7,
    EQ_BAD_TENSOR = 8,           /* detail: the tensor index */
    EQ_BAD_OP = 9,               /* detail: the op index */
    EQ_ARENA_TOO_SMALL = 10,     /* detail: the arena bytes the model needs */
    EQ_BAD_HEADER = 11,          /* detail: the header field's byte offset */
    EQ_TENSORS_OVERLAP = 12,     /* detail: the first tensor index */
    EQ_SCRATCH_OVERLAPS = 13,    /* detail: the op index */
    /* The API's own. */
    EQ_NULL_ARGUMENT = 64,
    EQ_ARENA_MISALIGNED = 65,    /* arena not EQ_ARENA_ALIGNMENT-aligned */
    EQ_NOT_INITIALIZED = 66,     /* the eq_model never went through a successful eq_init */
    EQ_INFERENCE_FAILED = 67,
    EQ_ARENA_OVERLAPS_MODEL = 68 /* the arena shares bytes with the model (a model copied into RAM) */
} eq_status;

/* The status's name ("EQ_CRC_MISMATCH"...), "EQ_UNKNOWN" for any other number; never NULL. */
const char *eq_status_name(int32_t status);

/* The .q8 loader reads 32-bit fields in place: the model must start at a multiple of 4 (EQ_MISALIGNED otherwise). */
#define EQ_MODEL_ALIGNMENT 4u
/* The memory plan places every tensor and kernel scratch at multiples of 16 bytes into the arena (as TFLite Micro). */
#define EQ_ARENA_ALIGNMENT 16u

/* Caller-owned state: a validated view of the model and the arena's address. Put it anywhere (static, stack). */
typedef struct eq_model { uint32_t opaque[8]; } eq_model;

/* Validates the .q8 in place (its CRC and every offset: nothing is copied, the bytes must stay put and unchanged
 * while m is used) and binds the arena (at least the model's arena size, EDGEQUANT_MODEL_ARENA_SIZE, scratch
 * included; only that many bytes are used). On failure m is marked not initialized and eq_error_detail(m) tells
 * more. Takes about one pass over the model (the CRC). */
eq_status eq_init(eq_model *m, const void *model_data, size_t model_size, void *arena, size_t arena_size);

/* The first value of the last failed eq_init's error (tensor/op index, header offset, arena bytes needed); -1 when
 * it has none or after a successful eq_init. */
int32_t eq_error_detail(const eq_model *m);

/* The planned arena bytes of an initialized model (kernel scratch included); 0 otherwise. */
size_t eq_arena_size(const eq_model *m);
/* The number of ops eq_invoke runs (hook indices 0 ... count-1); 0 if not initialized. */
uint32_t eq_op_count(const eq_model *m);

/* The input tensor inside the arena (write the quantized input here before eq_invoke) and its size in bytes;
 * NULL and 0 if not initialized. */
int8_t *eq_input(const eq_model *m);
size_t eq_input_size(const eq_model *m);
/* The output tensor inside the arena (valid after eq_invoke, until the next one) and its size; NULL and 0 if not
 * initialized. */
const int8_t *eq_output(const eq_model *m);
size_t eq_output_size(const eq_model *m);

/* Runs the model once over the arena. EQ_NOT_INITIALIZED for an eq_model without a successful eq_init. */
eq_status eq_invoke(eq_model *m);

/* Called after each op with its index (per-layer timing, tracing); runs on the caller's stack. */
typedef void (*eq_op_hook)(uint32_t op_index, void *user);
/* eq_invoke, calling after_each(op_index, user) after each op; after_each may be NULL. */
eq_status eq_invoke_with_hook(eq_model *m, eq_op_hook after_each, void *user);

#ifdef __cplusplus
}
#endif
#endif
