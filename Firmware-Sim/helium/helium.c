// Helium (MVE) int8 kernels: see include/cint8helium.h. Every result equals Int8Runtime's reference byte for
// byte (FixedPoint.swift's double rounding reproduced exactly, below); Firmware-Sim/helium/run-check.sh runs
// them against plain C on QEMU mps3-an547 and Firmware-Sim/run --board mps3-an547 against the host runtime.
#include <arm_mve.h>
#include "cint8helium.h"

// MARK: requantization, four lanes at a time

// multiplyByQuantizedMultiplier(x, m, s) of FixedPoint.swift for four lanes (s in -31...30, m >= 0, as the loader
// checks):
// - x · 2^left wraps (left = max(s, 0)), as the reference's &*;
// - VQRDMULH is saturatingRoundingDoublingHighMul exactly: both round a·b/2^31 half up (the reference's nudge of
//   1 - 2^30 for a negative product, then truncation toward zero, sends a negative tie up too) and saturate the
//   one overflow, min·min;
// - the rounding divide by 2^right (right = max(-s, 0)) is VRSHL's half-up rounding after subtracting 1 from a
//   negative value (saturating: min stays min, which gives the same quotient), which makes it half away from zero.
static inline int32x4_t requantize4(int32x4_t x, int32x4_t m, int32x4_t s) {
    int32x4_t zero = vdupq_n_s32(0);
    int32x4_t left = vmaxq_s32(s, zero), right = vmaxq_s32(vnegq_s32(s), zero);
    x = vshlq_s32(x, left);
    int32x4_t high = vqrdmulhq_s32(x, m);
    mve_pred16_t fix = vcmpltq_n_s32(high, 0) & vcmpgtq_n_s32(right, 0);
    high = vqsubq_m_n_s32(high, high, 1, fix);
    return vrshlq_s32(high, vnegq_s32(right));
}

// MARK: Conv2D

// The column of one output position: the kh·kw·cin input values its window reads (in the weights' order), with
// the input zero point where the window leaves the input, so that (value + input_offset) is 0 there as the
// reference skips it.
static void fill_column(const eqh_conv_params *p, int8_t *column, int32_t oy, int32_t ox, int8_t pad) {
    const int32_t cin = p->cin, kw = p->kw, row = kw * cin;
    const int32_t iy0 = oy * p->stride_y - p->pad_top, ix0 = ox * p->stride_x - p->pad_left;
    for (int32_t ky = 0; ky < p->kh; ky++) {
        int8_t *to = column + ky * row;
        const int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h) {
            for (int32_t n = row; n > 0; n -= 16, to += 16) vstrbq_p_s8(to, vdupq_n_s8(pad), vctp8q(n));
            continue;
        }
        const int8_t *line = p->x + (int32_t)iy * p->in_w * cin;
        if (ix0 >= 0 && ix0 + kw <= p->in_w) { // the whole kernel row inside: one contiguous run
            const int8_t *from = line + ix0 * cin;
            if (row <= 16) { // the stems' short rows (3x3 of 1 or 3 channels): one predicated copy, no loop
                mve_pred16_t q = vctp8q(row);
                vstrbq_p_s8(to, vldrbq_z_s8(from, q), q);
                continue;
            }
            for (int32_t n = row; n > 0; n -= 16, to += 16, from += 16) {
                mve_pred16_t q = vctp8q(n);
                vstrbq_p_s8(to, vldrbq_z_s8(from, q), q);
            }
            continue;
        }
        for (int32_t kx = 0; kx < kw; kx++, to += cin) {
            const int32_t ix = ix0 + kx;
            const int inside = ix >= 0 && ix < p->in_w;
            const int8_t *from = line + ix * cin;
            for (int32_t n = cin, at = 0; n > 0; n -= 16, at += 16) {
                mve_pred16_t q = vctp8q(n);
                vstrbq_p_s8(to + at, inside ? vldrbq_z_s8(from + at, q) : vdupq_n_s8(pad), q);
            }
        }
    }
}

// The column at (oy, ox): one gather when `gather` (see eqh_conv) and the window lies inside the input, else
// fill_column.
static inline void gather_column(const eqh_conv_params *p, int8_t *column, int32_t oy, int32_t ox, int8_t pad,
                                 int gather, uint8x16_t offsets) {
    const int32_t iy0 = oy * p->stride_y - p->pad_top, ix0 = ox * p->stride_x - p->pad_left;
    if (gather && iy0 >= 0 && iy0 + p->kh <= p->in_h && ix0 >= 0 && ix0 + p->kw <= p->in_w) {
        const int32_t k = p->kh * p->kw * p->cin;
        const int8_t *base = p->x + (iy0 * p->in_w + ix0) * p->cin;
        vstrbq_s8(column, vldrbq_gather_offset_z_s8(base, offsets, vctp8q(k)));
        return;
    }
    fill_column(p, column, oy, ox, pad);
}

