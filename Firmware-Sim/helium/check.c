// Device-side check (QEMU mps3-an547, Cortex-M55 with MVE): the Helium kernels of helium.c against plain C
// written here loop for loop as Int8Runtime's reference kernels (ConvInt8.reference / withMaxPool, AddInt8.reference,
// FullyConnectedInt8.reference, FixedPoint.swift), over seeded random shapes, values and requantization constants,
// including the ties and extremes the double rounding has to get right. Prints "ok N" or the first mismatches.
#include <stdint.h>
#include "firmware.h"
#include "helium.c" // the kernels and their static requantize4, to check it on its own too
const uint8_t eq_model_start[4] = {0}, eq_model_end[1] = {0};

static uint32_t state = 2463534242u;
static uint32_t rnd(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }
static int32_t range(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }

// MARK: the reference (FixedPoint.swift)

static int32_t srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) return INT32_MAX;
    int64_t product = (int64_t)a * b;
    int64_t nudged = product + (product >= 0 ? (1ll << 30) : (1 - (1ll << 30)));
    int64_t quotient = nudged >= 0 ? nudged >> 31 : -((-nudged) >> 31);
    return (int32_t)quotient;
}
static int32_t rdivpot(int32_t x, int32_t e) {
    int32_t mask = (int32_t)((1u << e) - 1u), remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (remainder > threshold ? 1 : 0);
}
static int32_t mbqm(int32_t x, int32_t m, int32_t s) {
    int32_t left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
    return rdivpot(srdhm((int32_t)((uint32_t)x << left), m), right);
}
static int8_t clamp8(int32_t v, int32_t lo, int32_t hi) { v = v < lo ? lo : v; v = v > hi ? hi : v; return (int8_t)v; }

static int8_t conv_value(const eqh_conv_params *c, int32_t oy, int32_t ox, int32_t oc) {
    int32_t iy0 = oy * c->stride_y - c->pad_top, ix0 = ox * c->stride_x - c->pad_left;
    uint32_t acc = 0;
    for (int32_t ky = 0; ky < c->kh; ky++) {
        int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= c->in_h) continue;
        for (int32_t kx = 0; kx < c->kw; kx++) {
            int32_t ix = ix0 + kx;
            if (ix < 0 || ix >= c->in_w) continue;
            const int8_t *xr = c->x + (iy * c->in_w + ix) * c->cin, *wr = c->w + ((oc * c->kh + ky) * c->kw + kx) * c->cin;
            for (int32_t ic = 0; ic < c->cin; ic++) acc += (uint32_t)((int32_t)wr[ic] * ((int32_t)xr[ic] + c->input_offset));
        }
    }
    if (c->bias) acc += (uint32_t)c->bias[oc];
    int32_t v = (int32_t)((uint32_t)mbqm((int32_t)acc, c->multipliers[oc], c->shifts[oc]) + (uint32_t)c->output_offset);
    return clamp8(v, c->act_min, c->act_max);
}

static void conv_reference(const eqh_conv_params *c, int8_t *y) {
    for (int32_t oy = 0; oy < c->out_h; oy++)
        for (int32_t ox = 0; ox < c->out_w; ox++)
            for (int32_t oc = 0; oc < c->cout; oc++) {
                int8_t best = -128;
                if (c->pool_h == 0) best = conv_value(c, oy, ox, oc);
                for (int32_t dy = 0; dy < c->pool_h; dy++)
                    for (int32_t dx = 0; dx < c->pool_w; dx++) {
                        int8_t v = conv_value(c, oy * c->pool_stride_y + dy, ox * c->pool_stride_x + dx, oc);
                        if (v > best) best = v;
                    }
                y[(oy * c->out_w + ox) * c->cout + oc] = best;
            }
}

// MARK: random cases

static int32_t multiplier(void) {
    switch (rnd() % 4) {
    case 0: return 0x40000000; // a·m/2^31 = a/2: a tie for every odd a
    case 1: return range(0, 3) == 0 ? 0x7FFFFFFF : (int32_t)(rnd() >> 1);
    default: return 0x40000000 + (int32_t)(rnd() % 0x40000000u); // the quantizer's range [2^30, 2^31)
    }
}
static int32_t shift(void) { return rnd() % 8 == 0 ? range(-31, 30) : range(-12, 2); }

static int8_t x[16 * 16 * 48], w[80 * EQH_MAX_K], y[16 * 16 * 80 + 16], r[16 * 16 * 80 + 16];
static int32_t bias[80], mults[80], shifts[80];
// Which conv path the cases took (the conditions of eqh_conv): the assembly tiles (k <= 16 or the loop, pooled or
// not) and the general C tile.
static int fast_cases, small_cases, pooled_cases, general_cases, add_scalar_cases;
static int failures = 0;
static void fail(const char *what, int64_t a, int64_t b) {
    if (failures++ < 10) { fw_write("MISMATCH "); fw_write(what); fw_write(" "); fw_write_int(a); fw_write(" "); fw_write_int(b); fw_write("\n"); }
}

