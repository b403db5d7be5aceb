// Helium (Arm MVE) int8 kernels for the Cortex-M55 firmware (Firmware-Sim board mps3-an547): Conv2D (with the
// fused max pooling), Add and FullyConnected, each byte-equal to Int8Runtime's reference kernels. Compiled with
// clang for thumbv8.1m.main (-mcpu=cortex-m55); the Swift side (HeliumKernels.swift, built only for that board
// with -D EDGEQUANT_HELIUM) calls them through KernelOverrides. Each returns 0 when it ran, non-zero when it
// declined the op (the reference kernel runs then).
#ifndef EDGEQUANT_CINT8HELIUM_H
#define EDGEQUANT_CINT8HELIUM_H
#include <stdint.h>

/// One Conv2D (Int8Runtime's ConvolutionCall): NHWC input and output, OHWI weights, per-channel requantization.
typedef struct {
    const int8_t *x;
    int32_t in_h, in_w, cin, input_offset;
    const int8_t *w;
    const int32_t *bias; // may be NULL
    const int32_t *multipliers, *shifts;
    int8_t *y;
    int32_t out_h, out_w, cout, output_offset;
    int32_t kh, kw, stride_y, stride_x, pad_top, pad_left, act_min, act_max;
    int32_t pool_h, pool_w, pool_stride_y, pool_stride_x; // all 0: no fused max pooling
} eqh_conv_params;

/// One Add (Int8Runtime's AddCall).
typedef struct {
    const int8_t *x, *z;
    int8_t *y;
    int32_t count, offset1, offset2, output_offset;
    int32_t multiplier1, multiplier2, output_multiplier;
    int32_t shift1, shift2, output_shift, left_shift;
    int32_t act_min, act_max;
} eqh_add_params;

/// One FullyConnected: weights [m][n], per-output requantization.
typedef struct {
    const int8_t *x;
    int32_t n, input_offset;
    const int8_t *w;
    const int32_t *bias; // may be NULL
    const int32_t *multipliers, *shifts;
    int8_t *y;
    int32_t m, output_offset, act_min, act_max;
} eqh_fc_params;

int32_t eqh_conv(const eqh_conv_params *p);
int32_t eqh_add(const eqh_add_params *p);
int32_t eqh_fully_connected(const eqh_fc_params *p);

/// The largest column (kh·kw·cin) and output channel count the conv kernel takes (its buffers are on the stack).
#define EQH_MAX_K 1152
#define EQH_MAX_CHANNELS 256
#endif
