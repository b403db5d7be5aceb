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

static inline int32_t weight_sum(const int8_t *w, int32_t k) {
    int32_t a = 0;
    for (int32_t n = k; n > 0; n -= 16, w += 16) a = vaddvaq_s8(a, vldrbq_z_s8(w, vctp8q(n)));
    return a;
}

static inline int32_t dot1(const int8_t *column, const int8_t *w, int32_t k) {
    int32_t a = 0;
    for (int32_t n = k; n > 0; n -= 16, column += 16, w += 16) {
        mve_pred16_t q = vctp8q(n);
        a = vmladavaq_s8(a, vldrbq_z_s8(column, q), vldrbq_z_s8(w, q));
    }
    return a;
}

// The bias of output channel oc with the input offset folded in: Σw·(x + offset) = Σw·x + offset·Σw, exactly, in
// wrapping int32, so the accumulators start here and add only w·x.
static inline int32_t folded_bias(const eqh_conv_params *p, int32_t oc, int32_t k) {
    return (int32_t)((uint32_t)(p->bias ? p->bias[oc] : 0)
                     + (uint32_t)p->input_offset * (uint32_t)weight_sum(p->w + oc * k, k));
}

// Columns of at most this many 16-value blocks whose window spans at most 256 input bytes (stems: 3x3 of 1 or 3
// channels, 7x7 of 1) are VLDRB gathers, one per block.
#define EQH_GATHER_BLOCKS 4

static inline int8_t clamp_int8(int32_t v) { return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); }

// What every tile of one call shares.
typedef struct {
    const eqh_conv_params *p;
    const int32_t *folded; // per channel: folded_bias (the general path)
    int32_t k;
    int8_t pad;
    int gather;            // k <= 64 and the window spans <= 256 input bytes: one VLDRB gather per block of a column
    uint8x16_t offsets[EQH_GATHER_BLOCKS]; // the gathers' byte offsets of the window's values, 16 per block
    int8x16_t ky[EQH_GATHER_BLOCKS], kx[EQH_GATHER_BLOCKS]; // each value's window row and column
} conv_ctx;

// The column of output position (oy, ox): the input itself when the window is one contiguous run inside it (a kh = 1
// kernel, the 1x1 projections), else built in `slot` (one gather for the stems, or fill_column).
static inline const int8_t *column_at(const conv_ctx *t, int8_t *slot, int32_t oy, int32_t ox) {
    const eqh_conv_params *p = t->p;
    const int32_t iy0 = oy * p->stride_y - p->pad_top, ix0 = ox * p->stride_x - p->pad_left;
    if (iy0 >= 0 && iy0 + p->kh <= p->in_h && ix0 >= 0 && ix0 + p->kw <= p->in_w) {
        const int8_t *base = p->x + (iy0 * p->in_w + ix0) * p->cin;
        if (p->kh == 1) return base;
        if (t->gather && t->k <= 16) {
            mve_pred16_t q = vctp8q(t->k);
            vstrbq_p_s8(slot, vldrbq_gather_offset_z_s8(base, t->offsets[0], q), q);
            return slot;
        }
    }
    fill_column(p, slot, oy, ox, t->pad);
    return slot;
}

// One tile: every output channel at up to four output positions, one per lane (`lanes`; an unused lane's column is
// lane 0's). Each loaded weight vector feeds four VMLADAVAs (16 MACs each) in a tail-predicated low-overhead loop;
// the four sums become one vector and are requantized together with the channel's scalar multiplier and shift:
// - all shifts negative (`negative`, the usual case): right = -s >= 1, no left shift. The reference's fix-up (1
//   subtracted from a negative product before the half-up rounding shift, making it half away from zero) is added
//   by VQRDMLAH: acc + high half, with acc = x >> 31 (-1 where x < 0). For m >= 0 (the loader's check) the high half
//   is negative only where x is, and where it is 0 with x < 0 the -1 rounds back to 0 under any right shift >= 1;
//   no saturation (high >= -2^31 + 1).
// - else per channel: a negative shift as above; s >= 0 is x · 2^s (wrapping, VSHL) then VQRDMULH, no rounding shift.
// Stored with a scatter (`where`: the lanes' byte offsets) or, pooling, the largest lane kept in y where larger.
static inline __attribute__((always_inline)) void conv_tile(const conv_ctx *t, const int8_t *c0, const int8_t *c1,
                                                            const int8_t *c2, const int8_t *c3, int8_t *y,
                                                            uint32x4_t where, mve_pred16_t lanes, int pool,
                                                            int negative) {
    const eqh_conv_params *p = t->p;
    const int32_t k = t->k, cout = p->cout, out_offset = p->output_offset;
    const int32x4_t low = vdupq_n_s32(p->act_min), high = vdupq_n_s32(p->act_max);
    const int8_t *w = p->w;
    const int32_t *folded = t->folded, *ms = p->multipliers, *ss = p->shifts;
    for (int32_t c = 0; c < cout; c++, w += k) {
        const int32_t f = folded[c];
        int32_t a0 = f, a1 = f, a2 = f, a3 = f;
        const int8_t *wp = w, *p0 = c0, *p1 = c1, *p2 = c2, *p3 = c3;
        for (int32_t n = k; n > 0; n -= 16) {
            mve_pred16_t q = vctp8q(n);
            int8x16_t wv = vldrbq_z_s8(wp, q);
            a0 = vmladavaq_s8(a0, vldrbq_z_s8(p0, q), wv);
            a1 = vmladavaq_s8(a1, vldrbq_z_s8(p1, q), wv);
            a2 = vmladavaq_s8(a2, vldrbq_z_s8(p2, q), wv);
            a3 = vmladavaq_s8(a3, vldrbq_z_s8(p3, q), wv);
            wp += 16; p0 += 16; p1 += 16; p2 += 16; p3 += 16;
        }
        int32x4_t x = vsetq_lane_s32(a3, vsetq_lane_s32(a2, vsetq_lane_s32(a1, vdupq_n_s32(a0), 1), 2), 3), v;
        const int32_t m = ms[c], s = ss[c];
        if (negative || s < 0) {
            v = vrshlq_n_s32(vqrdmlahq_n_s32(vshrq_n_s32(x, 31), x, m), s);
        } else {
            v = vqrdmulhq_n_s32(vshlq_r_s32(x, s), m);
        }
        v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, out_offset), low), high);
        if (pool) {
            y[c] = (int8_t)vmaxvq_p_s32(y[c], v, lanes);
        } else {
            vstrbq_scatter_offset_p_s32(y + c, where, v, lanes);
        }
    }
}

