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

// The portable dot loops' two steps (always inlined: without it the Cortex-M3 build ran 4% more instructions): four
// weights as one little-endian word (any alignment), and one column's four int16 values (two per 32-bit half)
// multiplied into an accumulator with the widened weight pairs.
static inline __attribute__((always_inline)) uint32_t dsp_weights4(const int8_t *w) {
    return (uint32_t)(uint8_t)w[0] | (uint32_t)(uint8_t)w[1] << 8 | (uint32_t)(uint8_t)w[2] << 16
        | (uint32_t)(uint8_t)w[3] << 24;
}
static inline __attribute__((always_inline)) int32_t dsp_mac_column(uint32_t lo, uint32_t hi, uint64_t column, int32_t acc) {
    return dsp_smlad(hi, (uint32_t)(column >> 32), dsp_smlad(lo, (uint32_t)column, acc));
}

/// TFLite Micro's requantization (MultiplyByQuantizedMultiplier with double rounding) in fewer instructions: the
/// saturating rounding doubling high multiply as one rounding shift of the 64-bit product, (p + 2^30) >> 31
/// (equal to TFLite's nudge-and-truncate for every product; the proof is at DSP.requantizeSwift in
/// Sources/Int8Runtime/Kernels/DSPDefinitions.swift), then the rounding (half away from zero) divide by 2^-shift.
/// shift must lie in -31 ... 30 (the .q8 loader checks it).
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

/// Four accumulators (one output channel at four output positions).
typedef struct { int32_t a0, a1, a2, a3; } dsp_acc4;

