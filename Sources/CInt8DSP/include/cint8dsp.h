// ARMv7E-M DSP instructions the int8 kernels use, as static inline functions: the ACLE intrinsics where the
// target has the DSP extension (Cortex-M4/M7: __ARM_FEATURE_DSP), portable C with the same results elsewhere
// (the host, Cortex-M3). Arithmetic wraps modulo 2^32 exactly as SMLAD's result register does (the Q flag it
// may set is never read), so both paths give the same bits.
#ifndef CINT8DSP_H
#define CINT8DSP_H
#include <stdint.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define CINT8DSP_HAS_DSP 1

/// Bytes 0 and 2 of x sign-extended to the low and high halfwords.
static inline uint32_t dsp_sxtb16(uint32_t x) { return (uint32_t)__sxtb16((int32_t)x); }
/// Bytes 1 and 3 of x sign-extended to the low and high halfwords (SXTB16 with ROR #8).
static inline uint32_t dsp_sxtb16_ror8(uint32_t x) { return (uint32_t)__sxtb16(__ror((int32_t)x, 8)); }
/// Halfword-wise addition (wrapping per halfword).
static inline uint32_t dsp_sadd16(uint32_t a, uint32_t b) { return (uint32_t)__sadd16((int32_t)a, (int32_t)b); }
/// acc + a.lo * b.lo + a.hi * b.hi (signed halfwords).
static inline int32_t dsp_smlad(uint32_t a, uint32_t b, int32_t acc) { return __smlad((int32_t)a, (int32_t)b, acc); }

#else
#define CINT8DSP_HAS_DSP 0

static inline uint32_t dsp_halves(int32_t lo, int32_t hi) { return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16); }
static inline uint32_t dsp_sxtb16(uint32_t x) { return dsp_halves((int8_t)(x & 0xFF), (int8_t)((x >> 16) & 0xFF)); }
static inline uint32_t dsp_sxtb16_ror8(uint32_t x) { return dsp_halves((int8_t)((x >> 8) & 0xFF), (int8_t)(x >> 24)); }
static inline uint32_t dsp_sadd16(uint32_t a, uint32_t b) {
    return ((a + b) & 0xFFFFu) | (((a >> 16) + (b >> 16)) << 16);
}
static inline int32_t dsp_smlad(uint32_t a, uint32_t b, int32_t acc) {
    int32_t p = (int32_t)(int16_t)(a & 0xFFFF) * (int32_t)(int16_t)(b & 0xFFFF);
    int32_t q = (int32_t)(int16_t)(a >> 16) * (int32_t)(int16_t)(b >> 16);
    return (int32_t)((uint32_t)acc + (uint32_t)p + (uint32_t)q);
}
#endif

/// TFLite Micro's requantization (MultiplyByQuantizedMultiplier with double rounding) in fewer instructions: the
/// saturating rounding doubling high multiply as one rounding shift of the 64-bit product, (p + 2^30) >> 31 (equal
/// to TFLite's nudge-and-truncate for every product; the proof is in ConvInt8Columns.swift), then the rounding
/// (half away from zero) divide by 2^-shift. shift must lie in -31 ... 30 (the .q8 loader checks it).
static inline int32_t dsp_requantize(int32_t acc, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    int32_t x = (int32_t)((uint32_t)acc << left);
    int32_t high = (x == INT32_MIN && multiplier == INT32_MIN)
        ? INT32_MAX : (int32_t)(((int64_t)x * (int64_t)multiplier + (1ll << 30)) >> 31);
    int32_t mask = (int32_t)((1u << right) - 1u);
    int32_t remainder = high & mask;
    int32_t threshold = (mask >> 1) + (high < 0);
    return (high >> right) + (remainder > threshold);
}

/// 1 when the functions above compile to the DSP instructions themselves.
static inline int32_t dsp_available(void) { return CINT8DSP_HAS_DSP; }

#endif