// Positions per tile: four columns fit the column buffer up to k = 576, fewer above (an unused lane repeats lane 0).
#define EQH_COLUMN_BYTES 2304

static inline __attribute__((always_inline)) void conv_all(const conv_ctx *t, int8_t *columns, int32_t per_tile,
                                                           int negative) {
    const eqh_conv_params *p = t->p;
    const int32_t k = t->k, cout = p->cout;
    if (p->pool_h == 0) {
        // Output positions in row-major order, `per_tile` at a time; lanes at y + (0, 1, 2, 3)·cout.
        const uint32_t step = (uint32_t)cout;
        const uint32x4_t where = vmulq_n_u32(vidupq_n_u32(0, 1), step);
        const int32_t total = p->out_h * p->out_w;
        int32_t oy = 0, ox = 0;
        for (int32_t at = 0; at < total; at += per_tile) {
            const int8_t *c[4];
            const int32_t used = total - at < per_tile ? total - at : per_tile;
            for (int32_t i = 0; i < used; i++) {
                c[i] = column_at(t, columns + i * k, oy, ox);
                if (++ox == p->out_w) { ox = 0; oy++; }
            }
            for (int32_t i = used; i < 4; i++) c[i] = c[0];
            conv_tile(t, c[0], c[1], c[2], c[3], p->y + at * cout, where, vctp32q(used), 0, negative);
        }
        return;
    }
    // Fused 'valid' max pooling: out_h x out_w are the pooled positions; each takes the largest conv output of its
    // window (the conv outputs computed where needed, as ConvInt8.withMaxPool does), `per_tile` window positions at
    // a time.
    const uint32x4_t where = vdupq_n_u32(0);
    const int32_t window = p->pool_h * p->pool_w;
    int8_t *y = p->y;
    for (int32_t py = 0; py < p->out_h; py++) {
        for (int32_t px = 0; px < p->out_w; px++, y += cout) {
            for (int32_t n = cout, at = 0; n > 0; n -= 16, at += 16) vstrbq_p_s8(y + at, vdupq_n_s8(-128), vctp8q(n));
            for (int32_t at = 0; at < window; at += per_tile) {
                const int8_t *c[4];
                const int32_t used = window - at < per_tile ? window - at : per_tile;
                for (int32_t i = 0; i < used; i++) {
                    const int32_t dy = (at + i) / p->pool_w, dx = (at + i) % p->pool_w;
                    c[i] = column_at(t, columns + i * k, py * p->pool_stride_y + dy, px * p->pool_stride_x + dx);
                }
                for (int32_t i = used; i < 4; i++) c[i] = c[0];
                conv_tile(t, c[0], c[1], c[2], c[3], y, where, vctp32q(used), 1, negative);
            }
        }
    }
}

// MARK: Conv2D, the assembly tile (the usual case)

// Every output channel at four output positions, in MVE assembly so that nothing spills: per channel, its weights
// (r3) walk the four positions' columns (r1), stored interleaved in 16-byte blocks (block j of lane i at
// cols + (4j + i)·16) so that one pointer with immediate offsets reads all four; each weight vector feeds four
// VMLADAVAs (64 MACs per 10 instructions), the first block peeled (VMLADAV starts the sums; k > 16), the rest a
// tail-predicated low-overhead loop (WLSTP/LETP). The four sums become one vector (two VMOVs) and are requantized
// together as conv_tile does with all shifts negative (bias folded in, VQRDMLAH's x >> 31 fix-up, VRSHL), offset,
// clamped (q5, q6) and stored by a scatter at y + (0, 1, 2, 3)·cout (q7), predicated by p0 for a last partial tile,
// or, for a 2x2 max pool whose window is the four positions, the largest lane kept (VMAXV). Registers: sums r0 r2 r4
// r6 (VMLADAV takes even ones), the channel table r5 (eqh_channel: LDR + LDM), columns r8, loop count r10 (k - 16
// after the peel), y r11, channels left r12 (at least 1).
typedef struct { const int8_t *w; int32_t folded, multiplier, shift, output_offset; } eqh_channel;