static void check_requantize(void) {
    static const int32_t edges[] = {0, 1, -1, 2, -2, 3, -3, INT32_MIN, INT32_MAX, INT32_MIN + 1, 0x40000000, -0x40000000};
    for (int round = 0; round < 20000; round++) {
        int32_t v[4], m[4], s[4];
        for (int i = 0; i < 4; i++) {
            v[i] = rnd() % 3 == 0 ? edges[rnd() % 12] : rnd() % 2 ? (int32_t)rnd() : range(-5000, 5000);
            m[i] = rnd() % 5 == 0 ? edges[rnd() % 12] & 0x7FFFFFFF : multiplier();
            s[i] = shift();
        }
        int32_t out[4];
        vst1q_s32(out, requantize4(vld1q_s32(v), vld1q_s32(m), vld1q_s32(s)));
        for (int i = 0; i < 4; i++)
            if (out[i] != mbqm(v[i], m[i], s[i])) fail("requantize (x, m) ", v[i], m[i]);
    }
}

static void check_conv(int round) {
    eqh_conv_params c = {0};
    c.kh = range(1, 5); c.kw = range(1, 5); c.cin = rnd() % 3 ? range(1, 48) : range(1, 4);
    c.cout = rnd() % 8 == 0 ? range(49, 80) : range(1, 48); // past 64 (40 for k <= 16): channel chunks
    c.stride_y = range(1, 3); c.stride_x = range(1, 3);
    c.pad_top = range(0, c.kh - 1); c.pad_left = range(0, c.kw - 1);
    c.in_h = range(1, 16); c.in_w = range(1, 16);
    int32_t conv_h = (c.in_h + 2 * c.pad_top - c.kh) / c.stride_y + 1, conv_w = (c.in_w + 2 * c.pad_left - c.kw) / c.stride_x + 1;
    if (c.in_h + 2 * c.pad_top < c.kh || c.in_w + 2 * c.pad_left < c.kw) return;
    if (c.kh * c.kw * c.cin > EQH_MAX_K) c.cin = EQH_MAX_K / (c.kh * c.kw);
    c.out_h = conv_h; c.out_w = conv_w;
    if (rnd() % 3 == 0) {
        c.pool_h = range(1, 3); c.pool_w = range(1, 3); c.pool_stride_y = range(1, 2); c.pool_stride_x = range(1, 2);
        if (rnd() % 2) c.pool_h = c.pool_w = c.pool_stride_y = c.pool_stride_x = 2; // the models' 2x2 pool
        if (conv_h < c.pool_h || conv_w < c.pool_w) return;
        c.out_h = (conv_h - c.pool_h) / c.pool_stride_y + 1; c.out_w = (conv_w - c.pool_w) / c.pool_stride_x + 1;
    }
    int32_t k = c.kh * c.kw * c.cin;
    for (int32_t i = 0; i < c.in_h * c.in_w * c.cin; i++) x[i] = (int8_t)rnd();
    for (int32_t i = 0; i < c.cout * k; i++) w[i] = rnd() % 4 == 0 ? (int8_t)range(-128, -120) : (int8_t)rnd();
    for (int32_t i = 0; i < c.cout; i++) { bias[i] = rnd() % 2 ? range(-100000, 100000) : (int32_t)rnd(); mults[i] = multiplier(); shifts[i] = shift(); }
    if (rnd() % 2) for (int32_t i = 0; i < c.cout; i++) shifts[i] = range(-12, -1); // the kernel's all-negative path
    c.x = x; c.w = w; c.bias = rnd() % 5 ? bias : 0; c.multipliers = mults; c.shifts = shifts;
    c.input_offset = range(-127, 128); c.output_offset = range(-128, 127);
    c.act_min = rnd() % 2 ? -128 : range(-128, 0); c.act_max = rnd() % 2 ? 127 : range(c.act_min, 127);
    int32_t size = c.out_h * c.out_w * c.cout;
    for (int32_t i = 0; i < size + 16; i++) { y[i] = 0x55; r[i] = 0x55; }
    c.y = y;
    if (eqh_conv(&c) != 0) { fail("conv declined k", k, c.cout); return; }
    int negative = 1;
    for (int32_t i = 0; i < c.cout; i++) negative &= shifts[i] < 0;
    if (negative && k <= EQH_FAST_MAX_K && (c.pool_h == 0 || (c.pool_h == 2 && c.pool_w == 2))) {
        fast_cases++; small_cases += k <= 16; pooled_cases += c.pool_h != 0;
    } else {
        general_cases++;
    }
    conv_reference(&c, r);
    for (int32_t i = 0; i < size + 16; i++)
        if (y[i] != r[i]) { fail("conv (round, index)", round, i); return; }
}

