// Device-side check (QEMU Cortex-M4, DSP on): the inline-assembly kernels of cint8dsp.h against plain C
// definitions written here, on random inputs including the sizes the shipped models do not reach.
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
static int8_t w[4 * 150 + 4];
static int32_t acc[56];
static int failures = 0;
static void fail(const char *what, int64_t a, int64_t b) {
    if (failures++ < 10) { fw_write("MISMATCH "); fw_write(what); fw_write(" "); fw_write_int(a); fw_write(" "); fw_write_int(b); fw_write("\n"); }
}

void fw_main(void) {
    int32_t checks = 0;
    for (int round = 0; round < 3000; round++) {
        int32_t groups = (int32_t)(rnd() % 150);
        for (int i = 0; i < 4 * groups + 4; i++) w[i] = (int8_t)rnd();
        for (int i = 0; i < 6 * 150; i++) cols[i] = ((uint64_t)rnd() << 32) | rnd();
        int32_t start = (int32_t)rnd();
        // dsp_dot4: cols[4g + j]; dsp_dot6: cols[6g + j].
        dsp_acc4 a4 = dsp_dot4(w + (round & 3), cols, groups, start);
        dsp_acc6 a6 = dsp_dot6(w + (round & 3), cols, groups, start);
        int32_t r4[4], r6[6];
        for (int j = 0; j < 4; j++) {
            int32_t s = start;
            for (int g = 0; g < groups; g++) for (int t = 0; t < 4; t++)
                s = (int32_t)((uint32_t)s + (uint32_t)((int32_t)w[(round & 3) + 4 * g + t] * value_of(cols[4 * g + j], t)));
            r4[j] = s;
        }
        for (int j = 0; j < 6; j++) {
            int32_t s = start;
            for (int g = 0; g < groups; g++) for (int t = 0; t < 4; t++)
                s = (int32_t)((uint32_t)s + (uint32_t)((int32_t)w[(round & 3) + 4 * g + t] * value_of(cols[6 * g + j], t)));
            r6[j] = s;
        }
        if (a4.a0 != r4[0] || a4.a1 != r4[1] || a4.a2 != r4[2] || a4.a3 != r4[3]) fail("dot4", groups, a4.a0);
        if (a6.a0 != r6[0] || a6.a1 != r6[1] || a6.a2 != r6[2] || a6.a3 != r6[3] || a6.a4 != r6[4] || a6.a5 != r6[5])
            fail("dot6", groups, a6.a0);
        // dsp_dot_small: k <= 12 weights, count <= 56 positions, groups at stride 56.
        int32_t k = 1 + (int32_t)(rnd() % 12), count = 1 + (int32_t)(rnd() % 56);
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
        // dsp_add_tables (the SMMLAR loop, its head and tail) against the Add's output formula in 64-bit C.
        {
            static int32_t tables[512];
            static int8_t ax[80], az[80], ay[80];
            int32_t bound = (int32_t)(1u << (1 + rnd() % 29));
            for (int i = 0; i < 512; i++) tables[i] = (int32_t)(rnd() % (2u * (uint32_t)bound)) - bound;
            int32_t count = (int32_t)(rnd() % 70), ox = (int32_t)(rnd() % 4), oz = (int32_t)(rnd() % 4), oy = (int32_t)(rnd() % 4);
            for (int i = 0; i < 80; i++) { ax[i] = (int8_t)rnd(); az[i] = (int8_t)rnd(); ay[i] = 0x55; }
            int32_t m = (int32_t)(rnd() & 0x7FFFFFFF), r = 1 + (int32_t)(rnd() % 31), off = (int32_t)(rnd() % 256) - 128;
            if (round % 9 == 0) m = round & 1 ? 0x7FFFFFFF : 0;
            int64_t c64 = ((int64_t)1 << (r - 1)) + (int64_t)off * ((int64_t)1 << r);
            if ((c64 < 0 ? -c64 : c64) + 2 + bound > INT32_MAX) { off = 0; c64 = (int64_t)1 << (r - 1); }
            int32_t low = (int32_t)(rnd() % 256) - 128, high = (int32_t)(rnd() % 256) - 128;
            if (low > high) { int32_t t = low; low = high; high = t; }
            if (round % 4 == 0) { low = -128; high = 127; }
            dsp_add_tables(ax + ox, az + oz, ay + oy, count, tables + 128, tables + 384, m, (int32_t)c64, r, low, high);
            for (int i = 0; i < 80; i++) {
                int32_t expected = 0x55;
                if (i >= oy && i < oy + count) {
                    int32_t s2 = tables[128 + ax[ox + i - oy]] + tables[384 + az[oz + i - oy]];
                    int64_t ra = c64 + (s2 < 0 ? -1 : 0);
                    int64_t v = (ra * 4294967296ll + (int64_t)s2 * m + 2147483648ll) >> 32;
                    v >>= r;
                    v = v < -128 ? -128 : v > 127 ? 127 : v;
                    expected = (int32_t)(v < low ? low : v > high ? high : v);
                }
                if (ay[i] != (int8_t)expected) { fail("add_tables", count, i); break; }
            }
            checks++;
        }
        // dsp_window_sum4 (SXTAB16 halfword sums, widened every 256 pixels) and dsp_dense4 (SXTAB16 + SMLAD,
        // four rows) against plain sums, unaligned, with saturated values over windows longer than 256 pixels.
        {
            static int8_t px[4 * 700 + 8];
            int32_t sat = round % 5 == 0 ? (round & 1 ? 127 : -128) : 0;
            for (int i = 0; i < 4 * 700 + 8; i++) px[i] = sat ? (int8_t)sat : (int8_t)rnd();
            int32_t rows = 1 + (int32_t)(rnd() % 3), cols = 1 + (int32_t)(rnd() % (round % 3 == 0 ? 600 : 40));
            int32_t stride = 4 + (int32_t)(rnd() % 2), row_stride = cols * stride;
            if (rows * row_stride + 8 > 4 * 700 + 8) rows = 1;
            int32_t o = (int32_t)(rnd() % 4);
            dsp_acc4 s4 = dsp_window_sum4(px + o, rows, cols, row_stride, stride);
            int32_t e[4] = {0, 0, 0, 0};
            for (int r = 0; r < rows; r++) for (int q = 0; q < cols; q++) for (int k = 0; k < 4; k++)
                e[k] += px[o + r * row_stride + q * stride + k];
            if (s4.a0 != e[0] || s4.a1 != e[1] || s4.a2 != e[2] || s4.a3 != e[3]) fail("window_sum4", cols, s4.a0);
            int32_t n = 1 + (int32_t)(rnd() % 150), offset = (int32_t)(rnd() % 256) - 127;
            if (4 * n + 4 > 4 * 700) n = 150;
            dsp_acc4 d4 = dsp_dense4(px + o, n, (const int8_t *)w + (round & 3), offset);
            int32_t f[4] = {0, 0, 0, 0};
            for (int k = 0; k < 4; k++) for (int i = 0; i < n; i++)
                f[k] = (int32_t)((uint32_t)f[k] + (uint32_t)(px[o + k * n + i] * ((int32_t)w[(round & 3) + i] + offset)));
            if (d4.a0 != f[0] || d4.a1 != f[1] || d4.a2 != f[2] || d4.a3 != f[3]) fail("dense4", n, d4.a0);
            checks += 2;
        }
        // dsp_add_table (SMMLAR per entry) against TFLite's MultiplyByQuantizedMultiplier written out here.
        {
            static int32_t table[256];
            int32_t offset = (int32_t)(rnd() % 256) - 127, left_shift = (int32_t)(rnd() % 24);
            int32_t m = (int32_t)(rnd() & 0x7FFFFFFF), shift = (int32_t)(rnd() % 62) - 31;
            if (round % 7 == 0) m = round & 8 ? 0x7FFFFFFF : (round & 16 ? 0 : 1 << 30);
            int32_t k = left_shift + (shift > 0 ? shift : 0);
            int64_t reach = offset - 128 < 0 ? 128 - offset : offset - 128;
            if (offset + 127 > reach) reach = offset + 127;
            if (k <= 29 && reach < ((int64_t)1 << (30 - k))) {
                uint32_t largest = dsp_add_table(table, offset, left_shift, m, shift), expected_largest = 0;
                for (int v = -128; v < 128; v++) {
                    int32_t x = (v + offset) * (1 << left_shift);
                    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
                    int64_t p = (int64_t)(x * (1 << left)) * m;
                    int64_t nudged = p + (p >= 0 ? (1ll << 30) : 1 - (1ll << 30));
                    int32_t high = (int32_t)(nudged >= 0 ? nudged >> 31 : -((-nudged) >> 31));
                    int32_t mask = (int32_t)((1u << right) - 1u), threshold = (mask >> 1) + (high < 0);
                    int32_t e = (high >> right) + ((high & mask) > threshold);
                    uint32_t magnitude = e < 0 ? 0u - (uint32_t)e : (uint32_t)e;
                    if (magnitude > expected_largest) expected_largest = magnitude;
                    if (table[v + 128] != e) { fail("add_table", shift, v); break; }
                }
                if (largest != expected_largest) fail("add_table_largest", shift, (int64_t)largest);
                checks++;
            }
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
