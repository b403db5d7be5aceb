// Conv2D with AVX-512 VNNI: the input is copied once into a padded buffer of unsigned bytes (x + 128; the
// border holds the byte that stands for a real zero), so each kernel row of a window is contiguous, like the
// OHWI weights' rows; each output channel is then a few 64-byte vpdpbusd dot products. With u = x + 128,
//   sum w·(x + offset) = sum w·u + (offset − 128)·sum w,
// and a padded position holds u = 128 − offset, which contributes exactly 0, as the reference's skip does.
// Arithmetic is done modulo 2^32 like the reference's wrapping int32 sums, then requantized with the same
// double rounding as TFLite Micro, so the result is bit-exact. Weights are packed into a plan per op ("Conv
// plans" below), once per model when a plan set is active, else per call. Add is here too (same requantization).
#include "cint8host.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define EQ_HAVE_X86 1
#endif

static int32_t srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudged = ab + (ab >= 0 ? (1ll << 30) : (1 - (1ll << 30)));
    int64_t q = nudged >= 0 ? (nudged >> 31) : -((-nudged) >> 31);
    return (int32_t)q;
}

static int32_t rdbpot(int32_t x, int32_t exponent) {
    int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static int32_t requantize(int32_t x, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return rdbpot(srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

int eq_conv_vnni_available(void) {
#if EQ_HAVE_X86
    static int known = -1;  // written with the same value by any thread that races here
    int value = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
        __atomic_store_n(&known, value, __ATOMIC_RELAXED);
    }
    return value;
#else
    return 0;
#endif
}

#if EQ_HAVE_X86
#define EQ_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// TFLite Micro's requantization of 16 accumulators at once, lane for lane the scalar `requantize`:
// left shift, rounding doubling high multiply, then a rounding right shift (half away from zero).
//
// The doubling high multiply is trunc((a·b + nudge) / 2^31) with nudge = 2^30 when a·b >= 0, else 1 − 2^30.
// That equals floor((a·b + 2^30) / 2^31) for every a·b: for a·b >= 0 trivially; for a·b < 0, with
// v = a·b + 2^30 < 2^31, trunc((v + 1 − 2^31) / 2^31) = −floor((2^31 − 1 − v) / 2^31) = floor(v / 2^31).
// So it is an add and an arithmetic shift of the 64-bit product, whose bits 31 ... 62 are the result.
// Multipliers are never negative (the loader checks), so the one saturating case of the scalar code
// (INT32_MIN · INT32_MIN) cannot occur, and |a·b| < 2^62 leaves the 64-bit sum no room to overflow.
EQ_TARGET static inline __m512i doubling_high16(__m512i x, __m512i multiplier) {
    const __m512i half = _mm512_set1_epi64(1ll << 30);
    // Even lanes: the 64-bit products, bits 31 ... 62 moved down into the low dword.
    const __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, multiplier), half), 31);
    // Odd lanes: bits 31 ... 62 moved up into the high dword.
    const __m512i odd = _mm512_slli_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(multiplier, 32)), half), 1);
    return _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, odd);
}

// Rounding divide by 2^right (half away from zero), given mask = 2^right − 1 and half = mask >> 1.
EQ_TARGET static inline __m512i rounding_shift16(__m512i high, __m512i right, __m512i mask, __m512i half) {
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i remainder = _mm512_and_si512(high, mask);
    const __m512i threshold = _mm512_mask_add_epi32(half, _mm512_cmplt_epi32_mask(high, zero), half, one);
    const __m512i result = _mm512_srav_epi32(high, right);
    return _mm512_mask_add_epi32(result, _mm512_cmpgt_epi32_mask(remainder, threshold), result, one);
}

EQ_TARGET static inline __m512i requantize16(__m512i x, __m512i multiplier, __m512i shift) {
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i left = _mm512_max_epi32(shift, zero), right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
    const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
    return rounding_shift16(doubling_high16(_mm512_sllv_epi32(x, left), multiplier), right, mask, _mm512_srai_epi32(mask, 1));
}