#define EQH_LOADS "vldrb.u8 q0, [r3], #16\n\t" "vldrb.u8 q1, [r1, #16]\n\t" "vldrb.u8 q2, [r1, #32]\n\t" \
                  "vldrb.u8 q3, [r1, #48]\n\t" "vldrb.u8 q4, [r1], #64\n\t"
#define EQH_MACS(A) "vmladav" A ".s8 r0, q4, q0\n\t" "vmladav" A ".s8 r2, q1, q0\n\t" \
                    "vmladav" A ".s8 r4, q2, q0\n\t" "vmladav" A ".s8 r6, q3, q0\n\t"
#define EQH_START_PEEL EQH_LOADS EQH_MACS("")
#define EQH_STORE_FULL "vstrb.32 q1, [r11, q7]\n\t" "adds r11, #1\n\t"
#define EQH_STORE_PART "vpst\n\t" "vstrbt.32 q1, [r11, q7]\n\t" "adds r11, #1\n\t"
#define EQH_STORE_POOL "mvn r0, #127\n\t" "vmaxv.s32 r0, q1\n\t" "strb r0, [r11], #1\n\t"
#define EQH_TILE(START, STORE) \
    "vldrw.u32 q5, [r0]\n\t" "vldrw.u32 q6, [r0, #16]\n\t" "vldrw.u32 q7, [r0, #32]\n\t" "vmsr p0, r1\n" \
    "1:\n\t" "ldr r3, [r5], #4\n\t" "mov r1, r8\n\t" START "wlstp.8 lr, r10, 2f\n" \
    "3:\n\t" EQH_LOADS EQH_MACS("a") "letp lr, 3b\n" \
    "2:\n\t" "vmov q0[2], q0[0], r0, r4\n\t" "vmov q0[3], q0[1], r2, r6\n\t" "ldm r5!, {r0, r1, r2, r3}\n\t" \
    "vadd.i32 q0, q0, r0\n\t" "vshr.s32 q1, q0, #31\n\t" "vqrdmlah.s32 q1, q0, r1\n\t" "vrshl.s32 q1, r2\n\t" \
    "vadd.i32 q1, q1, r3\n\t" "vmax.s32 q1, q1, q5\n\t" "vmin.s32 q1, q1, q6\n\t" STORE \
    "subs r12, #1\n\t" "bne 1b\n\t"
#define EQH_TILE_CALL(START, STORE) \
    __asm__ volatile(EQH_TILE(START, STORE) \
                     : "+r"(r0), "+r"(r1), "+r"(r5), "+r"(r8), "+r"(r10), "+r"(r11), "+r"(r12) \
                     : : "r2", "r3", "r4", "r6", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "memory", "cc")

// k <= 16 (the stems of 1-channel inputs, 1x1 convs of 16 channels): the four columns are one block each and stay
// in q1...q4 for every channel; each channel's record (eqh_small) holds its weights zero-padded to 16 (the columns
// hold zeros past k too) and its constants, so a channel is one VLDRB, four VMLADAVs and the requantization; q5 the
// result, the scatter offsets reloaded from r9 (all eight q registers are taken).
typedef struct { int8_t w[16]; int32_t folded, multiplier, shift, output_offset; } eqh_small;

#define EQH_SMALL_FULL "vldrw.u32 q0, [r9]\n\t" "vstrb.32 q5, [r11, q0]\n\t" "adds r11, #1\n\t"
#define EQH_SMALL_PART "vldrw.u32 q0, [r9]\n\t" "vpst\n\t" "vstrbt.32 q5, [r11, q0]\n\t" "adds r11, #1\n\t"
#define EQH_SMALL_POOL "mvn r0, #127\n\t" "vmaxv.s32 r0, q5\n\t" "strb r0, [r11], #1\n\t"
#define EQH_SMALL(STORE) \
    "vldrw.u32 q6, [r0]\n\t" "vldrw.u32 q7, [r0, #16]\n\t" "vmsr p0, r1\n\t" "vldrb.u8 q1, [r8]\n\t" \
    "vldrb.u8 q2, [r8, #16]\n\t" "vldrb.u8 q3, [r8, #32]\n\t" "vldrb.u8 q4, [r8, #48]\n" \
    "1:\n\t" "vldrb.u8 q0, [r5], #16\n\t" "vmladav.s8 r0, q1, q0\n\t" "vmladav.s8 r2, q2, q0\n\t" \
    "vmladav.s8 r4, q3, q0\n\t" "vmladav.s8 r6, q4, q0\n\t" "vmov q0[2], q0[0], r0, r4\n\t" \
    "vmov q0[3], q0[1], r2, r6\n\t" "ldm r5!, {r0, r1, r2, r3}\n\t" "vadd.i32 q0, q0, r0\n\t" \
    "vshr.s32 q5, q0, #31\n\t" "vqrdmlah.s32 q5, q0, r1\n\t" "vrshl.s32 q5, r2\n\t" "vadd.i32 q5, q5, r3\n\t" \
    "vmax.s32 q5, q5, q6\n\t" "vmin.s32 q5, q5, q7\n\t" STORE "subs r12, #1\n\t" "bne 1b\n\t"