static void check_add(int round) {
    eqh_add_params a = {0};
    a.count = rnd() % 4 == 0 ? range(1, 9) : range(1, 3000);
    for (int32_t i = 0; i < a.count; i++) { x[i] = (int8_t)rnd(); w[i] = (int8_t)rnd(); }
    a.x = x; a.z = w; a.y = y;
    a.offset1 = range(-127, 128); a.offset2 = range(-127, 128); a.output_offset = range(-128, 127);
    a.multiplier1 = multiplier(); a.multiplier2 = multiplier(); a.output_multiplier = multiplier();
    a.shift1 = shift(); a.shift2 = shift(); a.output_shift = shift();
    if (rnd() % 3 == 0) a.shift1 = 0; // the models' case: the input with the larger scale has shift 0
    if (rnd() % 3 == 0) a.shift2 = 0;
    add_scalar_cases += a.multiplier1 >= 0 && a.multiplier2 >= 0 && a.output_multiplier >= 0 && a.shift1 <= 0 &&
                        a.shift2 <= 0 && a.output_shift < 0;
    a.left_shift = rnd() % 8 == 0 ? range(-31, 30) : 20;
    a.act_min = rnd() % 2 ? -128 : range(-128, 0); a.act_max = rnd() % 2 ? 127 : range(a.act_min, 127);
    for (int32_t i = 0; i < a.count + 8; i++) y[i] = 0x55;
    eqh_add(&a);
    const int32_t factor = a.left_shift >= 0 ? (int32_t)(1u << a.left_shift) : 0;
    for (int32_t i = 0; i < a.count + 8; i++) {
        int8_t want = 0x55;
        if (i < a.count) {
            int32_t p = (int32_t)((uint32_t)(x[i] + a.offset1) * (uint32_t)factor), q = (int32_t)((uint32_t)(w[i] + a.offset2) * (uint32_t)factor);
            int32_t sum = (int32_t)((uint32_t)mbqm(p, a.multiplier1, a.shift1) + (uint32_t)mbqm(q, a.multiplier2, a.shift2));
            want = clamp8((int32_t)((uint32_t)mbqm(sum, a.output_multiplier, a.output_shift) + (uint32_t)a.output_offset), a.act_min, a.act_max);
        }
        if (y[i] != want) { fail("add (round, index)", round, i); return; }
    }
}

static void check_fc(int round) {
    eqh_fc_params f = {0};
    f.n = range(1, 2000); f.m = range(1, (int32_t)(sizeof w / (uint32_t)f.n) < 40 ? (int32_t)(sizeof w / (uint32_t)f.n) : 40);
    for (int32_t i = 0; i < f.n; i++) x[i] = (int8_t)rnd();
    for (int32_t i = 0; i < f.n * f.m; i++) w[i] = (int8_t)rnd();
    for (int32_t i = 0; i < f.m; i++) { bias[i] = (int32_t)rnd(); mults[i] = multiplier(); shifts[i] = shift(); }
    f.x = x; f.w = w; f.bias = rnd() % 5 ? bias : 0; f.multipliers = mults; f.shifts = shifts; f.y = y;
    f.input_offset = range(-128, 127); f.output_offset = range(-128, 127);
    f.act_min = rnd() % 2 ? -128 : range(-128, 0); f.act_max = rnd() % 2 ? 127 : range(f.act_min, 127);
    for (int32_t i = 0; i < f.m + 8; i++) y[i] = 0x55;
    if (eqh_fully_connected(&f) != 0) { fail("fc declined", f.n, f.m); return; }
    for (int32_t o = 0; o < f.m + 8; o++) {
        int8_t want = 0x55;
        if (o < f.m) {
            uint32_t acc = 0;
            for (int32_t i = 0; i < f.n; i++) acc += (uint32_t)((int32_t)w[o * f.n + i] * ((int32_t)x[i] + f.input_offset));
            if (f.bias) acc += (uint32_t)f.bias[o];
            want = clamp8((int32_t)((uint32_t)mbqm((int32_t)acc, mults[o], shifts[o]) + (uint32_t)f.output_offset), f.act_min, f.act_max);
        }
        if (y[o] != want) { fail("fc (round, output)", round, o); return; }
    }
}

void fw_main(void) {
    check_requantize();
    int rounds = 400;
    for (int round = 0; round < rounds; round++) { check_conv(round); check_add(round); check_fc(round); }
    if (failures) { fw_write("FAILED "); fw_write_int(failures); fw_write("\n"); fw_exit(1); }
    fw_write("ok: requantize 80000 lanes, conv/add/fully-connected 400 random cases each (conv: assembly tiles ");
    fw_write_int(fast_cases); fw_write(", of which k <= 16 "); fw_write_int(small_cases); fw_write(" and 2x2-pooled ");
    fw_write_int(pooled_cases); fw_write("; general C tile "); fw_write_int(general_cases);
    fw_write("; add: scalar requantization "); fw_write_int(add_scalar_cases); fw_write(")\n");
    fw_exit(0);
}