// ---------------------------------------------------------------------------------------------------------
// Conv plans.
//
// The input is copied once per op into a padded buffer of unsigned bytes u = x + 128 (the border holds the
// byte that stands for a real zero), `line` bytes per padded row. Each kernel row of a window is then kw·cin
// contiguous bytes, read 4 at a time straight from the buffer: `groups` = ceil(kw·cin / 4) groups per kernel
// row, `steps` = kh · groups per window. A group may run up to 3 bytes past the window's row; the packed
// weights hold 0 there, so those bytes (whatever they are) add nothing.
//
// Output channels go in blocks of 16, one per 512-bit vector of int32 accumulators. When cout % 16 is 1 ... 8
// the last block is a half block: its 8 channels accumulate in a 256-bit register per position (a 256-bit
// vpdpbusd costs half a 512-bit one), and two positions are joined into one vector (low lanes, high lanes) to
// be requantized together, so the half block's channels sit twice in its lanes (0-7 and 8-15).
//
// Packed weights: packed[block][step][lane][4], one 64-byte vector per step holding 4 window bytes for each
// lane's channel (a half block's kernel reads the low 32 bytes); channels beyond cout are 0.
//
// Per lane (whole blocks): bias' = bias + (input_offset − 128)·Σw (mod 2^32), and the requantization
// constants. Per conv position, in output order with each pooled output's window together: the window's
// offset in the padded buffer, the output's byte offset, and whether the position opens (bit 0) and closes
// (bit 1) its pooling window.
//
// Max pooling is taken before the monotone part of the requantization: with v = (acc + bias') << left (the
// one step that can wrap), rounding_shift(doubling_high(·)), the offset and the clamp are all non-decreasing
// (multipliers are never negative), so max over the window commutes with them; the result is the reference's
// max of requantized outputs, with one requantization per pooled output.
struct eq_conv_plan {
    eq_conv_params key;  // x and y are NULL
    int32_t blocks, half, groups, steps, line, padded_rows, padded_size, positions, window;
    int8_t *packed;
    int32_t *constants;  // [block][kConstant...][lane]
    int32_t *in_offset, *out_offset;
    uint8_t *flags;
};

enum { kAlign = 64, kSlack = 64 };
// The per-lane constants of a block, 16 int32 each.
enum { kBias, kLeft, kMultiplier, kMultiplierOdd, kRight, kMask, kHalfway, kConstants };

static size_t round_up(size_t n) { return (n + kAlign - 1) & ~(size_t)(kAlign - 1); }

typedef struct {
    int32_t blocks, half, groups, steps, line, padded_rows, padded_size, positions, window;
    size_t packed, channels, positions_bytes, flags, total;
} plan_layout;

static int plan_layout_of(const eq_conv_params *p, plan_layout *l) {
    if (p->cin < 1 || p->cout < 1 || p->kh < 1 || p->kw < 1 || p->stride_y < 1 || p->stride_x < 1
        || p->out_h < 1 || p->out_w < 1) return -1;
    const int32_t pool_h = p->pool_h ? p->pool_h : 1, pool_w = p->pool_h ? p->pool_w : 1;
    const int32_t pool_sy = p->pool_h ? p->pool_stride_y : 1, pool_sx = p->pool_h ? p->pool_stride_x : 1;
    if (pool_h < 1 || pool_w < 1 || pool_sy < 1 || pool_sx < 1) return -1;
    const int64_t conv_h = (int64_t)(p->out_h - 1) * pool_sy + pool_h, conv_w = (int64_t)(p->out_w - 1) * pool_sx + pool_w;
    const int64_t ph = (conv_h - 1) * p->stride_y + p->kh, pw = (conv_w - 1) * p->stride_x + p->kw;
    const int64_t segment = (int64_t)p->kw * p->cin, groups = (segment + 3) / 4, steps = groups * p->kh;
    const int64_t blocks = (p->cout + 15) / 16, positions = (int64_t)p->out_h * p->out_w * pool_h * pool_w;
    const int64_t line = pw * p->cin, padded = ph * line;
    if (padded > (1 << 26) || steps * blocks * 64 > (1 << 26) || positions > (1 << 24)
        || (int64_t)p->out_h * p->out_w * p->cout > INT32_MAX) return -1;  // offsets stay int32
    l->blocks = (int32_t)blocks; l->groups = (int32_t)groups; l->steps = (int32_t)steps; l->line = (int32_t)line;
    l->half = p->cout % 16 != 0 && p->cout % 16 <= 8;
    l->padded_rows = (int32_t)ph; l->padded_size = (int32_t)padded; l->positions = (int32_t)positions;
    l->window = pool_h * pool_w;
    l->packed = round_up((size_t)(blocks * steps * 64));
    l->channels = round_up((size_t)blocks * kConstants * 16 * sizeof(int32_t));
    l->positions_bytes = round_up((size_t)positions * sizeof(int32_t));
    l->flags = round_up((size_t)positions);
    l->total = round_up(sizeof(struct eq_conv_plan)) + l->packed + l->channels + 2 * l->positions_bytes
        + l->flags;
    return 0;
}

// Fills `plan` (memory of layout.total bytes, 64-byte aligned).
static struct eq_conv_plan *plan_init(void *memory, const eq_conv_params *p, const plan_layout *l) {
    uint8_t *m = (uint8_t *)memory;
    struct eq_conv_plan *plan = (struct eq_conv_plan *)m;
    m += round_up(sizeof(struct eq_conv_plan));
    plan->key = *p;
    plan->key.x = NULL;
    plan->key.y = NULL;
    plan->blocks = l->blocks; plan->half = l->half; plan->groups = l->groups; plan->steps = l->steps;
    plan->line = l->line; plan->padded_rows = l->padded_rows; plan->padded_size = l->padded_size;
    plan->positions = l->positions; plan->window = l->window;
    plan->packed = (int8_t *)m; m += l->packed;
    plan->constants = (int32_t *)m;
    memset(m, 0, l->channels);
    m += l->channels;
    plan->in_offset = (int32_t *)m; m += l->positions_bytes;
    plan->out_offset = (int32_t *)m; m += l->positions_bytes;
    plan->flags = m;