#define EQH_SMALL_CALL(STORE) \
    __asm__ volatile(EQH_SMALL(STORE) \
                     : "+r"(r0), "+r"(r1), "+r"(r5), "+r"(r8), "+r"(r9), "+r"(r11), "+r"(r12) \
                     : : "r2", "r3", "r4", "r6", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "memory", "cc")

// The assembly writes p0 (VPR), which an asm statement cannot name as clobbered: the tiles are never inlined, so
// the callers treat VPR as a call clobbers it (caller-saved under the AAPCS for MVE).
static __attribute__((noinline)) void tile_small_asm(const int8_t *cols, const eqh_small *channels, int32_t count, int8_t *y,
                           const int32x4_t *limits, uint32_t mask, int kind) {
    register const int32x4_t *r0 __asm__("r0") = limits;
    register uint32_t r1 __asm__("r1") = mask;
    register const eqh_small *r5 __asm__("r5") = channels;
    register const int8_t *r8 __asm__("r8") = cols;
    register const int32x4_t *r9 __asm__("r9") = limits + 2;
    register int8_t *r11 __asm__("r11") = y;
    register int32_t r12 __asm__("r12") = count;
    if (kind == 0) EQH_SMALL_CALL(EQH_SMALL_FULL);
    else if (kind == 1) EQH_SMALL_CALL(EQH_SMALL_PART);
    else EQH_SMALL_CALL(EQH_SMALL_POOL);
}

// kind: 0 all four lanes stored, 1 the lanes of `mask` (p0 bits) stored, 2 pooled (VMAXV).
static __attribute__((noinline)) void tile_asm(const int8_t *cols, const eqh_channel *channels, int32_t count, int32_t k, int8_t *y,
                     const int32x4_t *limits, uint32_t mask, int kind) {
    register const int32x4_t *r0 __asm__("r0") = limits;
    register uint32_t r1 __asm__("r1") = mask;
    register const eqh_channel *r5 __asm__("r5") = channels;
    register const int8_t *r8 __asm__("r8") = cols;
    register int32_t r10 __asm__("r10") = k - 16; // k > 16 here (tile_small_asm takes the rest)
    register int8_t *r11 __asm__("r11") = y;
    register int32_t r12 __asm__("r12") = count;
    if (kind == 0) EQH_TILE_CALL(EQH_START_PEEL, EQH_STORE_FULL);
    else if (kind == 1) EQH_TILE_CALL(EQH_START_PEEL, EQH_STORE_PART);
    else EQH_TILE_CALL(EQH_START_PEEL, EQH_STORE_POOL);
}

// Whole 16-byte blocks of one lane's interleaved column (64 bytes apart): copied, or the padding value.
static inline void copy_blocks(int8_t *to, const int8_t *from, int32_t n) {
    for (; n > 0; n -= 16, from += 16, to += 64) vstrbq_s8(to, vldrbq_s8(from));
}
static inline void pad_blocks(int8_t *to, int8x16_t pad, int32_t n) {
    for (; n > 0; n -= 16, to += 64) vstrbq_s8(to, pad);
}

