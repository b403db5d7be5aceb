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

// Four weights as one little-endian word (any alignment): the portable loops' load (always inlined: without it the
// Cortex-M3 build ran 4% more instructions).
static inline __attribute__((always_inline)) uint32_t dsp_weights4(const int8_t *w) {
    return (uint32_t)(uint8_t)w[0] | (uint32_t)(uint8_t)w[1] << 8 | (uint32_t)(uint8_t)w[2] << 16
        | (uint32_t)(uint8_t)w[3] << 24;
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

/// One job of dsp_pair3: two output channels (A, B) at `triples` x 3 output positions. The field order is the
/// stack frame dsp_pair3_loop builds (do not reorder).
typedef struct {
    /// The triples' int16 columns: triple t, group g (4 values as the halfword pairs (v0, v2), (v1, v3)),
    /// position j of the triple at the 64-bit word cols[3 (t groups + g) + j] (4-byte aligned at least).
    const uint64_t *cols;
    /// The widened weights: per group the words (A lo, A hi, B lo, B hi), SXTB16 and SXTB16-ROR-8 of each
    /// channel's 4 weights (4-byte aligned), and one past the last group.
    const uint32_t *weights, *weights_end;
    /// (groups & 3) << 30: the loop's entry test (bit 1 to C, bit 0 to N after one LSLS).
    uint32_t rest;
    /// Each accumulator's start.
    int32_t start_a, start_b;
    /// Where the sums go: position 3t + j of A at acc_a[3t + j], of B at acc_b[3t + j]; acc_a_end = acc_a + 3 triples.
    int32_t *acc_a, *acc_b, *acc_a_end;
} dsp_pair_job;

#if CINT8DSP_HAS_DSP
/// dsp_pair3's loop on Cortex-M4/M7 (a naked function, out of line, so that it may use all 14 registers; the job
/// is copied to the stack as its frame): r0 weights, r1 columns, r2-r5 one group's four weight words (both
/// channels), r6-r7 one position's column word pair, r8-r10 channel A's and r11, r12, lr channel B's three
/// accumulators. Per group of 4 k-values: LDM of 4 weight words, then per position LDM of 2 column words and 4
/// SMLAD: 1 + 4 + 3 (1 + 2) + 12 = 26 cycles for 24 MACs on Cortex-M4, each loaded word feeding two SMLADs.
/// Four groups per branch (the groups mod 4 first); needs groups >= 4 and triples >= 1.
#define CINT8DSP_PAIR_GROUP \
    "ldmia r0!, {r2, r3, r4, r5}\n\t" \
    "ldmia r1!, {r6, r7}\n\t" \
    "smlad r8, r2, r6, r8\n\t" \
    "smlad r8, r3, r7, r8\n\t" \
    "smlad r11, r4, r6, r11\n\t" \
    "smlad r11, r5, r7, r11\n\t" \
    "ldmia r1!, {r6, r7}\n\t" \
    "smlad r9, r2, r6, r9\n\t" \
    "smlad r9, r3, r7, r9\n\t" \
    "smlad r12, r4, r6, r12\n\t" \
    "smlad r12, r5, r7, r12\n\t" \
    "ldmia r1!, {r6, r7}\n\t" \
    "smlad r10, r2, r6, r10\n\t" \
    "smlad r10, r3, r7, r10\n\t" \
    "smlad lr, r4, r6, lr\n\t" \
    "smlad lr, r5, r7, lr\n\t"
__attribute__((naked, noinline)) static void dsp_pair3_loop(const dsp_pair_job *job) {
    __asm__ volatile (
        "push {r4-r11, lr}\n\t"
        "ldmia r0, {r1-r9}\n\t"
        "push {r2-r9}\n\t"
        // Frame: [sp] weights, +4 weights_end, +8 rest, +12 start_a, +16 start_b, +20 acc_a, +24 acc_b,
        // +28 acc_a_end.
        "5:\n\t"
        "ldr r0, [sp]\n\t"
        "ldrd r2, r3, [sp, #12]\n\t"
        "mov r8, r2\n\t"
        "mov r9, r2\n\t"
        "mov r10, r2\n\t"
        "mov r11, r3\n\t"
        "mov r12, r3\n\t"
        "mov lr, r3\n\t"
        "ldr r4, [sp, #8]\n\t"
        "lsls r4, r4, #1\n\t"
        "bpl 2f\n\t"
        CINT8DSP_PAIR_GROUP
        "2:\n\t"
        "bcc 1f\n\t"
        CINT8DSP_PAIR_GROUP
        CINT8DSP_PAIR_GROUP
        "1:\n\t"
        CINT8DSP_PAIR_GROUP
        CINT8DSP_PAIR_GROUP
        CINT8DSP_PAIR_GROUP
        CINT8DSP_PAIR_GROUP
        "ldr r6, [sp, #4]\n\t"
        "cmp r0, r6\n\t"
        "bne 1b\n\t"
        "ldrd r2, r3, [sp, #20]\n\t"
        "stmia r2!, {r8, r9, r10}\n\t"
        "stmia r3!, {r11, r12, lr}\n\t"
        "strd r2, r3, [sp, #20]\n\t"
        "ldr r4, [sp, #28]\n\t"
        "cmp r2, r4\n\t"
        "bne 5b\n\t"
        "add sp, sp, #32\n\t"
        "pop {r4-r11, pc}\n\t");
}
#undef CINT8DSP_PAIR_GROUP
#endif

/// dsp_pair3's portable loop (the host, Cortex-M3; on Cortex-M4/M7 only for groups < 4, which the pair path never
/// has): out of line, so that each of the pass's six specializations does not carry a copy (2.3 KB of Cortex-M4
/// firmware).
static inline __attribute__((noinline)) void dsp_pair3_c(const uint32_t *weights, const uint64_t *cols, int32_t groups,
                                                         int32_t triples, int32_t start_a, int32_t start_b, int32_t *acc_a,
                                                         int32_t *acc_b) {
    // One channel at a time: three accumulators and one weight pair live (both channels at once: 2% more estimated
    // cycles for the shipped models on Cortex-M3, which runs this loop).
    for (int32_t ch = 0; ch < 2; ch++) {
        const uint64_t *c = cols;
        int32_t start = ch ? start_b : start_a, *acc = ch ? acc_b : acc_a;
        for (int32_t t = 0; t < triples; t++) {
            int32_t a0 = start, a1 = start, a2 = start;
            for (int32_t g = 0; g < groups; g++, c += 3) {
                uint32_t lo = weights[4 * g + 2 * ch], hi = weights[4 * g + 2 * ch + 1];
                a0 = dsp_smlad(hi, (uint32_t)(c[0] >> 32), dsp_smlad(lo, (uint32_t)c[0], a0));
                a1 = dsp_smlad(hi, (uint32_t)(c[1] >> 32), dsp_smlad(lo, (uint32_t)c[1], a1));
                a2 = dsp_smlad(hi, (uint32_t)(c[2] >> 32), dsp_smlad(lo, (uint32_t)c[2], a2));
            }
            acc[3 * t] = a0; acc[3 * t + 1] = a1; acc[3 * t + 2] = a2;
        }
    }
}

/// Two output channels at `triples` x 3 positions (the layouts of dsp_pair_job, built here from the arguments):
/// acc_a[i] = start_a + the dot product of channel A's widened weights with position i's column, the same for B,
/// over `groups` groups, wrapping modulo 2^32. On Cortex-M4/M7 dsp_pair3_loop (groups >= 4); dsp_pair3_c otherwise,
/// with the same bits.
static inline void dsp_pair3(const uint32_t *weights, const uint64_t *cols, int32_t groups, int32_t triples,
                             int32_t start_a, int32_t start_b, int32_t *acc_a, int32_t *acc_b) {
    if (triples <= 0) return;
#if CINT8DSP_HAS_DSP
    if (groups >= 4) {
        dsp_pair_job job = { cols, weights, weights + 4 * groups, ((uint32_t)groups & 3u) << 30, start_a, start_b,
                             acc_a, acc_b, acc_a + 3 * triples };
        dsp_pair3_loop(&job);
        return;
    }
#endif
    dsp_pair3_c(weights, cols, groups, triples, start_a, start_b, acc_a, acc_b);
}

/// Widens `groups` groups of channel A's and B's int8 weights (any alignment; the last group from the `k` mod 4
/// remaining bytes only, zeros above: nothing past a channel's k weights is read) into dsp_pair3's weight words.
/// Out of line (once per channel pair and pass): inlined into the six specializations of the pair pass it made the
/// Cortex-M4 firmware 3 KB larger for 0.4% fewer estimated cycles on ResNet-8.
static inline __attribute__((noinline)) void dsp_widen_pair(const int8_t *a, const int8_t *b, int32_t k, uint32_t *to) {
    int32_t full = k >> 2;
    for (int32_t g = 0; g < full; g++, to += 4) {
        uint32_t x, y;
        __builtin_memcpy(&x, a + 4 * g, 4);  // one LDR where unaligned words load (ARMv7-M, the host)
        __builtin_memcpy(&y, b + 4 * g, 4);
        to[0] = dsp_sxtb16(x); to[1] = dsp_sxtb16_ror8(x); to[2] = dsp_sxtb16(y); to[3] = dsp_sxtb16_ror8(y);
    }
    if (k & 3) {
        uint32_t x = 0, y = 0;
        for (int32_t t = 4 * full; t < k; t++) {
            x |= (uint32_t)(uint8_t)a[t] << (8 * (t & 3));
            y |= (uint32_t)(uint8_t)b[t] << (8 * (t & 3));
        }
        to[0] = dsp_sxtb16(x); to[1] = dsp_sxtb16_ror8(x); to[2] = dsp_sxtb16(y); to[3] = dsp_sxtb16_ror8(y);
    }
}

/// One channel of at most 12 int8 weights `w` (k of them) at `count` positions: acc[j] = start + the dot product
/// of the weights with position j's int16 column, whose group g (values 4g ... 4g + 3 as the halfword pairs
/// (v0, v2), (v1, v3); zeros past k) is the 64-bit word cols[56 g + j] (8-byte aligned). The weights are widened
/// once into registers (the last word assembled from the remaining bytes only); per position 3 LDRD and 6 SMLAD
/// on Cortex-M4/M7 (inline assembly). Wrapping arithmetic; the same bits in the C fallback.
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

#endif