    const int32_t segment = p->kw * p->cin, row = p->kh * segment;
    memset(plan->packed, 0, (size_t)l->blocks * l->steps * 64);
    for (int32_t oc = 0; oc < p->cout; oc++) {
        const int32_t block = oc / 16, lane = oc % 16;
        const int copies = l->half && block == l->blocks - 1 ? 2 : 1;  // a half block's channels sit twice
        const int8_t *w = p->w + (int64_t)oc * row;
        uint32_t sum = 0;
        for (int32_t ky = 0; ky < p->kh; ky++) {
            for (int32_t t = 0; t < segment; t++) sum += (uint32_t)(int32_t)w[ky * segment + t];
        }
        const uint32_t bias = p->bias ? (uint32_t)p->bias[oc] : 0u;
        const int32_t shift = p->shifts[oc], right = shift > 0 ? 0 : -shift;
        for (int copy = 0; copy < copies; copy++) {
            int32_t *constants = plan->constants + block * kConstants * 16 + lane + 8 * copy;
            int8_t *packed = plan->packed + (int64_t)block * l->steps * 64 + (lane + 8 * copy) * 4;
            for (int32_t ky = 0; ky < p->kh; ky++) {
                for (int32_t t = 0; t < segment; t++) packed[(int64_t)(ky * l->groups + t / 4) * 64 + t % 4] = w[ky * segment + t];
            }
            constants[kBias * 16] = (int32_t)(bias + (uint32_t)(p->input_offset - 128) * sum);
            constants[kLeft * 16] = shift > 0 ? shift : 0;
            constants[kMultiplier * 16] = p->multipliers[oc];
            constants[kRight * 16] = right;
            constants[kMask * 16] = (int32_t)(((uint32_t)1 << right) - 1u);
            constants[kHalfway * 16] = constants[kMask * 16] >> 1;
        }
    }
    // The odd lanes' multipliers moved to the even lanes, as doubling_high16 wants them.
    for (int32_t b = 0; b < l->blocks; b++) {
        int32_t *constants = plan->constants + b * kConstants * 16;
        for (int32_t i = 0; i < 16; i += 2) constants[kMultiplierOdd * 16 + i] = constants[kMultiplier * 16 + i + 1];
    }

    const int32_t pool_h = p->pool_h ? p->pool_h : 1, pool_w = p->pool_h ? p->pool_w : 1;
    const int32_t pool_sy = p->pool_h ? p->pool_stride_y : 1, pool_sx = p->pool_h ? p->pool_stride_x : 1;
    const int32_t window = pool_h * pool_w;
    int32_t n = 0;
    for (int32_t pooled = 0; pooled < p->out_h * p->out_w; pooled++) {
        const int32_t py = pooled / p->out_w, px = pooled % p->out_w;
        for (int32_t d = 0; d < window; d++, n++) {
            const int32_t oy = py * pool_sy + d / pool_w, ox = px * pool_sx + d % pool_w;
            plan->in_offset[n] = oy * p->stride_y * l->line + ox * p->stride_x * p->cin;
            plan->out_offset[n] = pooled * p->cout;
            plan->flags[n] = (uint8_t)((d == 0 ? 1 : 0) | (d == window - 1 ? 2 : 0));
        }
    }
    return plan;
}

EQ_TARGET static inline void fill_bytes(uint8_t *dst, __m512i value, int64_t n) {
    for (; n >= 64; n -= 64, dst += 64) _mm512_storeu_si512((void *)dst, value);
    if (n > 0) _mm512_mask_storeu_epi8(dst, _cvtu64_mask64(~0ull >> (64 - n)), value);
}

// The input of the op, shifted to unsigned and padded (plan->padded_size bytes, then slack).
EQ_TARGET static void fill_padded(const struct eq_conv_plan *plan, const int8_t *x, uint8_t *padded) {
    const eq_conv_params *p = &plan->key;
    const __m512i pad = _mm512_set1_epi8((char)(uint8_t)(128 - p->input_offset)), flip = _mm512_set1_epi8((char)0x80);
    const int32_t line = plan->line, pw = line / p->cin;
    const int32_t c0 = p->pad_left < pw ? p->pad_left : pw;
    const int32_t c1 = p->pad_left + p->in_w < pw ? p->pad_left + p->in_w : pw;
    for (int32_t r = 0; r < plan->padded_rows; r++) {
        const int32_t iy = r - p->pad_top;
        uint8_t *dst = padded + (int64_t)r * line;
        if (iy < 0 || iy >= p->in_h || c1 <= c0) {
            fill_bytes(dst, pad, line);
            continue;
        }
        fill_bytes(dst, pad, (int64_t)c0 * p->cin);
        const int8_t *src = x + ((int64_t)iy * p->in_w + (c0 - p->pad_left)) * p->cin;
        uint8_t *inner = dst + (int64_t)c0 * p->cin;
        const int32_t count = (c1 - c0) * p->cin;
        int32_t i = 0;
        for (; i + 64 <= count; i += 64)
            _mm512_storeu_si512((void *)(inner + i), _mm512_xor_si512(_mm512_loadu_si512((const void *)(src + i)), flip));
        if (i < count) {
            const __mmask64 live = _cvtu64_mask64(~0ull >> (64 - (count - i)));
            _mm512_mask_storeu_epi8(inner + i, live, _mm512_xor_si512(_mm512_maskz_loadu_epi8(live, src + i), flip));
        }
        fill_bytes(dst + (int64_t)c1 * p->cin, pad, (int64_t)(pw - c1) * p->cin);
    }
}