// Lane `lane`'s column of output position (oy, ox), in the interleaved buffer (the padding value where the window
// leaves the input, so that (value + input_offset) is 0 there as the reference skips it):
// - a stem whose window lies inside the input: one or two VLDRB gathers;
// - cin a multiple of 16: every run of the window (a row, or one kx's channels) is whole blocks, copied straight;
// - else: the column built contiguously in `scratch` (fill_column; a 1x1 window inside the input is the input
//   itself) and copied block by block.
static void put_column(const conv_ctx *t, int8_t *cols, int8_t *scratch, int32_t lane, int32_t oy, int32_t ox) {
    const eqh_conv_params *p = t->p;
    const int32_t cin = p->cin, kw = p->kw, row = kw * cin, k = t->k;
    const int32_t iy0 = oy * p->stride_y - p->pad_top, ix0 = ox * p->stride_x - p->pad_left;
    int8_t *to = cols + lane * 16;
    const int across = ix0 >= 0 && ix0 + kw <= p->in_w, inside = across && iy0 >= 0 && iy0 + p->kh <= p->in_h;
    const int8_t *base = p->x + (iy0 * p->in_w + ix0) * cin;
    if (t->gather && inside) {
        for (int32_t j = 0; j * 16 < k; j++)
            vstrbq_s8(to + 64 * j, vldrbq_gather_offset_z_s8(base, t->offsets[j], vctp8q(k - 16 * j)));
        return;
    }
    if (t->gather) { // the window leaves the input: gather the values inside it (by their window row and column)
        const int8x16_t pad = vdupq_n_s8(t->pad);
        const int8_t ylo = clamp_int8(-iy0), yhi = clamp_int8(p->in_h - iy0);
        const int8_t xlo = clamp_int8(-ix0), xhi = clamp_int8(p->in_w - ix0);
        for (int32_t j = 0; j * 16 < k; j++) {
            const mve_pred16_t in = vctp8q(k - 16 * j) & vcmpgeq_n_s8(t->ky[j], ylo) & vcmpltq_n_s8(t->ky[j], yhi) &
                                    vcmpgeq_n_s8(t->kx[j], xlo) & vcmpltq_n_s8(t->kx[j], xhi);
            vstrbq_s8(to + 64 * j, vpselq_s8(vldrbq_gather_offset_z_s8(base, t->offsets[j], in), pad, in));
        }
        return;
    }
    if ((cin & 15) == 0) {
        const int8x16_t pad = vdupq_n_s8(t->pad);
        const int32_t line = p->in_w * cin;
        for (int32_t ky = 0, iy = iy0; ky < p->kh; ky++, iy++, base += line, to += row * 4) {
            if (iy < 0 || iy >= p->in_h) pad_blocks(to, pad, row);
            else if (across) copy_blocks(to, base, row);
            else
                for (int32_t kx = 0, ix = ix0; kx < kw; kx++, ix++) {
                    if (ix >= 0 && ix < p->in_w) copy_blocks(to + kx * cin * 4, base + kx * cin, cin);
                    else pad_blocks(to + kx * cin * 4, pad, cin);
                }
        }
        return;
    }
    const int8_t *from = base;
    if (!(inside && p->kh == 1)) {
        fill_column(p, scratch, oy, ox, t->pad);
        from = scratch;
    }
    for (int32_t n = k; n > 0; n -= 16, from += 16, to += 64) vstrbq_s8(to, vldrbq_z_s8(from, vctp8q(n)));
}

// The four lanes' columns at once when every window lies inside the input and its rows are whole blocks
// (kw·cin a multiple of 16): b0...b3 are the windows' first values; per block four loads and four stores.
static void put_columns4(const eqh_conv_params *p, int8_t *to, const int8_t *b0, const int8_t *b1,
                         const int8_t *b2, const int8_t *b3) {
    const int32_t row = p->kw * p->cin, line = p->in_w * p->cin;
    for (int32_t ky = 0; ky < p->kh; ky++, b0 += line, b1 += line, b2 += line, b3 += line) {
        const int8_t *f0 = b0, *f1 = b1, *f2 = b2, *f3 = b3;
        for (int32_t n = row; n > 0; n -= 16, to += 64, f0 += 16, f1 += 16, f2 += 16, f3 += 16) {
            vstrbq_s8(to, vldrbq_s8(f0));
            vstrbq_s8(to + 16, vldrbq_s8(f1));
            vstrbq_s8(to + 32, vldrbq_s8(f2));
            vstrbq_s8(to + 48, vldrbq_s8(f3));
        }
    }
}

// One lane's column when its window lies inside the input and its rows are whole blocks (an edge tile's inside
// lanes): the rows copied straight, without put_column's cases.
static inline __attribute__((always_inline)) void put_lane_rows(const eqh_conv_params *p, int8_t *to, const int8_t *b) {
    const int32_t row = p->kw * p->cin, line = p->in_w * p->cin;
    for (int32_t ky = 0; ky < p->kh; ky++, b += line, to += row * 4) copy_blocks(to, b, row);
}

// Rows that are not whole blocks (kw·cin = 72 for 24 channels): each 16-byte block of the column is one run of a
// window row or the end of one row and the start of the next; `a`/`b` are their offsets from the window's start
// (lane l of the second part reads b + l) and pa/pb the lanes of each (a block past k reads only its values).
typedef struct { int32_t a, b; mve_pred16_t pa, pb; } eqh_block;

static int32_t block_table(const eqh_conv_params *p, int32_t k, eqh_block *table) {
    const int32_t row = p->kw * p->cin, line = p->in_w * p->cin;
    int32_t n = 0;
    for (int32_t start = 0; start < k; start += 16, n++) {
        const int32_t len = k - start < 16 ? k - start : 16, ky = start / row, r = start % row;
        const int32_t first = row - r < len ? row - r : len;
        table[n] = (eqh_block){ky * line + r, (ky + 1) * line - first, vctp8q(first),
                               (mve_pred16_t)(vctp8q(len) & ~vctp8q(first))};
    }
    return n;
}

