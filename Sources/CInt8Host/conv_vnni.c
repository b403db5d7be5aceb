// Conv2D with AVX-512 VNNI: for each conv output position the input window is gathered once into a row of
// unsigned bytes (x + 128; padding gets the byte that stands for a real zero), and each output channel is a
// dot product of that row with the channel's OHWI weights, 64 bytes per vpdpbusd. With u = x + 128,
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

enum { kMaxRow = 8192, kMaxChannels = 4096 };

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
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static int32_t dot_u8s8(const uint8_t *u, const int8_t *w, int32_t n) {
    __m512i acc = _mm512_setzero_si512();
    int32_t k = 0;
    for (; k + 64 <= n; k += 64) {
        acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512((const void *)(u + k)), _mm512_loadu_si512((const void *)(w + k)));
    }
    if (k < n) {
        __mmask64 mask = (__mmask64)((1ull << (unsigned)(n - k)) - 1ull);
        acc = _mm512_dpbusd_epi32(acc, _mm512_maskz_loadu_epi8(mask, u + k), _mm512_maskz_loadu_epi8(mask, w + k));
    }
    return _mm512_reduce_add_epi32(acc);
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
int eq_conv_vnni(const eq_conv_params *p) {
    const int32_t row = p->kh * p->kw * p->cin;
    if (!eq_conv_vnni_available() || row > kMaxRow || p->cout > kMaxChannels) return -1;
    uint8_t u[kMaxRow];
    int32_t weight_sum[kMaxChannels];
    for (int32_t oc = 0; oc < p->cout; oc++) {
        int32_t s = 0;
        const int8_t *w = p->w + (int64_t)oc * row;
        for (int32_t k = 0; k < row; k++) s += w[k];
        weight_sum[oc] = s;
    }
    const uint8_t pad = (uint8_t)(128 - p->input_offset);
    const uint32_t correction = (uint32_t)(p->input_offset - 128);
    const int32_t pool_h = p->pool_h ? p->pool_h : 1, pool_w = p->pool_h ? p->pool_w : 1;
    const int32_t pool_sy = p->pool_h ? p->pool_stride_y : 1, pool_sx = p->pool_h ? p->pool_stride_x : 1;
    for (int32_t py = 0; py < p->out_h; py++) {
        for (int32_t px = 0; px < p->out_w; px++) {
            int8_t *out = p->y + ((int64_t)py * p->out_w + px) * p->cout;
            for (int32_t oc = 0; oc < p->cout; oc++) out[oc] = INT8_MIN;
            for (int32_t dy = 0; dy < pool_h; dy++) {
                for (int32_t dx = 0; dx < pool_w; dx++) {
                    const int32_t oy = py * pool_sy + dy, ox = px * pool_sx + dx;
                    const int32_t iy0 = oy * p->stride_y - p->pad_top, ix0 = ox * p->stride_x - p->pad_left;
                    uint8_t *dst = u;
                    for (int32_t ky = 0; ky < p->kh; ky++) {
                        const int32_t iy = iy0 + ky;
                        for (int32_t kx = 0; kx < p->kw; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                                memset(dst, pad, (size_t)p->cin);
                            } else {
                                const int8_t *src = p->x + ((int64_t)iy * p->in_w + ix) * p->cin;
                                for (int32_t c = 0; c < p->cin; c++) dst[c] = (uint8_t)(src[c] ^ 0x80);
                            }
                            dst += p->cin;
                        }
                    }
                    for (int32_t oc = 0; oc < p->cout; oc++) {
                        uint32_t acc = (uint32_t)dot_u8s8(u, p->w + (int64_t)oc * row, row) + correction * (uint32_t)weight_sum[oc];
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