// 4 bytes broadcast to every lane, straight from memory: written out because the compiler otherwise may load
// them into a general register and broadcast from there, which costs a vector-unit uop per broadcast on AMD.
EQ_TARGET static inline __m512i broadcast4(const uint8_t *p) {
    __m512i v;
    __asm__("vpbroadcastd %1, %0" : "=v"(v) : "m"(*(const struct { uint8_t b[4]; } *)p));
    return v;
}

// One block's per-lane constants, read from the plan where they are used (as memory operands, so they take
// no registers from the accumulators).
typedef struct {
    const int32_t *c;
    __mmask16 live;
} block_constants;

EQ_TARGET static inline block_constants constants_of(const struct eq_conv_plan *plan, int32_t block) {
    const int32_t lanes = plan->key.cout - block * 16;
    return (block_constants){plan->constants + block * kConstants * 16,
                             lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1u)};
}

EQ_TARGET static inline __m512i constant(const block_constants *k, int field) {
    return _mm512_load_si512((const void *)(k->c + field * 16));
}

// (acc + bias') << left: the part before pooling.
EQ_TARGET static inline __m512i prepare(__m512i acc, const block_constants *k) {
    return _mm512_sllv_epi32(_mm512_add_epi32(acc, constant(k, kBias)), constant(k, kLeft));
}

// The rest of the requantization (doubling_high16 with the odd multipliers ready), offset and clamp.
EQ_TARGET static inline __m512i finish(__m512i v, const block_constants *k, __m512i output_offset, __m512i low, __m512i high) {
    const __m512i halfway = _mm512_set1_epi64(1ll << 30);
    const __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(v, constant(k, kMultiplier)), halfway), 31);
    const __m512i odd = _mm512_slli_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(v, 32), constant(k, kMultiplierOdd)), halfway), 1);
    __m512i r = rounding_shift16(_mm512_mask_blend_epi32((__mmask16)0xAAAA, even, odd), constant(k, kRight),
                                 constant(k, kMask), constant(k, kHalfway));
    return _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(r, output_offset), low), high);
}

EQ_TARGET static inline void store16(int8_t *out, __m512i r, __mmask16 live) {
    if (live == 0xFFFF) _mm_storeu_si128((__m128i *)out, _mm512_cvtepi32_epi8(r));
    else _mm_mask_storeu_epi8(out, live, _mm512_cvtepi32_epi8(r));
}

// The high half's lanes moved to the low half.
EQ_TARGET static inline __m512i high_half(__m512i v) { return _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(3, 2, 3, 2)); }