static void put_columns4_table(const eqh_block *table, int32_t n, int8_t *to, const int8_t *b0, const int8_t *b1,
                               const int8_t *b2, const int8_t *b3) {
    for (const eqh_block *e = table; e < table + n; e++, to += 64) {
        if (e->pa == 0xFFFF) {
            vstrbq_s8(to, vldrbq_s8(b0 + e->a));
            vstrbq_s8(to + 16, vldrbq_s8(b1 + e->a));
            vstrbq_s8(to + 32, vldrbq_s8(b2 + e->a));
            vstrbq_s8(to + 48, vldrbq_s8(b3 + e->a));
        } else {
            const mve_pred16_t pa = e->pa, pb = e->pb;
            vstrbq_s8(to, vorrq_s8(vldrbq_z_s8(b0 + e->a, pa), vldrbq_z_s8(b0 + e->b, pb)));
            vstrbq_s8(to + 16, vorrq_s8(vldrbq_z_s8(b1 + e->a, pa), vldrbq_z_s8(b1 + e->b, pb)));
            vstrbq_s8(to + 32, vorrq_s8(vldrbq_z_s8(b2 + e->a, pa), vldrbq_z_s8(b2 + e->b, pb)));
            vstrbq_s8(to + 48, vorrq_s8(vldrbq_z_s8(b3 + e->a, pa), vldrbq_z_s8(b3 + e->b, pb)));
        }
    }
}

// One lane's column through the block table (an edge tile's lanes whose windows lie inside the input).
static void put_lane_table(const eqh_block *table, int32_t n, int8_t *to, const int8_t *b) {
    for (const eqh_block *e = table; e < table + n; e++, to += 64) {
        if (e->pa == 0xFFFF) vstrbq_s8(to, vldrbq_s8(b + e->a));
        else vstrbq_s8(to, vorrq_s8(vldrbq_z_s8(b + e->a, e->pa), vldrbq_z_s8(b + e->b, e->pb)));
    }
}

// The stems' four columns: one or two gathers each.
static void put_columns4_gather(const conv_ctx *t, int8_t *to, const int8_t *b0, const int8_t *b1,
                                const int8_t *b2, const int8_t *b3) {
    for (int32_t j = 0; j * 16 < t->k; j++, to += 64) {
        const mve_pred16_t q = vctp8q(t->k - 16 * j);
        const uint8x16_t at = t->offsets[j];
        vstrbq_s8(to, vldrbq_gather_offset_z_s8(b0, at, q));
        vstrbq_s8(to + 16, vldrbq_gather_offset_z_s8(b1, at, q));
        vstrbq_s8(to + 32, vldrbq_gather_offset_z_s8(b2, at, q));
        vstrbq_s8(to + 48, vldrbq_gather_offset_z_s8(b3, at, q));
    }
}

// The first input value of the window of output position (oy, ox) (inside the input: the callers check).
static inline const int8_t *window_start(const eqh_conv_params *p, int32_t oy, int32_t ox) {
    return p->x + ((oy * p->stride_y - p->pad_top) * p->in_w + ox * p->stride_x - p->pad_left) * p->cin;
}

#define EQH_FAST_MAX_K 576 // four interleaved columns of at most 36 blocks in EQH_COLUMN_BYTES

static inline void put4(const conv_ctx *t, int blocks, const eqh_block *table, int32_t nb, int8_t *to,
                        const int8_t *b0, const int8_t *b1, const int8_t *b2, const int8_t *b3) {
    if (blocks == 1) put_columns4(t->p, to, b0, b1, b2, b3);
    else if (blocks == 2) put_columns4_table(table, nb, to, b0, b1, b2, b3);
    else put_columns4_gather(t, to, b0, b1, b2, b3);
}
#define EQH_CHUNK 64       // output channels per pass (the channel table on the stack)

