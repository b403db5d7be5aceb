// Conv2D with AVX-512 VNNI: the input is copied once into a padded buffer of unsigned bytes (x + 128; the
// border holds the byte that stands for a real zero), so each kernel row of a window is contiguous, like the
// OHWI weights' rows; each output channel is then a few 64-byte vpdpbusd dot products. With u = x + 128,
//   sum w·(x + offset) = sum w·u + (offset − 128)·sum w,
// and a padded position holds u = 128 − offset, which contributes exactly 0, as the reference's skip does.
// Arithmetic is done modulo 2^32 like the reference's wrapping int32 sums, then requantized with the same
// double rounding as TFLite Micro, so the result is bit-exact.
#include "cint8host.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define EQ_HAVE_X86 1
#endif

enum { kMaxChannels = 4096 };

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
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

#if EQ_HAVE_X86
// Per thread: the input shifted to unsigned (x + 128) inside a border of the padding byte, the weights packed
// for the kernel, and one window row per output position being computed.
enum { kMaxPadded = 1 << 17, kMaxPacked = 1 << 18, kMaxRow = 1 << 13, kPixels = 4 };
static _Thread_local uint8_t padded[kMaxPadded];
static _Thread_local int8_t packed[kMaxPacked] __attribute__((aligned(64)));
static _Thread_local uint8_t rows[kPixels][kMaxRow] __attribute__((aligned(64)));

#define EQ_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// TFLite Micro's requantization of 16 accumulators at once, lane for lane the scalar `requantize`:
// left shift, rounding doubling high multiply (round half away from zero, truncating division), then a
// rounding right shift (half away from zero). Multipliers are never negative (the loader checks), so the one
// saturating case of the scalar code (INT32_MIN · INT32_MIN) cannot occur.
EQ_TARGET static inline __m512i requantize16(__m512i x, __m512i multiplier, __m512i shift) {
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i left = _mm512_max_epi32(shift, zero), right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
    x = _mm512_sllv_epi32(x, left);
    // 64-bit products of the even lanes, then of the odd lanes.
    __m512i even = _mm512_mul_epi32(x, multiplier);
    __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(multiplier, 32));
    const __m512i up = _mm512_set1_epi64(1ll << 30), down = _mm512_set1_epi64(1 - (1ll << 30));
    const __m512i toward_zero = _mm512_set1_epi64((1ll << 31) - 1);
    __mmask8 negative = _mm512_cmplt_epi64_mask(even, zero);
    even = _mm512_add_epi64(even, _mm512_mask_blend_epi64(negative, up, down));
    negative = _mm512_cmplt_epi64_mask(even, zero);
    even = _mm512_srai_epi64(_mm512_mask_add_epi64(even, negative, even, toward_zero), 31);
    negative = _mm512_cmplt_epi64_mask(odd, zero);
    odd = _mm512_add_epi64(odd, _mm512_mask_blend_epi64(negative, up, down));
    negative = _mm512_cmplt_epi64_mask(odd, zero);
    odd = _mm512_srai_epi64(_mm512_mask_add_epi64(odd, negative, odd, toward_zero), 31);
    __m512i high = _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, _mm512_slli_epi64(odd, 32));
    // Rounding divide by 2^right.
    const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
    const __m512i remainder = _mm512_and_si512(high, mask);
    __m512i threshold = _mm512_srai_epi32(mask, 1);
    threshold = _mm512_mask_add_epi32(threshold, _mm512_cmplt_epi32_mask(high, zero), threshold, one);
    __m512i result = _mm512_srav_epi32(high, right);
    return _mm512_mask_add_epi32(result, _mm512_cmpgt_epi32_mask(remainder, threshold), result, one);
}

