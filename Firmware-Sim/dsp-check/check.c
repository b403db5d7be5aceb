// Device-side check (QEMU Cortex-M4, DSP on): the inline-assembly kernels of cint8dsp.h (dsp_pair3_loop, the small
// path's, the requantization) against plain C definitions written here, on random inputs including the sizes the
// shipped models do not reach.
#include <stdint.h>
#include "cint8dsp.h"
#include "firmware.h"
const uint8_t eq_model_start[4] = {0}, eq_model_end[1] = {0};

static uint32_t state = 12345;
static uint32_t rnd(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }
static int16_t half(uint64_t v, int i) { return (int16_t)(v >> (16 * i)); }
/// Column value t of group g word (layout (v0, v2), (v1, v3)).
static int32_t value_of(uint64_t word, int t) { static const int slot[4] = {0, 2, 1, 3}; return half(word, slot[t]); }

static uint64_t cols[6 * 150] __attribute__((aligned(8)));
static uint64_t small_cols[168] __attribute__((aligned(8)));
static int8_t w[4 * 150 + 4], pair_w[300 + 4];
static uint32_t widened[4 * 76];
static int32_t pair_a[25], pair_b[25];
static int32_t acc[56];
static int failures = 0;
static void fail(const char *what, int64_t a, int64_t b) {
    if (failures++ < 10) { fw_write("MISMATCH "); fw_write(what); fw_write(" "); fw_write_int(a); fw_write(" "); fw_write_int(b); fw_write("\n"); }
}

void fw_main(void) {
    int32_t checks = 0;
    for (int round = 0; round < 3000; round++) {
        for (int i = 0; i < 4 * 150 + 4; i++) w[i] = (int8_t)rnd();
        for (int i = 0; i < 6 * 150; i++) cols[i] = ((uint64_t)rnd() << 32) | rnd();
        int32_t start = (int32_t)rnd(), start_b = (int32_t)rnd();
        // dsp_pair3 (dsp_pair3_loop): channels A and B widened by dsp_widen_pair (any alignment, k not a multiple
        // of 4 included: groups mod 4 = 0...3), triples x 3 positions, position 3t + j's group g at
        // cols[3 (t pg + g) + j].
        int32_t k = 13 + (int32_t)(rnd() % 288), pg = (k + 3) / 4, triples = 1 + (int32_t)(rnd() % 8);
        if (round % 5 == 0) k = 4 * (4 + (int32_t)(rnd() % 8)), pg = k / 4;
        if (pg * 3 * triples > 6 * 150) triples = 6 * 150 / (pg * 3);
        const int8_t *wa = w + (round & 3), *wb = pair_w + (round >> 2 & 3);
        for (int i = 0; i < 300 + 4; i++) pair_w[i] = (int8_t)rnd();
        for (int i = 0; i < 25; i++) pair_a[i] = pair_b[i] = 0x5A5A5A5A;
        dsp_widen_pair(wa, wb, k, widened);
        dsp_pair3(widened, cols, pg, triples, start, start_b, pair_a, pair_b);
        for (int i = 0; i < 3 * triples; i++) {
            int32_t sa = start, sb = start_b;
            for (int t = 0; t < k; t++) {
                int32_t v = value_of(cols[3 * ((i / 3) * pg + t / 4) + i % 3], t % 4);
                sa = (int32_t)((uint32_t)sa + (uint32_t)((int32_t)wa[t] * v));
                sb = (int32_t)((uint32_t)sb + (uint32_t)((int32_t)wb[t] * v));
            }
            if (pair_a[i] != sa || pair_b[i] != sb) { fail("pair3", k, i); break; }
        }
        // The accumulators past 3 triples are untouched.
        if (pair_a[3 * triples] != 0x5A5A5A5A || pair_b[3 * triples] != 0x5A5A5A5A) fail("pair3 wrote past", k, triples);
        checks += 1;
        // dsp_dot_small: k <= 12 weights, count <= 56 positions, groups at stride 56.
        k = 1 + (int32_t)(rnd() % 12);
        int32_t count = 1 + (int32_t)(rnd() % 56);
        for (int i = 0; i < 168; i++) small_cols[i] = ((uint64_t)rnd() << 32) | rnd();
        dsp_dot_small(w, k, small_cols, count, start, acc);
        for (int j = 0; j < count; j++) {
            int32_t s = start;
            for (int t = 0; t < k; t++)
                s = (int32_t)((uint32_t)s + (uint32_t)((int32_t)w[t] * value_of(small_cols[56 * (t / 4) + j], t % 4)));
            if (acc[j] != s) fail("dot_small", k, j);
        }
        // dsp_small_column against gathering value by value.
        int8_t window[64]; int32_t offsets[12];
        for (int i = 0; i < 64; i++) window[i] = (int8_t)rnd();
        for (int t = 0; t < k; t++) offsets[t] = (int32_t)(rnd() % 64);
        dsp_small_column(window, offsets, k, small_cols);
        for (int t = 0; t < 12; t++) {
            int32_t expected = t < k ? window[offsets[t]] : 0;
            if (value_of(small_cols[56 * (t / 4)], t % 4) != expected) fail("small_column", k, t);
        }
        // dsp_requantize_negative_shift against the 64-bit formula.
        for (int i = 0; i < 50; i++) {
            int32_t x = (int32_t)rnd(), m = (int32_t)(rnd() & 0x7FFFFFFF), rsh = (int32_t)(rnd() % 31);
            if (i % 5 == 0) x = (int32_t)(rnd() % 20001) - 10000;
            if (i % 7 == 0) x = (i & 8) ? INT32_MIN : INT32_MAX;
            if (i % 11 == 0) m = (i & 16) ? 0x7FFFFFFF : 0;
            uint32_t lo = rsh == 0 ? 0xC0000000u : 0x40000000u; int32_t hi = (1 << rsh) >> 1;
            int64_t v = (int64_t)x * m + (int64_t)(((uint64_t)(uint32_t)hi << 32) | lo) - (x < 0 ? (1ll << 31) : 0);
            int32_t expected = (int32_t)(v >> 32) >> rsh;
            int32_t got = dsp_requantize_negative_shift(x, m, lo, hi, rsh);
            if (got != expected) fail("requantize", x, got);
            checks++;
        }
        checks += 4;
    }
    fw_write(failures ? "FAILED " : "ok ");
    fw_write_int(checks);
    fw_write(" checks, dsp ");
    fw_write_int(dsp_available());
    fw_write("\n");
    fw_exit(failures ? 1 : 0);
}