// Full blocks b0 ..< b0 + B and, when H = 1, the half block b0 + B, for every position, P at a time: each step
// loads B (+1) weight vectors and P broadcast input groups for B·P 512-bit (+P 256-bit) vpdpbusd into as many
// accumulators.
// W: 1 without pooling, 4 for pooling windows of 4 positions (which then fall 4 to a tile), 0 for any other
// window (tracked per position). All loops over blocks and positions of a tile are fully unrolled so the
// accumulators stay in registers.
#define EQ_UNROLL _Pragma("clang loop unroll(full)")
EQ_TARGET static inline __attribute__((always_inline)) void group_kernel(
    const struct eq_conv_plan *plan, const uint8_t *padded, int8_t *y, int32_t b0, const int B, const int H, const int P,
    const int W) {
    const int32_t steps = plan->steps, groups = plan->groups, line = plan->line, positions = plan->positions;
    const int32_t kh = plan->key.kh, cout = plan->key.cout;
    const int32_t *in_offset = plan->in_offset, *out_offset = plan->out_offset;
    const uint8_t *position_flags = plan->flags;
    const int8_t *weights = plan->packed + (int64_t)b0 * steps * 64;
    const __m512i output_offset = _mm512_set1_epi32(plan->key.output_offset);
    const __m512i low = _mm512_set1_epi32(plan->key.act_min), high = _mm512_set1_epi32(plan->key.act_max);
    block_constants k[5];
    EQ_UNROLL for (int b = 0; b < B + H; b++) k[b] = constants_of(plan, b0 + b);
    __m512i running[5];
    EQ_UNROLL for (int b = 0; b < B + H; b++) running[b] = _mm512_setzero_si512();

    for (int32_t n0 = 0; n0 < positions; n0 += P) {
        const int32_t count = positions - n0 < P ? positions - n0 : P;
        const uint8_t *base[16];
        EQ_UNROLL for (int i = 0; i < P; i++) base[i] = padded + in_offset[n0 + (i < count ? i : 0)];
        __m512i acc[4][16];
        __m256i halves[16];
        EQ_UNROLL for (int b = 0; b < B; b++)
            EQ_UNROLL for (int i = 0; i < P; i++) acc[b][i] = _mm512_setzero_si512();
        EQ_UNROLL for (int i = 0; i < P; i++) halves[i] = _mm256_setzero_si256();
        const int8_t *w = weights;
        for (int32_t ky = 0; ky < kh; ky++) {
            for (int32_t g = 0; g < groups; g++, w += 64) {
                __m512i wv[4];
                EQ_UNROLL for (int b = 0; b < B; b++) wv[b] = _mm512_load_si512((const void *)(w + (int64_t)b * steps * 64));
                const __m256i wh = H ? _mm256_load_si256((const void *)(w + (int64_t)B * steps * 64)) : _mm256_setzero_si256();
                EQ_UNROLL for (int i = 0; i < P; i++) {
                    const __m512i xv = broadcast4(base[i] + 4 * g);
                    EQ_UNROLL for (int b = 0; b < B; b++) acc[b][i] = _mm512_dpbusd_epi32(acc[b][i], xv, wv[b]);
                    if (H) halves[i] = _mm256_dpbusd_epi32(halves[i], _mm512_castsi512_si256(xv), wh);
                }
            }
            EQ_UNROLL for (int i = 0; i < P; i++) base[i] += line;
        }
        // The half block's positions two by two, one in each half of a vector.
        __m512i pair[8];
        EQ_UNROLL for (int i = 0; i < P / 2; i++)
            pair[i] = H ? _mm512_inserti64x4(_mm512_castsi256_si512(halves[2 * i]), halves[2 * i + 1], 1) : _mm512_setzero_si512();

        if (W == 1) {
            EQ_UNROLL for (int i = 0; i < P; i++) {
                if (i < count) {
                    int8_t *out = y + (int64_t)(n0 + i) * cout + b0 * 16;
                    EQ_UNROLL for (int b = 0; b < B; b++)
                        store16(out + b * 16, finish(prepare(acc[b][i], &k[b]), &k[b], output_offset, low, high), k[b].live);
                }
            }
            if (H) {
                EQ_UNROLL for (int i = 0; i < P; i += 2) {
                    if (i < count) {
                        const __m128i bytes = _mm512_cvtepi32_epi8(finish(prepare(pair[i / 2], &k[B]), &k[B], output_offset, low, high));
                        int8_t *out = y + (int64_t)(n0 + i) * cout + (b0 + B) * 16;
                        const __mmask16 live = k[B].live & 0xFF;
                        _mm_mask_storeu_epi8(out, live, bytes);
                        // The next position's channels are lanes 8-15: stored 8 bytes back from its output.
                        if (i + 1 < count) _mm_mask_storeu_epi8(out + cout - 8, (__mmask16)(live << 8), bytes);
                    }
                }
            }
        } else if (W == 4) {
            EQ_UNROLL for (int q = 0; q < P / 4; q++) {
                if (4 * q < count) {
                    int8_t *out = y + (int64_t)((n0 + 4 * q) / 4) * cout + b0 * 16;
                    EQ_UNROLL for (int b = 0; b < B; b++) {
                        const __m512i v = _mm512_max_epi32(
                            _mm512_max_epi32(prepare(acc[b][4 * q], &k[b]), prepare(acc[b][4 * q + 1], &k[b])),
                            _mm512_max_epi32(prepare(acc[b][4 * q + 2], &k[b]), prepare(acc[b][4 * q + 3], &k[b])));
                        store16(out + b * 16, finish(v, &k[b], output_offset, low, high), k[b].live);
                    }
                    if (H) {
                        __m512i v = _mm512_max_epi32(prepare(pair[2 * q], &k[B]), prepare(pair[2 * q + 1], &k[B]));
                        v = _mm512_max_epi32(v, high_half(v));
                        _mm_mask_storeu_epi8(out + B * 16, k[B].live & 0xFF,
                                             _mm512_cvtepi32_epi8(finish(v, &k[B], output_offset, low, high)));
                    }
                }
            }
        } else {
            EQ_UNROLL for (int i = 0; i < P; i++) {
                if (i < count) {
                    const int32_t n = n0 + i;
                    const uint8_t flags = position_flags[n];
                    EQ_UNROLL for (int b = 0; b < B + H; b++) {
                        __m512i v;
                        if (b < B) v = prepare(acc[b][i], &k[b]);
                        else if (i & 1) v = high_half(prepare(pair[i / 2], &k[b]));
                        else v = prepare(pair[i / 2], &k[b]);
                        running[b] = (flags & 1) ? v : _mm512_max_epi32(running[b], v);
                        if (flags & 2) {
                            const __m512i r = finish(running[b], &k[b], output_offset, low, high);
                            int8_t *out = y + out_offset[n] + (b0 + b) * 16;
                            if (b < B) store16(out, r, k[b].live);
                            else _mm_mask_storeu_epi8(out, k[b].live & 0xFF, _mm512_cvtepi32_epi8(r));
                        }
                    }
                }
            }
        }
    }
}