EQ_TARGET
int eq_conv_vnni(const eq_conv_params *p) {
    const int32_t segment = p->kw * p->cin, row = p->kh * segment, row4 = (row + 3) & ~3;
    const int32_t blocks = (p->cout + 15) / 16;
    const int32_t pool_h = p->pool_h ? p->pool_h : 1, pool_w = p->pool_h ? p->pool_w : 1;
    const int32_t pool_sy = p->pool_h ? p->pool_stride_y : 1, pool_sx = p->pool_h ? p->pool_stride_x : 1;
    const int32_t conv_h = (p->out_h - 1) * pool_sy + pool_h, conv_w = (p->out_w - 1) * pool_sx + pool_w;
    const int32_t ph = (conv_h - 1) * p->stride_y + p->kh, pw = (conv_w - 1) * p->stride_x + p->kw;
    if (!eq_conv_vnni_available() || p->cout > kMaxChannels || row4 > kMaxRow
        || (int64_t)ph * pw * p->cin > kMaxPadded || (int64_t)blocks * row4 * 16 > kMaxPacked) return -1;

    // The input, shifted and padded.
    const uint8_t pad = (uint8_t)(128 - p->input_offset);
    for (int32_t r = 0; r < ph; r++) {
        const int32_t iy = r - p->pad_top;
        for (int32_t c = 0; c < pw; c++) {
            const int32_t ix = c - p->pad_left;
            uint8_t *dst = padded + ((int64_t)r * pw + c) * p->cin;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                memset(dst, pad, (size_t)p->cin);
            } else {
                const int8_t *src = p->x + ((int64_t)iy * p->in_w + ix) * p->cin;
                for (int32_t k = 0; k < p->cin; k++) dst[k] = (uint8_t)(src[k] ^ 0x80);
            }
        }
    }
    // Weights packed so that one 64-byte load holds 4 consecutive window bytes for each of 16 channels:
    // packed[block][k / 4][lane][k % 4]; channels and window bytes beyond the real ones are 0.
    memset(packed, 0, (size_t)blocks * row4 * 16);
    int32_t sums[kMaxChannels + 16];
    for (int32_t oc = 0; oc < blocks * 16; oc++) sums[oc] = 0;
    for (int32_t oc = 0; oc < p->cout; oc++) {
        const int8_t *w = p->w + (int64_t)oc * row;
        int8_t *dst = packed + (int64_t)(oc / 16) * row4 * 16 + (oc % 16) * 4;
        int32_t s = 0;
        for (int32_t k = 0; k < row; k++) {
            dst[(k / 4) * 64 + (k % 4)] = w[k];
            s += w[k];
        }
        sums[oc] = s;
    }
    for (int32_t i = 0; i < kPixels; i++) memset(rows[i] + row, 0, (size_t)(row4 - row));

    const int64_t line = (int64_t)pw * p->cin;
    const __m512i correction = _mm512_set1_epi32(p->input_offset - 128);
    const __m512i output_offset = _mm512_set1_epi32(p->output_offset);
    const __m512i low = _mm512_set1_epi32(p->act_min), high = _mm512_set1_epi32(p->act_max);
    const int32_t window = pool_h * pool_w, total = p->out_h * p->out_w * window;

    // Conv positions in output order, each pooled output's window together; kPixels at a time.
    for (int32_t first = 0; first < total; first += kPixels) {
        const int32_t count = total - first < kPixels ? total - first : kPixels;
        int32_t out_index[kPixels];
        for (int32_t i = 0; i < count; i++) {
            const int32_t n = first + i, pooled = n / window, d = n % window;
            const int32_t py = pooled / p->out_w, px = pooled % p->out_w;
            const int32_t oy = py * pool_sy + d / pool_w, ox = px * pool_sx + d % pool_w;
            const uint8_t *src = padded + (int64_t)oy * p->stride_y * line + (int64_t)ox * p->stride_x * p->cin;
            for (int32_t ky = 0; ky < p->kh; ky++) memcpy(rows[i] + ky * segment, src + ky * line, (size_t)segment);
            out_index[i] = pooled;
        }
        for (int32_t b = 0; b < blocks; b++) {
            __m512i acc[kPixels];
            for (int32_t i = 0; i < kPixels; i++) acc[i] = _mm512_setzero_si512();
            const int8_t *wb = packed + (int64_t)b * row4 * 16;
            for (int32_t k = 0; k < row4; k += 4) {
                const __m512i w = _mm512_load_si512((const void *)(wb + k * 16));
                for (int32_t i = 0; i < kPixels; i++) {
                    int32_t four;
                    memcpy(&four, rows[i] + k, 4);
                    acc[i] = _mm512_dpbusd_epi32(acc[i], _mm512_set1_epi32(four), w);
                }
            }
            const int32_t lanes = p->cout - b * 16 < 16 ? p->cout - b * 16 : 16;
            const __mmask16 live = (__mmask16)((1u << lanes) - 1u);
            const __m512i sum = _mm512_maskz_loadu_epi32(live, sums + b * 16);
            const __m512i bias = p->bias ? _mm512_maskz_loadu_epi32(live, p->bias + b * 16) : _mm512_setzero_si512();
            const __m512i multiplier = _mm512_maskz_loadu_epi32(live, p->multipliers + b * 16);
            const __m512i shift = _mm512_maskz_loadu_epi32(live, p->shifts + b * 16);
            for (int32_t i = 0; i < count; i++) {
                __m512i v = _mm512_add_epi32(_mm512_add_epi32(acc[i], _mm512_mullo_epi32(correction, sum)), bias);
                v = _mm512_add_epi32(requantize16(v, multiplier, shift), output_offset);
                v = _mm512_min_epi32(_mm512_max_epi32(v, low), high);
                const __m128i bytes = _mm512_cvtepi32_epi8(v);
                int8_t *out = p->y + (int64_t)out_index[i] * p->cout + b * 16;
                const int32_t d = (first + i) % window;
                const __m128i merged = d == 0 ? bytes : _mm_max_epi8(bytes, _mm_maskz_loadu_epi8(live, out));
                _mm_mask_storeu_epi8(out, live, merged);
            }
        }
    }
    return 0;
}