// Four output channels' dot products with one column: each loaded column vector feeds four VMLADAVs (16 MACs
// each); clang makes the loop a tail-predicated low-overhead loop (DLSTP/LETP, 10 instructions per 64 MACs).
static inline void dot4(const int8_t *column, const int8_t *w, int32_t k, int32_t *acc) {
    const int8_t *w0 = w, *w1 = w + k, *w2 = w + 2 * k, *w3 = w + 3 * k;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t n = k; n > 0; n -= 16) {
        mve_pred16_t q = vctp8q(n);
        int8x16_t c = vldrbq_z_s8(column, q);
        a0 = vmladavaq_s8(a0, c, vldrbq_z_s8(w0, q));
        a1 = vmladavaq_s8(a1, c, vldrbq_z_s8(w1, q));
        a2 = vmladavaq_s8(a2, c, vldrbq_z_s8(w2, q));
        a3 = vmladavaq_s8(a3, c, vldrbq_z_s8(w3, q));
        column += 16; w0 += 16; w1 += 16; w2 += 16; w3 += 16;
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

static inline int32_t dot1(const int8_t *column, const int8_t *w, int32_t k) {
    int32_t a = 0;
    for (int32_t n = k; n > 0; n -= 16, column += 16, w += 16) {
        mve_pred16_t q = vctp8q(n);
        a = vmladavaq_s8(a, vldrbq_z_s8(column, q), vldrbq_z_s8(w, q));
    }
    return a;
}

static inline int32_t weight_sum(const int8_t *w, int32_t k) {
    int32_t a = 0;
    for (int32_t n = k; n > 0; n -= 16, w += 16) a = vaddvaq_s8(a, vldrbq_z_s8(w, vctp8q(n)));
    return a;
}

// The output values of `count` channels from their accumulators plus the folded constants (bias and
// input_offset·Σw: Σw·(x + offset) = Σw·x + offset·Σw, exactly, in wrapping int32): requantized, offset, clamped;
// stored, or (pooling) kept where larger than what `y` holds. `negative`: every shift is negative (the usual
// case), so there is no left shift and every lane takes the rounding fix-up: fewer instructions per lane.
static void requantize_outputs(const eqh_conv_params *p, const int32_t *acc, const int32_t *folded, int32_t count,
                               int8_t *y, int pool, int negative) {
    const int32_t *m = p->multipliers, *s = p->shifts;
    const int32x4_t low = vdupq_n_s32(p->act_min), high = vdupq_n_s32(p->act_max);
    for (int32_t n = count; n > 0; n -= 4, acc += 4, folded += 4, m += 4, s += 4, y += 4) {
        mve_pred16_t q = vctp32q(n);
        int32x4_t a = vaddq_s32(vldrwq_z_s32(acc, q), vldrwq_z_s32(folded, q)), v;
        if (negative) { // requantize4 with left = 0 and right = -s > 0
            int32x4_t shift = vldrwq_z_s32(s, q);
            v = vqrdmulhq_s32(a, vldrwq_z_s32(m, q));
            v = vqaddq_s32(v, vshrq_n_s32(v, 31));
            v = vrshlq_s32(v, shift);
        } else {
            v = requantize4(a, vldrwq_z_s32(m, q), vldrwq_z_s32(s, q));
        }
        v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, p->output_offset), low), high);
        if (pool) v = vmaxq_s32(v, vldrbq_z_s32(y, q));
        vstrbq_p_s32(y, v, q);
    }
}

// All output channels at one position from its column.
static void conv_position(const eqh_conv_params *p, const int8_t *column, const int32_t *folded, int32_t *acc,
                          int8_t *y, int pool, int negative) {
    const int32_t k = p->kh * p->kw * p->cin, cout = p->cout;
    int32_t oc = 0;
    if (k <= 16) { // one column vector for every channel: a load and a VMLADAV per channel
        mve_pred16_t q = vctp8q(k);
        int8x16_t c = vldrbq_z_s8(column, q);
        const int8_t *w = p->w;
        for (; oc < cout; oc++, w += k) acc[oc] = vmladavq_s8(c, vldrbq_z_s8(w, q));
    }
    for (; oc + 4 <= cout; oc += 4) dot4(column, p->w + oc * k, k, acc + oc);
    for (; oc < cout; oc++) acc[oc] = dot1(column, p->w + oc * k, k);
    requantize_outputs(p, acc, folded, cout, y, pool, negative);
}