/// One channel's int8 weights `w` against four interleaved int16 columns: for each group g of 4 weights
/// (one word, any alignment), the 64-bit words cols[4g + j] (8-byte aligned) hold position j's values as the
/// halfword pairs (v0, v2), (v1, v3). Adds the 16 products per group to each accumulator (wrapping), for
/// `groups` groups. On Cortex-M4/M7: per group LDR, 2 SXTB16, 2 LDM of 4 words, 8 SMLAD (13 instructions for
/// 16 MACs). LDM of N words takes 1 + N cycles on Cortex-M4 where each LDRD takes 3 (TRM, load/store timings):
/// 2 x 5 instead of 4 x 3 cycles per group. LDM wants its registers in ascending order, so the four column
/// registers are fixed (r8, r10, r11, r12: not r7, the frame pointer, nor r9, the platform register); the
/// compiler picks the others. Elsewhere the same arithmetic in C.
static inline dsp_acc4 dsp_dot4(const int8_t *w, const uint64_t *cols, int32_t groups, int32_t start) {
    int32_t a0 = start, a1 = start, a2 = start, a3 = start;
#if CINT8DSP_HAS_DSP
#define CINT8DSP_GROUP(first) \
    "ldr %[x], [%[wp]], #4\n\t" \
    "ldmia %[cp]!, {%[c0], %[c1], %[c2], %[c3]}\n\t" \
    "sxtb16 %[hi], %[x], ror #8\n\t" \
    "sxtb16 %[x], %[x]\n\t" \
    "smlad %[a0], %[x], %[c0], %[a0]\n\t" \
    "smlad %[a0], %[hi], %[c1], %[a0]\n\t" \
    "smlad %[a1], %[x], %[c2], %[a1]\n\t" \
    "smlad %[a1], %[hi], %[c3], %[a1]\n\t" \
    "ldmia %[cp]!, {%[c0], %[c1], %[c2], %[c3]}\n\t" \
    "smlad %[a2], %[x], %[c0], %[a2]\n\t" \
    "smlad %[a2], %[hi], %[c1], %[a2]\n\t" \
    "smlad %[a3], %[x], %[c2], %[a3]\n\t" \
    "smlad %[a3], %[hi], %[c3], %[a3]\n\t"
    const int8_t *wp = w;
    const uint64_t *cp = cols;
    uint32_t x, hi;
    register uint32_t c0 __asm__("r8"), c1 __asm__("r10"), c2 __asm__("r11"), c3 __asm__("r12");
    int32_t quads = groups >> 2;
    if (quads > 0) {
        __asm__ volatile ("1:\n\t" CINT8DSP_GROUP(0) CINT8DSP_GROUP(1) CINT8DSP_GROUP(2) CINT8DSP_GROUP(3)
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [x] "=&r"(x), [hi] "=&r"(hi), [c0] "=&r"(c0), [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3),
              [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [cp] "+r"(cp),
              [n] "+r"(quads)
            : : "memory", "cc");
    }
    for (int32_t rest = groups & 3; rest > 0; rest--) {
        __asm__ volatile (CINT8DSP_GROUP(0)
            : [x] "=&r"(x), [hi] "=&r"(hi), [c0] "=&r"(c0), [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3),
              [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [cp] "+r"(cp)
            : : "memory");
    }
#undef CINT8DSP_GROUP
#else
    for (int32_t g = 0; g < groups; g++) {
        uint32_t x = dsp_weights4(w + 4 * g), lo = dsp_sxtb16(x), hi = dsp_sxtb16_ror8(x);
        const uint64_t *p = cols + 4 * g;
        a0 = dsp_mac_column(lo, hi, p[0], a0);
        a1 = dsp_mac_column(lo, hi, p[1], a1);
        a2 = dsp_mac_column(lo, hi, p[2], a2);
        a3 = dsp_mac_column(lo, hi, p[3], a3);
    }
#endif
    dsp_acc4 result = { a0, a1, a2, a3 };
    return result;
}

/// Six accumulators (one output channel at six output positions).
typedef struct { int32_t a0, a1, a2, a3, a4, a5; } dsp_acc6;

#if CINT8DSP_HAS_DSP
/// dsp_dot6's loop on Cortex-M4/M7, out of line so that it may use all 14 registers (a naked function: no
/// prologue but its own), four groups per branch: r0 weights, r1 columns, r2 group count, r3 the weight word, r4-r9 the six
/// accumulators (acc->a0 on entry is the start), r10-r12 three column words, lr the odd halves. Per group of 4
/// weights: LDR, 2 SXTB16, 4 LDM of 3 words (1 + 3 cycles each on Cortex-M4, against 3 per 2-word LDRD: 16
/// instead of 18 cycles), 12 SMLAD: 19 instructions for 24 MACs. The words of a group are, in order, the
/// (low, high) pairs of positions 0 ... 5, so the LDMs cut position 1 and 4 in two.
#define CINT8DSP_GROUP6 \
    "ldr r3, [r0], #4\n\t" \
    "ldmia r1!, {r10, r11, r12}\n\t" \
    "sxtb16 lr, r3, ror #8\n\t" \
    "sxtb16 r3, r3\n\t" \
    "smlad r4, r3, r10, r4\n\t" \
    "smlad r4, lr, r11, r4\n\t" \
    "smlad r5, r3, r12, r5\n\t" \
    "ldmia r1!, {r10, r11, r12}\n\t" \
    "smlad r5, lr, r10, r5\n\t" \
    "smlad r6, r3, r11, r6\n\t" \
    "smlad r6, lr, r12, r6\n\t" \
    "ldmia r1!, {r10, r11, r12}\n\t" \
    "smlad r7, r3, r10, r7\n\t" \
    "smlad r7, lr, r11, r7\n\t" \
    "smlad r8, r3, r12, r8\n\t" \
    "ldmia r1!, {r10, r11, r12}\n\t" \
    "smlad r8, lr, r10, r8\n\t" \
    "smlad r9, r3, r11, r9\n\t" \
    "smlad r9, lr, r12, r9\n\t"
__attribute__((naked, noinline)) static void dsp_dot6_loop(const int8_t *w, const uint64_t *cols, int32_t groups,
                                                            dsp_acc6 *acc) {
    __asm__ volatile (
        "push {r3-r11, lr}\n\t"
        "ldr r4, [r3]\n\t"
        "mov r5, r4\n\t"
        "mov r6, r4\n\t"
        "mov r7, r4\n\t"
        "mov r8, r4\n\t"
        "mov r9, r4\n\t"
        "tst r2, #1\n\t"
        "beq 2f\n\t"
        CINT8DSP_GROUP6
        "2:\n\t"
        "tst r2, #2\n\t"
        "beq 4f\n\t"
        CINT8DSP_GROUP6
        CINT8DSP_GROUP6
        "4:\n\t"
        "asrs r2, r2, #2\n\t"
        "beq 3f\n\t"
        "1:\n\t"
        CINT8DSP_GROUP6
        CINT8DSP_GROUP6
        CINT8DSP_GROUP6
        CINT8DSP_GROUP6
        "subs r2, r2, #1\n\t"
        "bne 1b\n\t"
        "3:\n\t"
        "pop {r3}\n\t"
        "stmia r3, {r4-r9}\n\t"
        "pop {r4-r11, pc}\n\t");
}
#undef CINT8DSP_GROUP6
#endif

/// dsp_dot4 for six interleaved columns (group g of position j is cols[6g + j]): on Cortex-M4/M7 the loop of
/// dsp_dot6_loop above (per 4 weights LDR, 2 SXTB16, 4 LDM of 3 words, 12 SMLAD). Same bits as the C fallback.
static inline dsp_acc6 dsp_dot6(const int8_t *w, const uint64_t *cols, int32_t groups, int32_t start) {
#if CINT8DSP_HAS_DSP
    dsp_acc6 result;
    result.a0 = start;
    dsp_dot6_loop(w, cols, groups, &result);
    return result;
#else
    int32_t a0 = start, a1 = start, a2 = start, a3 = start, a4 = start, a5 = start;
    for (int32_t g = 0; g < groups; g++) {
        uint32_t x = dsp_weights4(w + 4 * g), lo = dsp_sxtb16(x), hi = dsp_sxtb16_ror8(x);
        const uint64_t *p = cols + 6 * g;
        a0 = dsp_mac_column(lo, hi, p[0], a0);
        a1 = dsp_mac_column(lo, hi, p[1], a1);
        a2 = dsp_mac_column(lo, hi, p[2], a2);
        a3 = dsp_mac_column(lo, hi, p[3], a3);
        a4 = dsp_mac_column(lo, hi, p[4], a4);
        a5 = dsp_mac_column(lo, hi, p[5], a5);
    }
    dsp_acc6 result = { a0, a1, a2, a3, a4, a5 };
    return result;
#endif
}

/// One channel of at most 12 int8 weights `w` (k of them) at `count` positions: acc[j] = start + the dot product
/// of the weights with position j's int16 column, whose group g (values 4g ... 4g + 3 as the halfword pairs
/// (v0, v2), (v1, v3); zeros past k) is the 64-bit word cols[56 g + j] (8-byte aligned). The weights are widened
/// once into registers (the last word assembled from the remaining bytes only); per position 3 LDRD and 6 SMLAD
/// on Cortex-M4/M7 (inline assembly, as in dsp_dot4). Wrapping arithmetic; the same bits in the C fallback.
static inline void dsp_dot_small(const int8_t *w, int32_t k, const uint64_t *cols, int32_t count, int32_t start,
                                 int32_t *acc) {
    uint32_t words[3] = { 0, 0, 0 };
    for (int32_t t = 0; t < k; t++) words[t >> 2] |= (uint32_t)(uint8_t)w[t] << (8 * (t & 3));
    uint32_t l0 = dsp_sxtb16(words[0]), h0 = dsp_sxtb16_ror8(words[0]);
    uint32_t l1 = dsp_sxtb16(words[1]), h1 = dsp_sxtb16_ror8(words[1]);
    uint32_t l2 = dsp_sxtb16(words[2]), h2 = dsp_sxtb16_ror8(words[2]);
#if CINT8DSP_HAS_DSP
    const uint64_t *p = cols;
    uint32_t x0, x1;
    for (int32_t j = 0; j < count; j++) {
        int32_t a = start;
        __asm__ volatile (
            "ldrd %[x0], %[x1], [%[p], #448]\n\t"
            "smlad %[a], %[l1], %[x0], %[a]\n\t"
            "smlad %[a], %[h1], %[x1], %[a]\n\t"
            "ldrd %[x0], %[x1], [%[p], #896]\n\t"
            "smlad %[a], %[l2], %[x0], %[a]\n\t"
            "smlad %[a], %[h2], %[x1], %[a]\n\t"
            "ldrd %[x0], %[x1], [%[p]], #8\n\t"
            "smlad %[a], %[l0], %[x0], %[a]\n\t"
            "smlad %[a], %[h0], %[x1], %[a]\n\t"
            : [x0] "=&r"(x0), [x1] "=&r"(x1), [a] "+r"(a), [p] "+r"(p)
            : [l0] "r"(l0), [h0] "r"(h0), [l1] "r"(l1), [h1] "r"(h1), [l2] "r"(l2), [h2] "r"(h2)
            : "memory");
        acc[j] = a;
    }
#else
    for (int32_t j = 0; j < count; j++) {
        const uint64_t *c = cols + j;
        int32_t a = start;
        a = dsp_smlad(h0, (uint32_t)(c[0] >> 32), dsp_smlad(l0, (uint32_t)c[0], a));
        a = dsp_smlad(h1, (uint32_t)(c[56] >> 32), dsp_smlad(l1, (uint32_t)c[56], a));
        a = dsp_smlad(h2, (uint32_t)(c[112] >> 32), dsp_smlad(l2, (uint32_t)c[112], a));
        acc[j] = a;
    }
#endif
}

/// The small path's column of one position whose window lies inside the input: value t (t < k <= 12) is
/// base[offsets[t]], widened into the groups to[0], to[56], to[112] as halfword pairs (v0, v2), (v1, v3), zeros
/// past k (the layout dsp_dot_small reads).
static inline void dsp_small_column(const int8_t *base, const int32_t *offsets, int32_t k, uint64_t *to) {
    uint32_t w0 = 0, w1 = 0, w2 = 0;
    int32_t t = 0;
    for (; t < k && t < 4; t++) w0 |= (uint32_t)(uint8_t)base[offsets[t]] << (8 * t);
    for (; t < k && t < 8; t++) w1 |= (uint32_t)(uint8_t)base[offsets[t]] << (8 * (t - 4));
    for (; t < k; t++) w2 |= (uint32_t)(uint8_t)base[offsets[t]] << (8 * (t - 8));
    to[0] = (uint64_t)dsp_sxtb16(w0) | (uint64_t)dsp_sxtb16_ror8(w0) << 32;
    to[56] = (uint64_t)dsp_sxtb16(w1) | (uint64_t)dsp_sxtb16_ror8(w1) << 32;
    to[112] = (uint64_t)dsp_sxtb16(w2) | (uint64_t)dsp_sxtb16_ror8(w2) << 32;
}

/// TFLite Micro's requantization for a shift of -(rsh + 1) <= -1 and a multiplier >= 0, given the rounding
/// constant round = 2^30 + 2^(31 + rsh) as (round_hi, round_lo): the high word of
/// acc * multiplier + round - [acc < 0] * 2^31, shifted right by rsh (the derivation and the proof of equality
/// are at DSP.requantizeNegativeShiftSwift in Sources/Int8Runtime/Kernels/DSPDefinitions.swift). On Cortex-M4/M7:
/// ASR, ADDS, ADC, SMLAL, ASR (inline assembly: the compiler, knowing the multiplier is not negative, would
/// multiply unsigned by signed in four instructions).
static inline int32_t dsp_requantize_negative_shift(int32_t acc, int32_t multiplier, uint32_t round_lo,
                                                    int32_t round_hi, int32_t rsh) {
#if CINT8DSP_HAS_DSP
    int32_t s, lo, hi;
    __asm__ ("asr %[s], %[acc], #31\n\t"
             "adds %[lo], %[rlo], %[s], lsl #31\n\t"
             "adc %[hi], %[rhi], %[s]\n\t"
             "smlal %[lo], %[hi], %[acc], %[m]\n\t"
             : [s] "=&r"(s), [lo] "=&r"(lo), [hi] "=&r"(hi)
             : [acc] "r"(acc), [m] "r"(multiplier), [rlo] "r"(round_lo), [rhi] "r"(round_hi) : "cc");
    return hi >> rsh;
#else
    int64_t round = (int64_t)(((uint64_t)(uint32_t)round_hi << 32) | round_lo);
    int64_t v = (int64_t)acc * (int64_t)multiplier + round - (acc < 0 ? (1ll << 31) : 0);
    return (int32_t)(v >> 32) >> rsh;
#endif
}

/// 1 when the functions above compile to the DSP instructions themselves.
static inline int32_t dsp_available(void) { return CINT8DSP_HAS_DSP; }


// ---- Add, pooling and dense (the non-conv kernels) ----

/// The Add kernel's output step for one element (dsp_add_tables): s2 = 2 · (first[x] + second[z]), the two inputs'
/// rescaled values from the tables, doubled. Returns clamp(sat8((c + [s2 < 0 ? -1 : 0] + h) >> r), low, high) with
/// h = SMMLAR's rounded high word of s2 · multiplier, (s2 · multiplier + 2^31) >> 32, which is TFLite's doubling high
/// multiply of s2 / 2 (the proof, and why c = 2^(r-1) + output_offset · 2^r makes this the whole requantization of
/// the reference, is at AddInt8.fusedParameters in Sources/Int8Runtime/Kernels/AddInt8Fused.swift). Wrapping
/// arithmetic; the caller guarantees nothing wraps. On Cortex-M4/M7 SMMLAR and SSAT.
static inline __attribute__((always_inline)) int32_t dsp_add_output(int32_t s2, int32_t multiplier, int32_t c,
                                                                    int32_t r, int32_t low, int32_t high) {
    int32_t ra = (int32_t)((uint32_t)c + (uint32_t)(s2 >> 31)), h, v;
#if CINT8DSP_HAS_DSP
    __asm__ ("smmlar %[h], %[s], %[m], %[ra]" : [h] "=r"(h) : [s] "r"(s2), [m] "r"(multiplier), [ra] "r"(ra));
    v = __ssat(h >> r, 8);
#else
    uint64_t sum = ((uint64_t)(uint32_t)ra << 32) + (uint64_t)((int64_t)s2 * (int64_t)multiplier) + 0x80000000u;
    h = (int32_t)(uint32_t)(sum >> 32);
    v = h >> r;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
#endif
    return v < low ? low : v > high ? high : v;
}

#if CINT8DSP_HAS_DSP
/// dsp_add_tables' loop on Cortex-M4/M7 (naked, all 14 registers): p points at x, z, y, groups, first, second,
/// multiplier, c, r, low4, high4 (the activation bounds in each byte). Four elements per group: per element LDRSB x2,
/// two table loads, ADD, ADD (the sign), SMMLAR, ASR, SSAT, BFI (11 instructions); per group the activation clamp on
/// the packed word (SSUB8 and SEL twice, signed bytes), one STR (y 4-aligned), SUBS and BNE.
#define CINT8DSP_ADD_ELEMENT(insert) \
    "ldrsb r0, [r1], #1\n\t" \
    "ldrsb r12, [r2], #1\n\t" \
    "ldr r0, [r5, r0, lsl #2]\n\t" \
    "ldr r12, [r6, r12, lsl #2]\n\t" \
    "add r0, r0, r12\n\t" \
    "add r12, r8, r0, asr #31\n\t" \
    "smmlar r12, r0, r7, r12\n\t" \
    "asr r12, r12, r9\n\t" \
    "ssat r12, #8, r12\n\t" \
    insert "\n\t"
__attribute__((naked, noinline)) static void dsp_add_tables_loop(const void *p) {
    __asm__ volatile (
        "push {r4-r11, lr}\n\t"
        "ldm r0, {r1-r11}\n\t"
        "1:\n\t"
        CINT8DSP_ADD_ELEMENT("mov lr, r12")
        CINT8DSP_ADD_ELEMENT("bfi lr, r12, #8, #8")
        CINT8DSP_ADD_ELEMENT("bfi lr, r12, #16, #8")
        CINT8DSP_ADD_ELEMENT("bfi lr, r12, #24, #8")
        "ssub8 r0, lr, r10\n\t"
        "sel lr, lr, r10\n\t"
        "ssub8 r0, r11, lr\n\t"
        "sel lr, lr, r11\n\t"
        "str lr, [r3], #4\n\t"
        "subs r4, r4, #1\n\t"
        "bne 1b\n\t"
        "pop {r4-r11, pc}\n\t");
}
#undef CINT8DSP_ADD_ELEMENT
#endif

/// Element-wise Add from two 256-entry int32 tables holding the doubled rescaled inputs, `first` and `second`
/// pointing at the entries of the value 0 (indexed by the signed byte, -128 ... 127):
/// y[i] = dsp_add_output(first[x[i]] + second[z[i]], ...). r in 1 ... 31, -128 <= low <= high <= 127. Any alignment of x, z, y. On
/// Cortex-M4/M7 the elements up to a 4-aligned y one by one, then dsp_add_tables_loop four at a time (about 13.5
/// cycles per element by the Cortex-M4 TRM's timings against 34 for the Swift table loop), then the rest.
static inline void dsp_add_tables(const int8_t *x, const int8_t *z, int8_t *y, int32_t count, const int32_t *first,
                                  const int32_t *second, int32_t multiplier, int32_t c, int32_t r, int32_t low,
                                  int32_t high) {
    int32_t i = 0;
#if CINT8DSP_HAS_DSP
    int32_t head = (int32_t)((0u - (uint32_t)(uintptr_t)y) & 3u);
    if (head > count) head = count;
    for (; i < head; i++)
        y[i] = (int8_t)dsp_add_output((int32_t)((uint32_t)first[x[i]] + (uint32_t)second[z[i]]), multiplier, c, r,
                                      low, high);
    int32_t groups = (count - i) >> 2;
    if (groups > 0) {
        uint32_t low4 = ((uint32_t)low & 0xFFu) * 0x01010101u, high4 = ((uint32_t)high & 0xFFu) * 0x01010101u;
        const void *p[11] = { x + i, z + i, y + i, (const void *)(uintptr_t)groups, first, second,
                              (const void *)(uintptr_t)(uint32_t)multiplier, (const void *)(uintptr_t)(uint32_t)c,
                              (const void *)(uintptr_t)(uint32_t)r, (const void *)(uintptr_t)low4,
                              (const void *)(uintptr_t)high4 };
        dsp_add_tables_loop(p);
        i += 4 * groups;
    }
#endif
    for (; i < count; i++)
        y[i] = (int8_t)dsp_add_output((int32_t)((uint32_t)first[x[i]] + (uint32_t)second[z[i]]), multiplier, c, r,
                                      low, high);
}

/// A little-endian word of 4 int8 at any address: LDR where unaligned loads are allowed (ARMv7-M, ARMv8-M),
/// four byte loads elsewhere (ARMv6-M faults an unaligned LDR).
static inline __attribute__((always_inline)) uint32_t dsp_load4(const int8_t *p) {
#if defined(__ARM_FEATURE_UNALIGNED) || defined(__x86_64__) || defined(__aarch64__)
    typedef uint32_t __attribute__((aligned(1), may_alias)) unaligned_word;
    return *(const unaligned_word *)p;
#else
    return dsp_weights4(p);
#endif
}

#if CINT8DSP_HAS_DSP
/// Halfword-wise acc + the sign-extended bytes 0 and 2 of x (SXTAB16), and of bytes 1 and 3 (with ROR #8).
static inline __attribute__((always_inline)) uint32_t dsp_sxtab16(uint32_t acc, uint32_t x) {
    return (uint32_t)__sxtab16((int32_t)acc, (int32_t)x);
}
static inline __attribute__((always_inline)) uint32_t dsp_sxtab16_ror8(uint32_t acc, uint32_t x) {
    return (uint32_t)__sxtab16((int32_t)acc, __ror((int32_t)x, 8));
}
#else
static inline __attribute__((always_inline)) uint32_t dsp_sxtab16(uint32_t acc, uint32_t x) {
    return dsp_sadd16(acc, dsp_sxtb16(x));
}
static inline __attribute__((always_inline)) uint32_t dsp_sxtab16_ror8(uint32_t acc, uint32_t x) {
    return dsp_sadd16(acc, dsp_sxtb16_ror8(x));
}
#endif

/// The sums of 4 consecutive int8 channels over a window of `rows` x `cols` pixels: pixel (r, q) at
/// x + r * row_stride + q * pixel_stride (any alignment). Up to 256 pixels are summed per pair of channels in the
/// halfwords of one register (SXTAB16: 256 * -128 = -32768 still fits) before widening, so the sums are exact for
/// any window. Per pixel one word load and two SXTAB16 on Cortex-M4/M7; elsewhere four byte sums.
__attribute__((noinline)) static dsp_acc4 dsp_window_sum4(const int8_t *x, int32_t rows, int32_t cols,
                                                          int32_t row_stride, int32_t pixel_stride) {
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#if CINT8DSP_HAS_DSP
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *p = x + r * row_stride;
        for (int32_t left = cols; left > 0;) {
            int32_t n = left < 256 ? left : 256;
            left -= n;
            uint32_t even = 0, odd = 0;
            for (; n >= 2; n -= 2) {
                uint32_t a = dsp_load4(p), b = dsp_load4(p + pixel_stride);
                even = dsp_sxtab16(dsp_sxtab16(even, a), b);
                odd = dsp_sxtab16_ror8(dsp_sxtab16_ror8(odd, a), b);
                p += 2 * pixel_stride;
            }
            if (n) {
                uint32_t a = dsp_load4(p);
                even = dsp_sxtab16(even, a);
                odd = dsp_sxtab16_ror8(odd, a);
                p += pixel_stride;
            }
            s0 += (int16_t)(even & 0xFFFF);
            s2 += (int16_t)(even >> 16);
            s1 += (int16_t)(odd & 0xFFFF);
            s3 += (int16_t)(odd >> 16);
        }
    }
#else
    // Without SXTAB16 (Cortex-M0/M3, the host) the halfword sums would be emulated: plain byte sums are cheaper.
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *p = x + r * row_stride;
        for (int32_t q = 0; q < cols; q++, p += pixel_stride) {
            s0 = (int32_t)((uint32_t)s0 + (uint32_t)p[0]);
            s1 = (int32_t)((uint32_t)s1 + (uint32_t)p[1]);
            s2 = (int32_t)((uint32_t)s2 + (uint32_t)p[2]);
            s3 = (int32_t)((uint32_t)s3 + (uint32_t)p[3]);
        }
    }
#endif
    dsp_acc4 result = { s0, s1, s2, s3 };
    return result;
}