typedef void (*group_function)(const struct eq_conv_plan *, const uint8_t *, int8_t *, int32_t);

#define EQ_GROUP(W, B, H, P) EQ_GROUP_NAMED(W, B, H, P, group_##W##_##B##_##H)
#define EQ_GROUP_NAMED(W, B, H, P, NAME)                                                                        \
    EQ_TARGET __attribute__((noinline)) static void NAME(                                                       \
        const struct eq_conv_plan *plan, const uint8_t *padded, int8_t *y, int32_t b0) {                        \
        group_kernel(plan, padded, y, b0, B, H, P, W);                                                           \
    }
// P2, P3: positions per tile for 2 and 3 full blocks (multiples of 4 when W = 4). One full block alone takes
// 16 positions per tile when windows are long (the accumulators' loads and stores then matter less than the
// shorter tail), 8 otherwise.
#define EQ_GROUPS(W, P2, P3)                                                                                    \
    EQ_GROUP(W, 1, 0, 8) EQ_GROUP(W, 2, 0, P2) EQ_GROUP(W, 3, 0, P3) EQ_GROUP(W, 4, 0, 4)                        \
    EQ_GROUP_NAMED(W, 1, 0, 16, group_##W##_1_0_long)                                                           \
    EQ_GROUP(W, 0, 1, 8) EQ_GROUP(W, 1, 1, 8) EQ_GROUP(W, 2, 1, 8) EQ_GROUP(W, 3, 1, 4)
EQ_GROUPS(1, 8, 7)
EQ_GROUPS(4, 8, 4)
EQ_GROUPS(0, 8, 7)

static const group_function long_single_block[3] = {group_1_1_0_long, group_4_1_0_long, group_0_1_0_long};
enum { kLongWindow = 16 };  // steps from which one block takes 16 positions per tile

// [W kind: none, 4, other][half][full blocks]
static const group_function group_functions[3][2][5] = {
    {{NULL, group_1_1_0, group_1_2_0, group_1_3_0, group_1_4_0}, {group_1_0_1, group_1_1_1, group_1_2_1, group_1_3_1, NULL}},
    {{NULL, group_4_1_0, group_4_2_0, group_4_3_0, group_4_4_0}, {group_4_0_1, group_4_1_1, group_4_2_1, group_4_3_1, NULL}},
    {{NULL, group_0_1_0, group_0_2_0, group_0_3_0, group_0_4_0}, {group_0_0_1, group_0_1_1, group_0_2_1, group_0_3_1, NULL}},
};

// Per thread, grown on demand and kept (freed when the thread ends): the padded input, and the plan of a
// conv op run without a plan set.
typedef struct {
    void *padded, *plan;
    size_t padded_capacity, plan_capacity;
} scratch_memory;
static _Thread_local scratch_memory scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *value) {
    scratch_memory *s = (scratch_memory *)value;
    free(s->padded);
    free(s->plan);
    s->padded = s->plan = NULL;
    s->padded_capacity = s->plan_capacity = 0;
}

static void scratch_make_key(void) { (void)pthread_key_create(&scratch_key, scratch_free); }

static void *scratch_reserve(void **memory, size_t *capacity, size_t bytes) {
    if (*capacity >= bytes) return *memory;
    (void)pthread_once(&scratch_once, scratch_make_key);
    free(*memory);
    *capacity = 0;
    *memory = aligned_alloc(kAlign, round_up(bytes));
    if (!*memory) return NULL;
    *capacity = round_up(bytes);
    (void)pthread_setspecific(scratch_key, &scratch);
    return *memory;
}

EQ_TARGET static int plan_run(const struct eq_conv_plan *plan, const int8_t *x, int8_t *y) {
    uint8_t *padded = scratch_reserve(&scratch.padded, &scratch.padded_capacity, (size_t)plan->padded_size + kSlack);
    if (!padded) return -1;
    fill_padded(plan, x, padded);
    const int kind = plan->window == 1 ? 0 : plan->window == 4 ? 1 : 2;
    const int32_t full = plan->blocks - plan->half;
    int32_t b0 = 0;
    // Groups of up to 4 full blocks; the half block goes with the last group of fewer than 4, or alone.
    while (b0 < full) {
        const int32_t n = full - b0 < 4 ? full - b0 : 4;
        const int with_half = plan->half && b0 + n == full && n < 4;
        if (n == 1 && !with_half && plan->steps >= kLongWindow) long_single_block[kind](plan, padded, y, b0);
        else group_functions[kind][with_half][n](plan, padded, y, b0);
        b0 += n + with_half;
    }
    if (b0 < plan->blocks) group_functions[kind][1][0](plan, padded, y, b0);
    return 0;
}

struct eq_plan_set {
    struct eq_conv_plan **plans;
    int32_t count, capacity;
    int recording, counting;
    int64_t hits;
};

static _Thread_local eq_plan_set *active_set;

