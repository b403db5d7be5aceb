// Host-only fast int8 kernels (x86-64 AVX-512 VNNI), chosen at run time and proven bit-exact against the
// Int8Runtime reference kernels by tests. Not part of the firmware.
#ifndef CINT8HOST_H
#define CINT8HOST_H

#include <stdint.h>

/// One Conv2D op (NHWC int8 input, OHWI int8 weights, per-channel requantization), with an optional fused
/// 'valid' max pooling (pool_h = 0 for none).
typedef struct {
    const int8_t *x;
    int32_t in_h, in_w, cin, input_offset;
    const int8_t *w;
    const int32_t *bias;  // may be NULL
    const int32_t *multipliers;
    const int32_t *shifts;
    int8_t *y;
    int32_t out_h, out_w, cout, output_offset;
    int32_t kh, kw, stride_y, stride_x, pad_top, pad_left;
    int32_t act_min, act_max;
    int32_t pool_h, pool_w, pool_stride_y, pool_stride_x;
} eq_conv_params;

/// 1 when this CPU runs eq_conv_vnni (AVX-512 F, BW, VL and VNNI), else 0.
int eq_conv_vnni_available(void);

/// Computes the op. Returns 0 when it did, or -1 when it cannot (no VNNI, or a shape beyond its limits), in
/// which case the caller runs the reference kernel. When the calling thread has an active plan set (below) that
/// holds a plan for this op (same weights and shape), that plan runs; a recording set first makes one. Otherwise
/// the op is planned into per-thread scratch memory for this call only (weights packed every call).
int eq_conv_vnni(const eq_conv_params *p);

/// Conv plans made once per model: packed weights, folded biases, requantization constants and the positions
/// of every output, for each Conv2D op. Recording (from creation until sealed) adds a plan for every conv op
/// that eq_conv_vnni sees while the set is active on a thread; once sealed the set is read-only and may be
/// active on any number of threads at once.
typedef struct eq_plan_set eq_plan_set;

eq_plan_set *eq_plan_set_create(void);
void eq_plan_set_destroy(eq_plan_set *set);
/// Stops recording.
void eq_plan_set_seal(eq_plan_set *set);
/// Number of plans held.
int32_t eq_plan_set_count(const eq_plan_set *set);
/// Number of eq_conv_vnni calls served by a plan of this set (counted only while recording, and when
/// counting is switched on for tests).
int64_t eq_plan_set_hits(const eq_plan_set *set);
void eq_plan_set_count_hits(eq_plan_set *set, int on);
/// Makes `set` (or NULL for none) the calling thread's active set; returns the previous one.
eq_plan_set *eq_plan_set_activate(eq_plan_set *set);

/// One Add op (TFLite Micro's int8 add: both inputs rescaled to a common scale, summed, requantized).
typedef struct {
    const int8_t *x, *z;
    int8_t *y;
    int32_t count;
    int32_t offset1, offset2, output_offset;
    int32_t multiplier1, multiplier2, output_multiplier;
    int32_t shift1, shift2, output_shift, left_shift;
    int32_t act_min, act_max;
} eq_add_params;

/// Computes the op; 0 when done, -1 when it cannot (no AVX-512) and the reference must run.
int eq_add_avx512(const eq_add_params *p);

/// A model input: y[i] = clamp(round_half_away(x[i] / scale) + zero_point, -128, 127), in float exactly as
/// Int8Scorer's Swift loop computes it. 0 when done, -1 without AVX-512 (the caller's loop runs).
int eq_quantize_avx512(const float *x, int32_t count, float scale, int32_t zero_point, int8_t *y);

/// For tests: the kernel's 16-lane requantization (returns -1 without VNNI) and its scalar one, to be
/// compared with Int8Runtime's multiplyByQuantizedMultiplier.
int eq_requantize16_for_test(const int32_t x[16], const int32_t multiplier[16], const int32_t shift[16], int32_t out[16]);
int32_t eq_requantize_for_test(int32_t x, int32_t multiplier, int32_t shift);

#endif