/// Four rows of a dense layer: acc.ak = Σ_{i < n} w[k * n + i] · (x[i] + offset) for the rows k < 4 (wrapping), any
/// alignment. offset in -127 ... 128 (the input offset, -zero_point: x + offset fits int16). Per 4
/// inputs the input word widened once with the offset added (SXTAB16 onto the offset pair), then per row one word
/// load, two SXTB16 and two SMLAD: 23 instructions for 16 MACs on Cortex-M4/M7. Elsewhere per input one load and
/// the offset, then four byte loads and multiply-adds.
__attribute__((noinline)) static dsp_acc4 dsp_dense4(const int8_t *w, int32_t n, const int8_t *x, int32_t offset) {
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const int8_t *w0 = w, *w1 = w + n, *w2 = w + 2 * n, *w3 = w + 3 * n;
#if CINT8DSP_HAS_DSP
    uint32_t pair = ((uint32_t)offset & 0xFFFFu) * 0x00010001u;
    int32_t i = 0;
#pragma clang loop unroll(disable)
    for (; i + 4 <= n; i += 4) {
        uint32_t xv = dsp_load4(x + i);
        uint32_t lo = dsp_sxtab16(pair, xv), hi = dsp_sxtab16_ror8(pair, xv);
        uint32_t v0 = dsp_load4(w0 + i), v1 = dsp_load4(w1 + i), v2 = dsp_load4(w2 + i), v3 = dsp_load4(w3 + i);
        a0 = dsp_smlad(dsp_sxtb16_ror8(v0), hi, dsp_smlad(dsp_sxtb16(v0), lo, a0));
        a1 = dsp_smlad(dsp_sxtb16_ror8(v1), hi, dsp_smlad(dsp_sxtb16(v1), lo, a1));
        a2 = dsp_smlad(dsp_sxtb16_ror8(v2), hi, dsp_smlad(dsp_sxtb16(v2), lo, a2));
        a3 = dsp_smlad(dsp_sxtb16_ror8(v3), hi, dsp_smlad(dsp_sxtb16(v3), lo, a3));
    }
#else
    // Without SMLAD (Cortex-M0/M3, the host): one input value widened once, four multiply-adds.
    int32_t i = 0;
#endif
    for (; i < n; i++) {
        int32_t v = (int32_t)x[i] + offset;
        a0 = (int32_t)((uint32_t)a0 + (uint32_t)(w0[i] * v));
        a1 = (int32_t)((uint32_t)a1 + (uint32_t)(w1[i] * v));
        a2 = (int32_t)((uint32_t)a2 + (uint32_t)(w2[i] * v));
        a3 = (int32_t)((uint32_t)a3 + (uint32_t)(w3[i] * v));
    }
    dsp_acc4 result = { a0, a1, a2, a3 };
    return result;
}