int32_t eqh_conv(const eqh_conv_params *p) {
    const int32_t k = p->kh * p->kw * p->cin, cout = p->cout;
    if (k <= 0 || k > EQH_MAX_K || cout <= 0 || cout > EQH_MAX_CHANNELS) return 1;
    if (p->input_offset < -127 || p->input_offset > 128) return 1; // the padding value must be an int8
    const int8_t pad = (int8_t)(-p->input_offset);
    int8_t column[EQH_MAX_K] __attribute__((aligned(16)));
    int32_t folded[EQH_MAX_CHANNELS] __attribute__((aligned(16))), acc[EQH_MAX_CHANNELS] __attribute__((aligned(16)));
    int negative = 1;
    for (int32_t oc = 0; oc < cout; oc++) {
        negative &= p->shifts[oc] < 0;
        folded[oc] = (int32_t)((uint32_t)(p->bias ? p->bias[oc] : 0)
                               + (uint32_t)p->input_offset * (uint32_t)weight_sum(p->w + oc * k, k));
    }
    // A column of at most 16 values whose window spans at most 256 input bytes (the stems: 3x3 of 1 or 3 channels)
    // is one VLDRB gather at positions where the window lies inside the input.
    uint8_t spots[16] __attribute__((aligned(16))) = {0};
    int gather = k <= 16 && ((p->kh - 1) * p->in_w + p->kw) * p->cin <= 256;
    for (int32_t i = 0; gather && i < k; i++) {
        const int32_t ky = i / (p->kw * p->cin), kx = i / p->cin % p->kw, ic = i % p->cin;
        spots[i] = (uint8_t)((ky * p->in_w + kx) * p->cin + ic);
    }
    const uint8x16_t offsets = vldrbq_u8(spots);
    if (p->pool_h == 0) {
        int8_t *y = p->y;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++, y += cout) {
                gather_column(p, column, oy, ox, pad, gather, offsets);
                conv_position(p, column, folded, acc, y, 0, negative);
            }
        }
        return 0;
    }
    // Fused 'valid' max pooling: out_h x out_w are the pooled positions; each takes the largest conv output of its
    // window (the conv outputs are computed where needed, as ConvInt8.withMaxPool does).
    int8_t *y = p->y;
    for (int32_t py = 0; py < p->out_h; py++) {
        for (int32_t px = 0; px < p->out_w; px++, y += cout) {
            for (int32_t n = cout, at = 0; n > 0; n -= 16, at += 16) vstrbq_p_s8(y + at, vdupq_n_s8(-128), vctp8q(n));
            for (int32_t dy = 0; dy < p->pool_h; dy++) {
                for (int32_t dx = 0; dx < p->pool_w; dx++) {
                    gather_column(p, column, py * p->pool_stride_y + dy, px * p->pool_stride_x + dx, pad, gather,
                                  offsets);
                    conv_position(p, column, folded, acc, y, 1, negative);
                }
            }
        }
    }
    return 0;
}

// MARK: Add

// AddInt8.reference four elements at a time: both inputs shifted to the common scale, rescaled, summed, requantized.
int32_t eqh_add(const eqh_add_params *p) {
    // (1 << left_shift) as Swift computes it (a negative amount shifts right: 0); the loader allows -31...30.
    const int32_t factor = p->left_shift >= 0 ? (int32_t)(1u << p->left_shift) : 0;
    const int32x4_t m1 = vdupq_n_s32(p->multiplier1), m2 = vdupq_n_s32(p->multiplier2);
    const int32x4_t s1 = vdupq_n_s32(p->shift1), s2 = vdupq_n_s32(p->shift2);
    const int32x4_t mo = vdupq_n_s32(p->output_multiplier), so = vdupq_n_s32(p->output_shift);
    const int32x4_t low = vdupq_n_s32(p->act_min), high = vdupq_n_s32(p->act_max);
    const int8_t *x = p->x, *z = p->z;
    int8_t *y = p->y;
    for (int32_t n = p->count; n > 0; n -= 4, x += 4, z += 4, y += 4) {
        mve_pred16_t q = vctp32q(n);
        int32x4_t a = vmulq_n_s32(vaddq_n_s32(vldrbq_z_s32(x, q), p->offset1), factor);
        int32x4_t b = vmulq_n_s32(vaddq_n_s32(vldrbq_z_s32(z, q), p->offset2), factor);
        int32x4_t sum = vaddq_s32(requantize4(a, m1, s1), requantize4(b, m2, s2));
        int32x4_t v = vaddq_n_s32(requantize4(sum, mo, so), p->output_offset);
        vstrbq_p_s32(y, vminq_s32(vmaxq_s32(v, low), high), q);
    }
    return 0;
}

// MARK: FullyConnected

// Four outputs at a time: each loaded input vector feeds four VMLADAVs; the weight sums fold the input offset.
int32_t eqh_fully_connected(const eqh_fc_params *p) {
    const int32_t n = p->n;
    if (n <= 0 || p->m <= 0) return 1;
    for (int32_t o = 0; o < p->m; o += 4) {
        const int32_t lanes = p->m - o < 4 ? p->m - o : 4;
        int32_t acc[4] = {0, 0, 0, 0};
        for (int32_t lane = 0; lane < lanes; lane++) {
            const int8_t *row = p->w + (o + lane) * n;
            acc[lane] = (int32_t)((uint32_t)dot1(p->x, row, n)
                                  + (uint32_t)p->input_offset * (uint32_t)weight_sum(row, n)
                                  + (uint32_t)(p->bias ? p->bias[o + lane] : 0));
        }
        mve_pred16_t q = vctp32q(lanes);
        int32x4_t v = requantize4(vldrwq_z_s32(acc, q), vldrwq_z_s32(p->multipliers + o, q), vldrwq_z_s32(p->shifts + o, q));
        v = vaddq_n_s32(v, p->output_offset);
        v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(p->act_min)), vdupq_n_s32(p->act_max));
        vstrbq_p_s32(p->y + o, v, q);
    }
    return 0;
}