EQ_TARGET
int eq_add_avx512(const eq_add_params *p) {
    if (!eq_conv_vnni_available()) return -1;
    const __m512i offset1 = _mm512_set1_epi32(p->offset1), offset2 = _mm512_set1_epi32(p->offset2);
    const __m512i m1 = _mm512_set1_epi32(p->multiplier1), m2 = _mm512_set1_epi32(p->multiplier2);
    const __m512i s1 = _mm512_set1_epi32(p->shift1), s2 = _mm512_set1_epi32(p->shift2);
    const __m512i mo = _mm512_set1_epi32(p->output_multiplier), so = _mm512_set1_epi32(p->output_shift);
    const __m512i left = _mm512_set1_epi32(p->left_shift), output_offset = _mm512_set1_epi32(p->output_offset);
    const __m512i low = _mm512_set1_epi32(p->act_min), high = _mm512_set1_epi32(p->act_max);
    for (int32_t i = 0; i < p->count; i += 16) {
        const int32_t n = p->count - i < 16 ? p->count - i : 16;
        const __mmask16 live = (__mmask16)((1u << n) - 1u);
        const __m512i a = _mm512_sllv_epi32(_mm512_add_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(live, p->x + i)), offset1), left);
        const __m512i b = _mm512_sllv_epi32(_mm512_add_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(live, p->z + i)), offset2), left);
        const __m512i sum = _mm512_add_epi32(requantize16(a, m1, s1), requantize16(b, m2, s2));
        __m512i v = _mm512_add_epi32(requantize16(sum, mo, so), output_offset);
        v = _mm512_min_epi32(_mm512_max_epi32(v, low), high);
        _mm_mask_storeu_epi8(p->y + i, live, _mm512_cvtepi32_epi8(v));
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

int eq_add_avx512(const eq_add_params *p) {
    (void)p;
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