/// One Add input's table: t[v + 128] = MultiplyByQuantizedMultiplier(x, multiplier, shift) with
/// x = (v + offset) · 2^left_shift, for v in -128 ... 127, multiplier >= 0, shift in -31 ... 30, and every
/// |y| < 2^30 where y = x · 2^max(shift, 0) (AddInt8.fillTable checks). With r = max(-shift, 0) the entry is
/// SMMLAR(2y, multiplier, Ra) >> r, Ra = 2^(r-1) - [y < 0] for r >= 1 and 0 for r = 0: steps 1 and 2 of
/// AddInt8.fusedParameters' proof with acc = y. Returns the largest |entry|. About 10 instructions per entry on
/// Cortex-M4/M7 (SMMLAR) against about 25 for the general requantization; elsewhere the same 64-bit arithmetic.
static inline uint32_t dsp_add_table(int32_t *t, int32_t offset, int32_t left_shift, int32_t multiplier,
                                     int32_t shift) {
    int32_t k = left_shift + (shift > 0 ? shift : 0), r = shift > 0 ? 0 : -shift;
    int32_t c = r > 0 ? (int32_t)(1u << (r - 1)) : 0, sign = r > 0 ? -1 : 0;
    int32_t step = (int32_t)(2u << k), y2 = (int32_t)((uint32_t)(offset - 128) * (uint32_t)step);
    uint32_t largest = 0;
    for (int32_t i = 0; i < 256; i++, y2 = (int32_t)((uint32_t)y2 + (uint32_t)step)) {
        int32_t ra = c + ((y2 >> 31) & sign), h;
#if CINT8DSP_HAS_DSP
        __asm__ ("smmlar %[h], %[y], %[m], %[ra]" : [h] "=r"(h) : [y] "r"(y2), [m] "r"(multiplier), [ra] "r"(ra));
#else
        uint64_t sum = ((uint64_t)(uint32_t)ra << 32) + (uint64_t)((int64_t)y2 * (int64_t)multiplier) + 0x80000000u;
        h = (int32_t)(uint32_t)(sum >> 32);
#endif
        int32_t e = h >> r;
        uint32_t magnitude = e < 0 ? 0u - (uint32_t)e : (uint32_t)e;
        largest = magnitude > largest ? magnitude : largest;
        t[i] = e;
    }
    return largest;
}

#endif