static int same_op(const eq_conv_params *a, const eq_conv_params *b) {
    eq_conv_params x = *b;
    x.x = NULL;
    x.y = NULL;
    return memcmp(a, &x, sizeof x) == 0;
}

int eq_conv_vnni(const eq_conv_params *p) {
    if (!eq_conv_vnni_available()) return -1;
    eq_plan_set *set = active_set;
    if (set) {
        for (int32_t i = 0; i < set->count; i++) {
            const struct eq_conv_plan *plan = set->plans[i];
            if (plan->key.w == p->w && same_op(&plan->key, p)) {
                if (set->counting) set->hits++;
                return plan_run(plan, p->x, p->y);
            }
        }
        if (set->recording) {
            plan_layout layout;
            if (plan_layout_of(p, &layout) != 0) return -1;
            if (set->count == set->capacity) {
                const int32_t capacity = set->capacity ? set->capacity * 2 : 16;
                struct eq_conv_plan **plans = realloc(set->plans, (size_t)capacity * sizeof *plans);
                if (!plans) return -1;
                set->plans = plans;
                set->capacity = capacity;
            }
            void *memory = aligned_alloc(kAlign, layout.total);
            if (!memory) return -1;
            set->plans[set->count++] = plan_init(memory, p, &layout);
            set->hits++;
            return plan_run(set->plans[set->count - 1], p->x, p->y);
        }
    }
    plan_layout layout;
    if (plan_layout_of(p, &layout) != 0) return -1;
    void *memory = scratch_reserve(&scratch.plan, &scratch.plan_capacity, layout.total);
    if (!memory) return -1;
    return plan_run(plan_init(memory, p, &layout), p->x, p->y);
}

eq_plan_set *eq_plan_set_create(void) {
    eq_plan_set *set = calloc(1, sizeof *set);
    if (set) set->recording = 1;
    return set;
}

void eq_plan_set_destroy(eq_plan_set *set) {
    if (!set) return;
    for (int32_t i = 0; i < set->count; i++) free(set->plans[i]);
    free(set->plans);
    free(set);
}

void eq_plan_set_seal(eq_plan_set *set) { set->recording = 0; }
int32_t eq_plan_set_count(const eq_plan_set *set) { return set->count; }
int64_t eq_plan_set_hits(const eq_plan_set *set) { return set->hits; }
void eq_plan_set_count_hits(eq_plan_set *set, int on) { set->counting = on; }

eq_plan_set *eq_plan_set_activate(eq_plan_set *set) {
    eq_plan_set *previous = active_set;
    active_set = set;
    return previous;
}

// One requantization with the same multiplier and shift in every lane, its constants made once.
typedef struct {
    __m512i multiplier, left, right, mask, half;
} uniform_requantization;

EQ_TARGET static inline uniform_requantization uniform(int32_t multiplier, int32_t shift) {
    const int32_t right = shift > 0 ? 0 : -shift, mask = (int32_t)(((uint32_t)1 << right) - 1u);
    return (uniform_requantization){_mm512_set1_epi32(multiplier), _mm512_set1_epi32(shift > 0 ? shift : 0),
                                    _mm512_set1_epi32(right), _mm512_set1_epi32(mask), _mm512_set1_epi32(mask >> 1)};
}

EQ_TARGET static inline __m512i requantize_uniform(__m512i x, const uniform_requantization *q) {
    return rounding_shift16(doubling_high16(_mm512_sllv_epi32(x, q->left), q->multiplier), q->right, q->mask, q->half);
}

// 16 outputs of an Add from 16 bytes of each input.
EQ_TARGET static inline __m128i add16(__m128i x, __m128i z, __m512i offset1, __m512i offset2, __m512i left,
                                     const uniform_requantization *q1, const uniform_requantization *q2,
                                     const uniform_requantization *qo, __m512i output_offset, __m512i low, __m512i high) {
    const __m512i a = _mm512_sllv_epi32(_mm512_add_epi32(_mm512_cvtepi8_epi32(x), offset1), left);
    const __m512i b = _mm512_sllv_epi32(_mm512_add_epi32(_mm512_cvtepi8_epi32(z), offset2), left);
    const __m512i sum = _mm512_add_epi32(requantize_uniform(a, q1), requantize_uniform(b, q2));
    const __m512i v = _mm512_add_epi32(requantize_uniform(sum, qo), output_offset);
    return _mm512_cvtepi32_epi8(_mm512_min_epi32(_mm512_max_epi32(v, low), high));
}

