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
// The input, shifted to unsigned (x + 128) and surrounded by the padding byte, so that every kernel row of a
// window is kw·cin contiguous bytes: the same layout as each kernel row of the OHWI weights.
enum { kMaxPadded = 1 << 17 };
static _Thread_local uint8_t padded[kMaxPadded];

// n bytes (n <= 64) as a masked load, zeros beyond.
__attribute__((target("avx512f,avx512bw")))
static inline __m512i load_tail(const void *p, int32_t n) {
    __mmask64 mask = n >= 64 ? ~(__mmask64)0 : (__mmask64)((1ull << (unsigned)n) - 1ull);
    return _mm512_maskz_loadu_epi8(mask, p);
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
int eq_conv_vnni(const eq_conv_params *p) {
    const int32_t segment = p->kw * p->cin, row = p->kh * segment;
    const int32_t pool_h = p->pool_h ? p->pool_h : 1, pool_w = p->pool_h ? p->pool_w : 1;
    const int32_t pool_sy = p->pool_h ? p->pool_stride_y : 1, pool_sx = p->pool_h ? p->pool_stride_x : 1;
    const int32_t conv_h = (p->out_h - 1) * pool_sy + pool_h, conv_w = (p->out_w - 1) * pool_sx + pool_w;
    const int32_t ph = (conv_h - 1) * p->stride_y + p->kh, pw = (conv_w - 1) * p->stride_x + p->kw;
    if (!eq_conv_vnni_available() || p->cout > kMaxChannels || (int64_t)ph * pw * p->cin > kMaxPadded) return -1;

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
    int32_t weight_sum[kMaxChannels];
    for (int32_t oc = 0; oc < p->cout; oc++) {
        int32_t s = 0;
        const int8_t *w = p->w + (int64_t)oc * row;
        for (int32_t k = 0; k < row; k++) s += w[k];
        weight_sum[oc] = s;
    }
    const uint32_t correction = (uint32_t)(p->input_offset - 128);
    const int64_t line = (int64_t)pw * p->cin;

    for (int32_t py = 0; py < p->out_h; py++) {
        for (int32_t px = 0; px < p->out_w; px++) {
            int8_t *out = p->y + ((int64_t)py * p->out_w + px) * p->cout;
            for (int32_t oc = 0; oc < p->cout; oc++) out[oc] = INT8_MIN;
            for (int32_t dy = 0; dy < pool_h; dy++) {
                for (int32_t dx = 0; dx < pool_w; dx++) {
                    const int32_t oy = py * pool_sy + dy, ox = px * pool_sx + dx;
                    const uint8_t *window = padded + (int64_t)oy * p->stride_y * line + (int64_t)ox * p->stride_x * p->cin;
                    int32_t oc = 0;
                    // Four output channels at a time share each load of the input window.
                    for (; oc + 4 <= p->cout; oc += 4) {
                        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
                        const int8_t *w0 = p->w + (int64_t)oc * row;
                        for (int32_t ky = 0; ky < p->kh; ky++) {
                            const uint8_t *u = window + ky * line;
                            const int8_t *w = w0 + ky * segment;
                            for (int32_t k = 0; k < segment; k += 64) {
                                const int32_t n = segment - k;
                                const __m512i x = load_tail(u + k, n);
                                a0 = _mm512_dpbusd_epi32(a0, x, load_tail(w + k, n));
                                a1 = _mm512_dpbusd_epi32(a1, x, load_tail(w + row + k, n));
                                a2 = _mm512_dpbusd_epi32(a2, x, load_tail(w + 2 * row + k, n));
                                a3 = _mm512_dpbusd_epi32(a3, x, load_tail(w + 3 * row + k, n));
                            }
                        }
                        const int32_t sums[4] = {_mm512_reduce_add_epi32(a0), _mm512_reduce_add_epi32(a1),
                                                 _mm512_reduce_add_epi32(a2), _mm512_reduce_add_epi32(a3)};
                        for (int32_t j = 0; j < 4; j++) {
                            const int32_t c = oc + j;
                            uint32_t acc = (uint32_t)sums[j] + correction * (uint32_t)weight_sum[c];
                            if (p->bias) acc += (uint32_t)p->bias[c];
                            int32_t v = requantize((int32_t)acc, p->multipliers[c], p->shifts[c]) + p->output_offset;
                            v = v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v);
                            if ((int8_t)v > out[c]) out[c] = (int8_t)v;
                        }
                    }
                    for (; oc < p->cout; oc++) {
                        __m512i a = _mm512_setzero_si512();
                        const int8_t *w0 = p->w + (int64_t)oc * row;
                        for (int32_t ky = 0; ky < p->kh; ky++) {
                            for (int32_t k = 0; k < segment; k += 64) {
                                const int32_t n = segment - k;
                                a = _mm512_dpbusd_epi32(a, load_tail(window + ky * line + k, n), load_tail(w0 + ky * segment + k, n));
                            }
                        }
                        uint32_t acc = (uint32_t)_mm512_reduce_add_epi32(a) + correction * (uint32_t)weight_sum[oc];
                        if (p->bias) acc += (uint32_t)p->bias[oc];
                        int32_t v = requantize((int32_t)acc, p->multipliers[oc], p->shifts[oc]) + p->output_offset;
                        v = v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v);
                        if ((int8_t)v > out[oc]) out[oc] = (int8_t)v;
                    }
                }
            }
        }
    }
    return 0;
}
#else
int eq_conv_vnni(const eq_conv_params *p) {
    (void)p;
    return -1;
}
#endif