static __attribute__((noinline)) void conv_fast(const conv_ctx *t) {
    int8_t cols[EQH_COLUMN_BYTES] __attribute__((aligned(16))), scratch[EQH_FAST_MAX_K] __attribute__((aligned(16)));
    const eqh_conv_params *p = t->p;
    const int32_t k = t->k, cout = p->cout;
    // The channel records, EQH_CHUNK eqh_channel or 40 eqh_small (k <= 16) at a time.
    eqh_channel channels[EQH_CHUNK] __attribute__((aligned(16)));
    eqh_small *smalls = (eqh_small *)(void *)channels;
    const int small = k <= 16;
    const int32_t chunk = small ? (int32_t)(sizeof(channels) / (sizeof(eqh_small))) : EQH_CHUNK;
    int32x4_t limits[3] = {vdupq_n_s32(p->act_min), vdupq_n_s32(p->act_max),
                           vreinterpretq_s32_u32(vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)cout))};
    // Windows one position apart start sx (sy) input bytes apart; put_columns4 takes whole-block rows.
    const int32_t sx = p->stride_x * p->cin, sy = p->stride_y * p->in_w * p->cin;
    // How four windows inside the input are written at once: 1 whole-block rows, 2 the block table, 3 gathers.
    const int32_t row = p->kw * p->cin;
    const int blocks = t->gather ? 3 : (row & 15) == 0 ? 1 : row > 16 ? 2 : 0;
    eqh_block table[EQH_FAST_MAX_K / 16];
    const int32_t nb = blocks == 2 ? block_table(p, k, table) : 0;
    // The output rows ylo...yhi and columns xlo...xhi whose windows lie inside the input (empty when hi < lo).
    const int32_t ylo = (p->pad_top + p->stride_y - 1) / p->stride_y, xlo = (p->pad_left + p->stride_x - 1) / p->stride_x;
    const int32_t ylast = p->in_h - p->kh + p->pad_top, xlast = p->in_w - p->kw + p->pad_left;
    const int32_t yhi = ylast < 0 ? -1 : ylast / p->stride_y, xhi = xlast < 0 ? -1 : xlast / p->stride_x;
    for (int32_t first = 0; first < cout; first += chunk) {
        const int32_t count = cout - first < chunk ? cout - first : chunk;
        for (int32_t c = 0; c < count; c++) {
            const int32_t oc = first + c;
            if (small) {
                vstrbq_s8(smalls[c].w, vldrbq_z_s8(p->w + oc * k, vctp8q(k)));
                smalls[c].folded = folded_bias(p, oc, k);
                smalls[c].multiplier = p->multipliers[oc];
                smalls[c].shift = p->shifts[oc];
                smalls[c].output_offset = p->output_offset;
            } else {
                channels[c] = (eqh_channel){p->w + oc * k, folded_bias(p, oc, k), p->multipliers[oc],
                                            p->shifts[oc], p->output_offset};
            }
        }
        if (p->pool_h == 0) {
            const int32_t total = p->out_h * p->out_w;
            int32_t oy = 0, ox = 0;
            for (int32_t at = 0; at < total; at += 4) {
                const int32_t used = total - at < 4 ? total - at : 4;
                if (blocks && used == 4 && ox + 3 <= xhi && ox >= xlo && oy >= ylo && oy <= yhi) {
                    const int8_t *b = window_start(p, oy, ox);
                    put4(t, blocks, table, nb, cols, b, b + sx, b + 2 * sx, b + 3 * sx);
                    if ((ox += 4) == p->out_w) { ox = 0; oy++; }
                } else {
                    for (int32_t i = 0; i < used; i++) {
                        if (blocks == 1 && oy >= ylo && oy <= yhi && ox >= xlo && ox <= xhi) {
                            put_lane_rows(p, cols + 16 * i, window_start(p, oy, ox)); // inside, in an edge tile
                        } else if (blocks == 2 && oy >= ylo && oy <= yhi && ox >= xlo && ox <= xhi) {
                            put_lane_table(table, nb, cols + 16 * i, window_start(p, oy, ox));
                        } else {
                            put_column(t, cols, scratch, i, oy, ox);
                        }
                        if (++ox == p->out_w) { ox = 0; oy++; }
                    }
                }
                int8_t *y = p->y + at * cout + first;
                const uint32_t mask = (1u << (4 * used)) - 1u;
                if (small) tile_small_asm(cols, smalls, count, y, limits, mask, used == 4 ? 0 : 1);
                else tile_asm(cols, channels, count, k, y, limits, mask, used == 4 ? 0 : 1);
            }
        } else { // 2x2 windows: the four positions of each
            int8_t *y = p->y + first;
            for (int32_t py = 0; py < p->out_h; py++) {
                for (int32_t px = 0; px < p->out_w; px++, y += cout) {
                    const int32_t oy = py * p->pool_stride_y, ox = px * p->pool_stride_x;
                    if (blocks && oy >= ylo && oy + 1 <= yhi && ox >= xlo && ox + 1 <= xhi) {
                        const int8_t *b = window_start(p, oy, ox);
                        put4(t, blocks, table, nb, cols, b, b + sx, b + sy, b + sy + sx);
                    } else {
                        for (int32_t i = 0; i < 4; i++) {
                            const int32_t y = oy + (i >> 1), x = ox + (i & 1);
                            const int in = y >= ylo && y <= yhi && x >= xlo && x <= xhi;
                            if (in && blocks == 1) put_lane_rows(p, cols + 16 * i, window_start(p, y, x));
                            else if (in && blocks == 2) put_lane_table(table, nb, cols + 16 * i, window_start(p, y, x));
                            else
                                put_column(t, cols, scratch, i, y, x);
                        }
                    }
                    if (small) tile_small_asm(cols, smalls, count, y, limits, 0xFFFFu, 2);
                    else tile_asm(cols, channels, count, k, y, limits, 0xFFFFu, 2);
                }
            }
        }
    }
}

// The general path in C (conv_tile): some shift >= 0, a column beyond 576 values, or another pooling window.
static __attribute__((noinline)) void conv_general(conv_ctx *t, int negative) {
    const eqh_conv_params *p = t->p;
    int8_t columns[EQH_COLUMN_BYTES] __attribute__((aligned(16)));
    int32_t folded[EQH_MAX_CHANNELS] __attribute__((aligned(16)));
    for (int32_t oc = 0; oc < p->cout; oc++) folded[oc] = folded_bias(p, oc, t->k);
    t->folded = folded;
    int32_t per_tile = EQH_COLUMN_BYTES / t->k;
    if (per_tile > 4) per_tile = 4;
    if (negative) conv_all(t, columns, per_tile, 1);
    else conv_all(t, columns, per_tile, 0);
}