EQ_TARGET
int eq_add_avx512(const eq_add_params *p) {
    if (!eq_conv_vnni_available()) return -1;
    const __m512i offset1 = _mm512_set1_epi32(p->offset1), offset2 = _mm512_set1_epi32(p->offset2);
    const uniform_requantization q1 = uniform(p->multiplier1, p->shift1), q2 = uniform(p->multiplier2, p->shift2);
    const uniform_requantization qo = uniform(p->output_multiplier, p->output_shift);
    const __m512i left = _mm512_set1_epi32(p->left_shift), output_offset = _mm512_set1_epi32(p->output_offset);
    const __m512i low = _mm512_set1_epi32(p->act_min), high = _mm512_set1_epi32(p->act_max);
    int32_t i = 0;
    for (; i + 32 <= p->count; i += 32) {
        const __m128i y0 = add16(_mm_loadu_si128((const __m128i *)(p->x + i)), _mm_loadu_si128((const __m128i *)(p->z + i)),
                                 offset1, offset2, left, &q1, &q2, &qo, output_offset, low, high);
        const __m128i y1 = add16(_mm_loadu_si128((const __m128i *)(p->x + i + 16)), _mm_loadu_si128((const __m128i *)(p->z + i + 16)),
                                 offset1, offset2, left, &q1, &q2, &qo, output_offset, low, high);
        _mm_storeu_si128((__m128i *)(p->y + i), y0);
        _mm_storeu_si128((__m128i *)(p->y + i + 16), y1);
    }
    for (; i < p->count; i += 16) {
        const int32_t n = p->count - i < 16 ? p->count - i : 16;
        const __mmask16 live = (__mmask16)((1u << n) - 1u);
        _mm_mask_storeu_epi8(p->y + i, live, add16(_mm_maskz_loadu_epi8(live, p->x + i), _mm_maskz_loadu_epi8(live, p->z + i),
                                                   offset1, offset2, left, &q1, &q2, &qo, output_offset, low, high));
    }
    return 0;
}

// y = clamp(round_half_away(x / scale) + zero_point, -128, 127), with the same float operations as
// Int8Scorer's Swift loop: an IEEE division, rounding half away from zero as trunc(v) + sign(v) when
// |v − trunc(v)| >= 0.5 (v − trunc(v) is exact; for |v| >= 2^23 v is already whole), a float add and clamp.
EQ_TARGET
int eq_quantize_avx512(const float *x, int32_t count, float scale, int32_t zero_point, int8_t *y) {
    if (!eq_conv_vnni_available()) return -1;
    const __m512 divisor = _mm512_set1_ps(scale), zero = _mm512_set1_ps((float)zero_point);
    const __m512 low = _mm512_set1_ps(-128.0f), high = _mm512_set1_ps(127.0f), half = _mm512_set1_ps(0.5f);
    const __m512 one = _mm512_set1_ps(1.0f), minus_one = _mm512_set1_ps(-1.0f);
    for (int32_t i = 0; i < count; i += 16) {
        const int32_t n = count - i < 16 ? count - i : 16;
        const __mmask16 live = (__mmask16)((1u << n) - 1u);
        const __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(live, x + i), divisor);
        const __m512 whole = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m512 fraction = _mm512_abs_ps(_mm512_sub_ps(v, whole));
        const __mmask16 away = _mm512_cmp_ps_mask(fraction, half, _CMP_GE_OQ);
        const __mmask16 negative = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        const __m512 rounded = _mm512_mask_add_ps(whole, away, whole, _mm512_mask_blend_ps(negative, one, minus_one));
        const __m512 clamped = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(rounded, zero), low), high);
        _mm_mask_storeu_epi8(y + i, live, _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(clamped)));
    }
    return 0;
}

EQ_TARGET static void requantize16_lanes(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *out) {
    _mm512_storeu_si512((void *)out, requantize16(_mm512_loadu_si512((const void *)x), _mm512_loadu_si512((const void *)m),
                                                 _mm512_loadu_si512((const void *)s)));
}

int eq_requantize16_for_test(const int32_t x[16], const int32_t multiplier[16], const int32_t shift[16], int32_t out[16]) {
    if (!eq_conv_vnni_available()) return -1;
    requantize16_lanes(x, multiplier, shift, out);
    return 0;
}
#else
int eq_conv_vnni(const eq_conv_params *p) {
    (void)p;
    return -1;
}

struct eq_plan_set {
    int unused;
};

eq_plan_set *eq_plan_set_create(void) { return calloc(1, sizeof(eq_plan_set)); }
void eq_plan_set_destroy(eq_plan_set *set) { free(set); }
void eq_plan_set_seal(eq_plan_set *set) { (void)set; }
int32_t eq_plan_set_count(const eq_plan_set *set) { (void)set; return 0; }
int64_t eq_plan_set_hits(const eq_plan_set *set) { (void)set; return 0; }
void eq_plan_set_count_hits(eq_plan_set *set, int on) { (void)set; (void)on; }
eq_plan_set *eq_plan_set_activate(eq_plan_set *set) { (void)set; return NULL; }

int eq_add_avx512(const eq_add_params *p) {
    (void)p;
    return -1;
}

int eq_quantize_avx512(const float *x, int32_t count, float scale, int32_t zero_point, int8_t *y) {
    (void)x; (void)count; (void)scale; (void)zero_point; (void)y;
    return -1;
}

int eq_requantize16_for_test(const int32_t x[16], const int32_t multiplier[16], const int32_t shift[16], int32_t out[16]) {
    (void)x; (void)multiplier; (void)shift; (void)out;
    return -1;
}
#endif

int32_t eq_requantize_for_test(int32_t x, int32_t multiplier, int32_t shift) {
    return requantize(x, multiplier, shift);
}
