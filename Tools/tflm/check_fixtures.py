#!/usr/bin/env python3
"""Recomputes every TFLM fixture with a plain integer model of the reference
kernels (the formulas written down in README.md) and compares each op's
output with what TFLite Micro produced.

    python3 Tools/tflm/check_fixtures.py [Tests/Fixtures/tflm]

Needs numpy only. Exit code 0 when every recorded value is reproduced.
For MEAN it also tries the older float formula of TFLite's reduce.h
(QuantizedMeanOrSum with float_mean * scale + bias), to show which one this
TFLM build runs.
"""

import base64
import glob
import json
import math
import os
import sys

import numpy as np

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def int8s(v):
    """An int8 array stored as a JSON list or as the base64 of its bytes (make_fixtures.py's COMPACT cases)."""
    if isinstance(v, str):
        return np.frombuffer(base64.b64decode(v), dtype=np.int8).astype(np.int64)
    return np.asarray(v, dtype=np.int64)


# ------------------------------------------------ fixed-point primitives ----

def quantize_multiplier(m):
    """tflite QuantizeMultiplier: frexp, round half away from zero, 2^31 overflow fix."""
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    q_fixed = int(math.floor(abs(q) * (1 << 31) + 0.5)) * (1 if q >= 0 else -1)
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def srdhm(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul, vectorised (int64 arrays)."""
    a = np.asarray(a, dtype=np.int64)
    ab = a * np.int64(b)
    nudge = np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    s = ab + nudge
    res = np.where(s >= 0, s >> 31, -((-s) >> 31))           # C++ '/' truncates toward zero
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    return np.where(overflow, INT32_MAX, res)


def rdbpot(x, exponent):
    """gemmlowp RoundingDivideByPOT (round half away from zero)."""
    x = np.asarray(x, dtype=np.int64)
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0).astype(np.int64)
    return (x >> exponent) + (remainder > threshold).astype(np.int64)


def mbqm(x, m, shift):
    """MultiplyByQuantizedMultiplier, double-rounding (TFLITE_SINGLE_ROUNDING off)."""
    left = shift if shift > 0 else 0
    right = -shift if shift < 0 else 0
    x = np.asarray(x, dtype=np.int64) * (1 << left)
    assert np.all((x >= INT32_MIN) & (x <= INT32_MAX)), "int32 overflow before SRDHM"
    return rdbpot(srdhm(x, m), right)


def mbqm_smaller_than_one_exp(x, m, left_shift):
    return rdbpot(srdhm(x, m), -left_shift)


def f32(x):
    return float(np.float32(x))


def activation_range(act, scale, zp):
    def q(f):   # zero_point + round(f / scale) with float arithmetic, as CalculateActivationRangeQuantized
        r = np.float32(f) / np.float32(scale)
        return zp + int(math.floor(abs(float(r)) + 0.5)) * (1 if r >= 0 else -1)
    lo, hi = -128, 127
    if act == "RELU":
        return max(lo, q(0.0)), hi
    if act == "RELU6":
        return max(lo, q(0.0)), min(hi, q(6.0))
    if act == "RELU_N1_TO_1":
        return max(lo, q(-1.0)), min(hi, q(1.0))
    assert act == "NONE", act
    return lo, hi


def same_or_valid(in_size, filt, stride, padding, dilation=1):
    eff = (filt - 1) * dilation + 1
    if padding == "SAME":
        out = (in_size + stride - 1) // stride
    else:
        out = (in_size - eff + stride) // stride
    pad = max(((out - 1) * stride + eff - in_size) // 2, 0)
    return out, pad


# ------------------------------------------------------------------ ops ----

def conv2d(op, x, tin, tout):
    _, H, W, C = tin["shape"]
    O, KH, KW, I = op["filter_shape"]
    assert I == C
    sy, sx = op["stride"]
    dy, dx = op.get("dilation", [1, 1])
    OH, pad_h = same_or_valid(H, KH, sy, op["padding"], dy)
    OW, pad_w = same_or_valid(W, KW, sx, op["padding"], dx)
    assert [1, OH, OW, O] == tout["shape"], (tout["shape"], OH, OW)
    w = int8s(op["filter"]).reshape(O, KH, KW, I)
    xin = x.reshape(H, W, C).astype(np.int64) - tin["zero_point"]
    # zero-padding in the offset domain == skipping out-of-bounds taps (what the reference loop does)
    padded = np.zeros((H + KH * dy + OH * sy, W + KW * dx + OW * sx, C), dtype=np.int64)
    padded[pad_h:pad_h + H, pad_w:pad_w + W] = xin
    acc = np.zeros((OH, OW, O), dtype=np.int64)
    for ky in range(KH):
        for kx in range(KW):
            patch = padded[ky * dy: ky * dy + OH * sy: sy, kx * dx: kx * dx + OW * sx: sx][:OH, :OW]
            acc += patch @ w[:, ky, kx, :].T
    return requantize_per_channel(op, acc, tin, tout)


def requantize_per_channel(op, acc, tin, tout):
    O = op["filter_shape"][0]
    if op["bias"] is not None:
        acc = acc + np.array(op["bias"], dtype=np.int64)
    assert np.all((acc >= INT32_MIN) & (acc <= INT32_MAX))
    scales = op["filter_scales"]
    out = np.empty_like(acc)
    for c in range(O):
        fs = scales[c] if len(scales) > 1 else scales[0]
        m, s = quantize_multiplier(tin["scale"] * fs / tout["scale"])   # all doubles of float32 values
        out[..., c] = mbqm(acc[..., c], m, s)
    out += tout["zero_point"]
    lo, hi = activation_range(op["activation"], tout["scale"], tout["zero_point"])
    return np.clip(out, lo, hi)


def fully_connected(op, x, tin, tout):
    O, I = op["filter_shape"]
    w = int8s(op["filter"]).reshape(O, I)
    zps = op["filter_zero_points"]
    assert all(z == 0 for z in zps)
    xin = x.reshape(-1, I).astype(np.int64) - tin["zero_point"]
    acc = xin @ w.T
    return requantize_per_channel(op, acc, tin, tout)


def pool(op, x, tin, tout):
    _, H, W, C = tin["shape"]
    fh, fw = op["filter_size"]
    sy, sx = op["stride"]
    OH, pad_h = same_or_valid(H, fh, sy, op["padding"])
    OW, pad_w = same_or_valid(W, fw, sx, op["padding"])
    assert [1, OH, OW, C] == tout["shape"]
    assert tin["scale"] == tout["scale"] and tin["zero_point"] == tout["zero_point"]
    xin = x.reshape(H, W, C).astype(np.int64)
    lo, hi = activation_range(op["activation"], tout["scale"], tout["zero_point"])
    out = np.empty((OH, OW, C), dtype=np.int64)
    for oy in range(OH):
        for ox in range(OW):
            y0, x0 = oy * sy - pad_h, ox * sx - pad_w
            win = xin[max(y0, 0):min(y0 + fh, H), max(x0, 0):min(x0 + fw, W)].reshape(-1, C)
            if op["op"] == "MAX_POOL_2D":
                out[oy, ox] = win.max(axis=0)
            else:
                n = win.shape[0]                       # only in-bounds taps count
                acc = win.sum(axis=0)
                out[oy, ox] = np.where(acc > 0, (acc + n // 2) // n, -((-(acc - n // 2)) // n))
    return np.clip(out, lo, hi)


def reduced_sum(op, x, tin):
    """The int64 sum over the Mean op's axes, and how many elements each sum holds."""
    shape = tin["shape"]
    axes = [a % len(shape) for a in op["axes"]]
    n = int(np.prod([shape[a] for a in axes]))
    return x.reshape(shape).astype(np.int64).sum(axis=tuple(axes)), n


def mean(op, x, tin, tout):
    total, n = reduced_sum(op, x, tin)
    m, s = quantize_multiplier(tin["scale"] / tout["scale"])
    k = min(n.bit_length() - 1, 32, 31 + s)
    m2 = (m << k) // n
    s2 = s - k
    out = mbqm(total - tin["zero_point"] * n, m2, s2) + tout["zero_point"]
    return np.clip(out, -128, 127)


def mean_old_float(op, x, tin, tout):
    """The pre-2025 TFLite/TFLM formula, for comparison only."""
    total, n = reduced_sum(op, x, tin)
    scale = np.float32(tin["scale"]) / np.float32(tout["scale"])
    bias = np.float32(-tin["zero_point"]) * scale
    fm = total.astype(np.float32) / np.float32(n)
    v = fm * scale + bias
    r = np.where(v >= 0, np.floor(v + np.float32(0.5)), -np.floor(-v + np.float32(0.5)))   # std::round
    return np.clip(r + tout["zero_point"], -128, 127).astype(np.int64)


def add(op, a, b, ta, tb, tout):
    left_shift = 20
    twice_max = 2 * max(ta["scale"], tb["scale"])
    m1, s1 = quantize_multiplier(ta["scale"] / twice_max)
    m2, s2 = quantize_multiplier(tb["scale"] / twice_max)
    mo, so = quantize_multiplier(twice_max / ((1 << left_shift) * tout["scale"]))
    x1 = (a.astype(np.int64) - ta["zero_point"]) * (1 << left_shift)
    x2 = (b.astype(np.int64) - tb["zero_point"]) * (1 << left_shift)
    raw = mbqm_smaller_than_one_exp(x1, m1, s1) + mbqm_smaller_than_one_exp(x2, m2, s2)
    out = mbqm_smaller_than_one_exp(raw, mo, so) + tout["zero_point"]
    lo, hi = activation_range(op["activation"], tout["scale"], tout["zero_point"])
    return np.clip(out, lo, hi)


def softmax(op, x, tin, tout):
    """int8 SOFTMAX (TFLM reference_ops::Softmax, gemmlowp fixed point): Prepare's beta multiplier and diff_min,
    exp of the Q5.26 differences to the row maximum in Q0.31, sum in Q12.19, reciprocal, output 1/256 from -128."""
    assert tout["scale"] == 1.0 / 256 and tout["zero_point"] == -128
    i32 = lambda v: int(np.asarray(v).reshape(-1)[0])
    mul = lambda a, b: i32(srdhm(np.int64(a), b))
    div = lambda a, e: i32(rdbpot(np.int64(a), e))

    def shl_sat(v, e):
        t = (1 << (31 - e)) - 1
        return INT32_MAX if v > t else INT32_MIN if v < -t else v << e

    def exp_quarter(a):   # exp on [-1/4, 0), Q0.31
        xx = a + (1 << 28)
        x2 = mul(xx, xx); x3 = mul(x2, xx); x4 = mul(x2, x2)
        poly = div(mul(div(x4, 2) + x3, 715827883) + x2, 1)
        return 1895147668 + mul(1895147668, xx + poly)

    def exp_neg(a):       # exp_on_negative_values, Q5.26 -> Q0.31
        if a == 0:
            return INT32_MAX
        q = (a & ((1 << 24) - 1)) - (1 << 24)
        r = exp_quarter(shl_sat(q, 5))
        rem = q - a
        for bit, m in zip(range(24, 31), (1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242)):
            if rem & (1 << bit):
                r = mul(r, m)
        return r

    def reciprocal(v):    # GetReciprocal with 12 integer bits, then one_over_one_plus_x_for_x_in_0_1
        clz = 32 - v.bit_length()
        over = 12 - clz
        a = ((v << clz) - (1 << 31))
        half = (a + INT32_MAX + (1 if a + INT32_MAX >= 0 else -1))
        half = int(half / 2)
        xx = 1515870810 + mul(half, -1010580540)
        for _ in range(3):
            xx = xx + shl_sat(mul(xx, (1 << 29) - mul(half, xx)), 2)
        return shl_sat(xx, 1), over

    real = min(float(op.get("beta", 1.0)) * float(np.float32(tin["scale"])) * (1 << 26), float((1 << 31) - 1))
    mult, shift = quantize_multiplier(real)
    diff_min = -math.floor(31.0 * (1 << 26) / (1 << shift))
    depth = tin["shape"][-1]
    x = np.asarray(x, dtype=np.int64).reshape(-1, depth)
    out = np.zeros_like(x)
    for r, row in enumerate(x):
        mx = int(row.max())
        total = 0
        for v in row:
            d = int(v) - mx
            if d >= diff_min:
                total += div(exp_neg(mul(d << shift, mult)), 12)
        scale, over = reciprocal(total)
        for c, v in enumerate(row):
            d = int(v) - mx
            if d >= diff_min:
                out[r, c] = min(max(div(mul(scale, exp_neg(mul(d << shift, mult))), over + 23) - 128, -128), 127)
            else:
                out[r, c] = -128
    return out


def run(fixture, inp):
    T = fixture["tensors"]
    vals = {fixture["input"]: int8s(inp)}
    for op in fixture["ops"]:
        ins = [vals[i] for i in op["inputs"]]
        tin = [T[i] for i in op["inputs"]]
        tout = T[op["output"]]
        kind = op["op"]
        if kind == "CONV_2D":
            y = conv2d(op, ins[0], tin[0], tout)
        elif kind == "FULLY_CONNECTED":
            y = fully_connected(op, ins[0], tin[0], tout)
        elif kind in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
            y = pool(op, ins[0], tin[0], tout)
        elif kind == "MEAN":
            y = mean(op, ins[0], tin[0], tout)
        elif kind == "ADD":
            assert tin[0]["shape"] == tin[1]["shape"]
            y = add(op, ins[0], ins[1], tin[0], tin[1], tout)
        elif kind == "SOFTMAX":
            y = softmax(op, ins[0], tin[0], tout)
        elif kind == "PAD":
            # int8 PAD without a constant: the output zero point everywhere, the input copied (same quantization).
            assert tin[0]["scale"] == tout["scale"] and tin[0]["zero_point"] == tout["zero_point"]
            assert "constant_value" not in op
            top, left = op["paddings"][1][0], op["paddings"][2][0]
            _, h, w, c = tin[0]["shape"]
            y = np.full(tout["shape"], tout["zero_point"], dtype=np.int64)
            y[0, top:top + h, left:left + w, :] = ins[0].reshape(1, h, w, c)[0]
        elif kind == "RESHAPE":
            assert tin[0]["scale"] == tout["scale"] and tin[0]["zero_point"] == tout["zero_point"]
            y = ins[0]
        else:
            raise ValueError(f"no model for {kind}")
        vals[op["output"]] = np.asarray(y, dtype=np.int64).reshape(-1)
    return vals


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "tflm")
    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    if not files:
        print(f"no fixtures in {folder}")
        return 1
    failed = 0
    for path in files:
        fx = json.load(open(path))
        bad = []
        checked = 0
        old_mean_diffs = None
        for ci, case in enumerate(fx["cases"]):
            vals = run(fx, case["input"])
            want = {fx["output"]: case["output"]}
            for ti, a in enumerate(case.get("activations") or []):
                want[ti] = a
            for ti, w in want.items():
                checked += len(w)
                w = int8s(w).tolist()
                got = vals[ti].tolist()
                if got != w:
                    diff = [g - e for g, e in zip(got, w) if g != e]
                    bad.append(f"case {ci} tensor {ti}: {len(diff)} differ, e.g. {diff[:8]}")
            if any(op["op"] == "MEAN" for op in fx["ops"]):
                # old formula, fed with the same input to the MEAN
                mop = next(op for op in fx["ops"] if op["op"] == "MEAN")
                src = vals[mop["inputs"][0]]
                y_old = mean_old_float(mop, src, fx["tensors"][mop["inputs"][0]], fx["tensors"][mop["output"]])
                y_new = vals[mop["output"]]
                old_mean_diffs = (old_mean_diffs or 0) + int(np.sum(y_old.reshape(-1) != y_new))
        status = "ok" if not bad else "MISMATCH"
        extra = "" if old_mean_diffs is None else f"  (older float MEAN formula would differ in {old_mean_diffs} values)"
        print(f"{status:8s} {os.path.basename(path)}: {checked} values{extra}")
        for b in bad[:10]:
            print("         " + b)
        failed += bool(bad)
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