int32_t eqh_conv(const eqh_conv_params *p) {
    const int32_t k = p->kh * p->kw * p->cin, cout = p->cout;
    if (k <= 0 || k > EQH_MAX_K || cout <= 0 || cout > EQH_MAX_CHANNELS) return 1;
    if (p->input_offset < -127 || p->input_offset > 128) return 1; // the padding value must be an int8
    conv_ctx t = {.p = p, .k = k, .pad = (int8_t)(-p->input_offset)};
    int negative = 1;
    for (int32_t oc = 0; oc < cout; oc++) negative &= p->shifts[oc] < 0;
    // A column of at most 64 values whose window spans at most 256 input bytes (the stems) is one VLDRB gather per
    // block at positions where the window lies inside the input.
    uint8_t spots[16 * EQH_GATHER_BLOCKS] __attribute__((aligned(16))) = {0};
    int8_t rows[16 * EQH_GATHER_BLOCKS] __attribute__((aligned(16))) = {0}, cols[16 * EQH_GATHER_BLOCKS] = {0};
    t.gather = k <= 16 * EQH_GATHER_BLOCKS && ((p->kh - 1) * p->in_w + p->kw) * p->cin <= 256;
    for (int32_t i = 0; t.gather && i < k; i++) {
        const int32_t ky = i / (p->kw * p->cin), kx = i / p->cin % p->kw, ic = i % p->cin;
        spots[i] = (uint8_t)((ky * p->in_w + kx) * p->cin + ic);
        rows[i] = (int8_t)ky;
        cols[i] = (int8_t)kx;
    }
    for (int32_t j = 0; j < EQH_GATHER_BLOCKS; j++) {
        t.offsets[j] = vldrbq_u8(spots + 16 * j);
        t.ky[j] = vldrbq_s8(rows + 16 * j);
        t.kx[j] = vldrbq_s8(cols + 16 * j);
    }
    if (negative && k <= EQH_FAST_MAX_K && (p->pool_h == 0 || (p->pool_h == 2 && p->pool_w == 2))) conv_fast(&t);
    else conv_general(&t, negative);
    return 0;
}

// MARK: Add

// multiplyByQuantizedMultiplier with one scalar multiplier m >= 0 and shift s <= 0 for four lanes: s < 0 as
// conv_tile does (VQRDMLAH adds the x >> 31 fix-up, VRSHL rounds), s == 0 (`zero`) the high half alone.
static inline __attribute__((always_inline)) int32x4_t requantize_scalar(int32x4_t x, int32_t m, int32_t s, int zero) {
    return zero ? vqrdmulhq_n_s32(x, m) : vrshlq_n_s32(vqrdmlahq_n_s32(vshrq_n_s32(x, 31), x, m), s);
}

// Add with scalar requantizations (the usual case: the input with the larger scale has multiplier 0.5, shift 0;
// the other input and the output negative shifts): about half the instructions of requantize4's per-lane cases.
static inline __attribute__((always_inline)) void add_scalar(const eqh_add_params *p, int32_t factor, int32x4_t low,
                                                             int32x4_t high, int z1, int z2) {
    // Locals, so that the stores through y (which could alias *p for the compiler) do not reload them.
    const int8_t *__restrict x = p->x, *__restrict z = p->z;
    int8_t *__restrict y = p->y;
    const int32_t offset1 = p->offset1, offset2 = p->offset2, output_offset = p->output_offset;
    const int32_t m1 = p->multiplier1, m2 = p->multiplier2, mo = p->output_multiplier;
    const int32_t s1 = p->shift1, s2 = p->shift2, so = p->output_shift;
    for (int32_t n = p->count; n > 0; n -= 4, x += 4, z += 4, y += 4) {
        mve_pred16_t q = vctp32q(n);
        int32x4_t a = vmulq_n_s32(vaddq_n_s32(vldrbq_z_s32(x, q), offset1), factor);
        int32x4_t b = vmulq_n_s32(vaddq_n_s32(vldrbq_z_s32(z, q), offset2), factor);
        int32x4_t sum = vaddq_s32(requantize_scalar(a, m1, s1, z1), requantize_scalar(b, m2, s2, z2));
        int32x4_t v = vaddq_n_s32(requantize_scalar(sum, mo, so, 0), output_offset);
        vstrbq_p_s32(y, vminq_s32(vmaxq_s32(v, low), high), q);
    }
}

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
    if (p->multiplier1 >= 0 && p->multiplier2 >= 0 && p->output_multiplier >= 0 && p->shift1 <= 0 && p->shift2 <= 0 &&
        p->output_shift < 0) {
        const int z1 = p->shift1 == 0, z2 = p->shift2 == 0;
        if (z1 && z2) add_scalar(p, factor, low, high, 1, 1);
        else if (z1) add_scalar(p, factor, low, high, 1, 0);
        else if (z2) add_scalar(p, factor, low, high, 0, 1);
        else add_scalar(p, factor, low, high, 0, 0);
        return 0;
    }
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
