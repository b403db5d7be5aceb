#!/usr/bin/env python3
"""Tools/hostile/make_hostile.py: writes the hostile .q8 suite (Tests/Fixtures/hostile/).

  Tools/hostile/make_hostile.py [--quantize .build/debug/quantize] [--out Tests/Fixtures/hostile]

1. Writes base/base.bin, a tiny float model.bin (28x28x1 input, 7 int8 ops covering every opcode: Conv2D with a fused
   max pooling, a strided Conv2D, Conv2D, Add, AveragePool2D, MaxPool2D, Mean, FullyConnected), and quantizes it
   into base/base.q8 with `quantize` (data-free).
2. Writes one crafted file per case below, each a copy of base.q8 with one kind of damage and its CRC recomputed
   so that it reaches the parser, and manifest.json: file -> the exact Q8Error the loader must refuse it with
   (as the firmware prints it: `badOp(3)`, `tensorsOverlap(1,2)`, ...) and what was damaged.

The expected errors follow the loader's documented order of checks (docs/q8-format.md, "Validation"); where the
outcome depends on the plan (which pair of tensors overlaps first, which tensor a scratch region hits) this script
works it out from the base model's tables, independently of the Swift loader.
Standard library only. Checked by Tests/Int8RuntimeTests/HostileSuiteTests.swift (host loader),
Tests/EdgeSimTests/HostileSuiteCommandTests.swift (edge-sim run) and Firmware-Sim/run --expect-refused."""
import argparse, io, json, os, random, struct, subprocess, sys, tempfile, zipfile, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# docs/q8-format.md
MAGIC, V_MAJOR, V_MINOR, FILE_SIZE, TENSOR_COUNT, OP_COUNT = 0, 4, 6, 8, 12, 16
TENSOR_TABLE, OP_TABLE, CONSTANTS, CONSTANTS_SIZE, ARENA, INPUT, OUTPUT = 20, 24, 28, 32, 36, 40, 42
LOWER_BOUND, MACS, FLAGS, RESERVED = 44, 48, 52, 56
T_OFFSET, T_SIZE, T_H, T_W, T_C, T_RES, T_SCALE, T_ZP, T_FIRST, T_LAST, T_RES2 = 0, 4, 8, 10, 12, 14, 16, 20, 24, 26, 28
O_CODE, O_RES, O_IN, O_IN2, O_OUT, O_KH, O_KW, O_SY, O_SX, O_PT, O_PL = 0, 1, 2, 4, 6, 8, 9, 10, 11, 12, 13
O_RES2, O_AMIN, O_AMAX, O_RES3, O_W, O_B, O_M, O_S, O_SCR, O_SCRS, O_P = 14, 16, 17, 18, 20, 24, 28, 32, 36, 40, 44
CONV, FC, MAXPOOL, AVGPOOL, MEAN, ADD = 1, 2, 3, 4, 5, 6
NO_TENSOR, NO_OFFSET = 0xFFFF, 0xFFFFFFFF


# MARK: the base model

def model_bin():
    """A small model.bin (docs/model-format.md) with seeded random weights."""
    rng = random.Random(11)
    tensors, nodes = [], []

    def tensor(name, shape, constant=False, low=-0.5, high=0.5):
        data = [rng.uniform(low, high) for _ in range(eval("*".join(map(str, shape))))] if constant else None
        tensors.append((name, shape, data))
        return len(tensors) - 1

    def node(name, op, inputs, shape, attrs=None):
        out = tensor(name + ":0", shape)
        nodes.append((name, op, inputs, [out], attrs or {}))
        return out

    def conv(name, x, cin, cout, stride, shape, bias=True):
        inputs = [x, tensor(name + "/kernel", [3, 3, cin, cout], True)] + ([tensor(name + "/bias", [cout], True)] if bias else [])
        y = node(name, "Conv2D", inputs, shape, {"strides": (2, [stride, stride]), "padding": (3, "same")})
        c = shape[-1]
        y = node(name + "_bn", "BatchNormalization", [y, tensor(name + "_bn/gamma", [c], True, 0.5, 1.5),
                 tensor(name + "_bn/beta", [c], True), tensor(name + "_bn/mean", [c], True),
                 tensor(name + "_bn/variance", [c], True, 0.5, 2.0)], shape)
        return node(name + "_relu", "ReLU", [y], shape)

    x = tensor("input", [1, 28, 28, 1])
    x = conv("c1", x, 1, 4, 1, [1, 28, 28, 4])
    x = node("p1", "MaxPool2D", [x], [1, 14, 14, 4], {"pool_size": (2, [2, 2])})  # fused into c1
    a = conv("c2", x, 4, 4, 2, [1, 7, 7, 4])
    b = conv("c3", a, 4, 4, 1, [1, 7, 7, 4], bias=False)
    x = node("add", "Add", [a, b], [1, 7, 7, 4])
    x = node("avg", "AveragePool2D", [x], [1, 7, 7, 4],
             {"pool_size": (2, [3, 3]), "strides": (2, [1, 1]), "padding": (3, "same")})
    x = node("max", "MaxPool2D", [x], [1, 4, 4, 4],
             {"pool_size": (2, [3, 3]), "strides": (2, [2, 2]), "padding": (3, "same")})
    x = node("gap", "GlobalAveragePool", [x], [1, 4])
    x = node("fc", "Dense", [x, tensor("fc/kernel", [4, 10], True), tensor("fc/bias", [10], True)], [1, 10])
    x = node("softmax", "Softmax", [x], [1, 10])

    def string(s):
        return struct.pack("<H", len(s)) + s.encode()
    out = [b"EQFM", struct.pack("<HHIIII", 1, 0, len(tensors), len(nodes), 0, x)]
    for name, shape, data in tensors:
        out.append(string(name) + struct.pack("<BB", 0 if data is None else 1, len(shape)) + struct.pack(f"<{len(shape)}I", *shape))
        if data is not None:
            out.append(struct.pack(f"<{len(data)}f", *data))
    for name, op, inputs, outputs, attrs in nodes:
        rec = [string(name), string(op), struct.pack(f"<B{len(inputs)}I", len(inputs), *inputs),
               struct.pack(f"<B{len(outputs)}I", len(outputs), *outputs), struct.pack("<B", len(attrs))]
        for key, (kind, value) in attrs.items():
            rec.append(string(key) + struct.pack("<B", kind))
            rec.append(struct.pack(f"<B{len(value)}q", len(value), *value) if kind == 2 else string(value))
        out.append(b"".join(rec))
    body = b"".join(out)
    return body + struct.pack("<I", zlib.crc32(body))


# MARK: reading and damaging a .q8

class Q8:
    def __init__(self, data):
        self.data = bytearray(data)
        self.tensor_count, self.op_count, self.tensor_table, self.op_table, self.constants, self.constants_size, \
            self.arena = struct.unpack_from("<IIIIIII", data, 12)
        self.input, self.output = struct.unpack_from("<HH", data, INPUT)

    def u8(self, at): return self.data[at]
    def u16(self, at): return struct.unpack_from("<H", self.data, at)[0]
    def u32(self, at): return struct.unpack_from("<I", self.data, at)[0]
    def i32(self, at): return struct.unpack_from("<i", self.data, at)[0]
    def t(self, i): return self.tensor_table + 32 * i
    def o(self, k): return self.op_table + 64 * k

    def tensor(self, i):
        at = self.t(i)
        first = self.u16(at + T_FIRST)
        return {"offset": self.u32(at + T_OFFSET), "size": self.u32(at + T_SIZE),
                "first": -1 if first == NO_TENSOR else first, "last": self.u16(at + T_LAST)}

    def op(self, k):
        at = self.o(k)
        return {"code": self.u8(at), "input": self.u16(at + O_IN), "input2": self.u16(at + O_IN2),
                "output": self.u16(at + O_OUT), "weights": self.u32(at + O_W), "bias": self.u32(at + O_B),
                "multipliers": self.u32(at + O_M), "shifts": self.u32(at + O_S), "pool": self.i32(at + O_P)}

    def ops_with(self, code):
        return [k for k in range(self.op_count) if self.u8(self.o(k)) == code]


def first_overlap(q):
    """The loader's rule: the first pair (a, b), a < b in index order, alive at a common step (inclusive
    lifetimes) and sharing arena bytes."""
    ts = [q.tensor(i) for i in range(q.tensor_count)]
    for a in range(len(ts)):
        for b in range(a + 1, len(ts)):
            x, y = ts[a], ts[b]
            if x["first"] <= y["last"] and y["first"] <= x["last"] and \
                    x["offset"] < y["offset"] + y["size"] and y["offset"] < x["offset"] + x["size"]:
                return a, b
    return None


def with_crc(data):
    data = bytearray(data)
    struct.pack_into("<I", data, len(data) - 4, zlib.crc32(bytes(data[:-4])))
    return bytes(data)


def cases(base):
    """(name, bytes, expected error, what was damaged), every file's CRC recomputed."""
    out = []
    q0 = Q8(base)

    def case(name, expected, what, edit):
        q = Q8(base)
        edit(q)
        out.append((name + ".q8", with_crc(q.data), expected, what))

    def put(fmt, at, value):
        return lambda q: struct.pack_into(fmt, q.data, at, value)

    # Header: every field at 0, 2^31 and 2^32-1 (u16 fields at 0, 2^15, 2^16-1), where that value is invalid.
    big = {"0": 0, "2p31": 1 << 31, "max": 0xFFFFFFFF}
    big16 = {"0": 0, "2p15": 1 << 15, "max": 0xFFFF}
    for label, v in big.items():
        case(f"header-magic-{label}", "badMagic", f"magic = {v:#x}", put("<I", MAGIC, v))
        case(f"header-file-size-{label}", "sizeMismatch", f"file_size = {v:#x}", put("<I", FILE_SIZE, v))
        case(f"header-tensor-count-{label}", "countOutOfRange", f"tensor_count = {v:#x}", put("<I", TENSOR_COUNT, v))
        case(f"header-op-count-{label}", "countOutOfRange", f"op_count = {v:#x}", put("<I", OP_COUNT, v))
        case(f"header-arena-size-{label}", "badHeader(44)" if v == 0 else "badHeader(36)",
             f"arena_size = {v:#x}" + (": below the lower bound" if v == 0 else ""), put("<I", ARENA, v))
        case(f"header-lower-bound-{label}", "badHeader(44)",
             f"arena_lower_bound = {v:#x}" + (": below the bytes live at one step" if v == 0 else ": above the arena"),
             put("<I", LOWER_BOUND, v))
        if v:  # macs is reported only: any value up to 2^31 - 1 is accepted
            case(f"header-macs-{label}", "badHeader(48)", f"macs = {v:#x}", put("<I", MACS, v))
        if v:
            case(f"header-flags-{label}", "badHeader(52)", f"flags = {v:#x}: unknown bits", put("<I", FLAGS, v))
            case(f"header-reserved-{label}", "badHeader(56)", f"reserved = {v:#x}", put("<I", RESERVED, v))
            for field, at in (("tensor-table", TENSOR_TABLE), ("op-table", OP_TABLE), ("constants", CONSTANTS),
                              ("constants-size", CONSTANTS_SIZE)):
                case(f"header-{field}-{label}", "outOfBounds", f"{field} = {v:#x}", put("<I", at, v))
    for label, v in big16.items():
        case(f"header-version-major-{label}", "unsupportedVersion", f"version major = {v:#x}", put("<H", V_MAJOR, v))
        if v:
            case(f"header-version-minor-{label}", "unsupportedVersion", f"version minor = {v:#x}", put("<H", V_MINOR, v))
            case(f"header-input-{label}", "countOutOfRange", f"input tensor = {v:#x}", put("<H", INPUT, v))
            case(f"header-output-{label}", "countOutOfRange", f"output tensor = {v:#x}", put("<H", OUTPUT, v))
    # Offsets at 0 read other sections as tables.
    case("header-tensor-table-0", "badTensor(0)", "tensor_table = 0: the header read as tensor 0 (arena offset = magic)",
         put("<I", TENSOR_TABLE, 0))
    assert q0.input != 1 and q0.tensor(1)["first"] == 0, "the base's tensor 1 is written by op 0"
    case("header-op-table-0", "badTensor(1)",
         "op_table = 0: the header read as op 0, whose output field (version minor, 0) is not tensor 1", put("<I", OP_TABLE, 0))
    case("header-constants-size-0", "badOp(0)", "constants_size = 0: op 0's arrays lie outside the constants",
         put("<I", CONSTANTS_SIZE, 0))
    case("header-output-is-input", "countOutOfRange", "output tensor = input tensor", put("<H", OUTPUT, q0.input))

    # Tensor table: a tensor in the middle (written by op 1, read by op 2).
    mid = next(i for i in range(q0.tensor_count) if q0.tensor(i)["first"] == 1)
    mt = q0.t(mid)
    bad = f"badTensor({mid})"
    for label, v in big.items():
        moved = bad if v else first_overlap_after(base, mid, v)
        if moved:  # at 0 it is an error only if it lands on a tensor alive at the same time
            case(f"tensor-offset-{label}", moved, f"tensor {mid} arena_offset = {v:#x}", put("<I", mt + T_OFFSET, v))
        case(f"tensor-size-{label}", bad, f"tensor {mid} size = {v:#x}", put("<I", mt + T_SIZE, v))
    case("tensor-offset-past-arena", bad, f"tensor {mid} ends one byte past the arena",
         put("<I", mt + T_OFFSET, q0.arena - q0.tensor(mid)["size"] + 1))
    for field, at in (("height", T_H), ("width", T_W), ("channels", T_C)):
        case(f"tensor-{field}-0", bad, f"tensor {mid} {field} = 0", put("<H", mt + at, 0))
        case(f"tensor-{field}-max", bad, f"tensor {mid} {field} = 0xffff (size no longer the product)", put("<H", mt + at, 0xFFFF))

    def huge_shape(q):  # consistent shape and size, 2^31 bytes: cannot fit the arena
        struct.pack_into("<IIHHH", q.data, mt, 0, 1 << 31, 1 << 15, 1 << 15, 2)
    case("tensor-shape-2p31", bad, f"tensor {mid} 32768 x 32768 x 2 with size 2^31", huge_shape)
    for label, bits in (("0", 0), ("negative", 0xBF800000), ("nan", 0x7FC00000), ("inf", 0x7F800000)):
        case(f"tensor-scale-{label}", bad, f"tensor {mid} scale bits {bits:#x}", put("<I", mt + T_SCALE, bits))
    for label, v in (("128", 128), ("minus-129", -129), ("int-min", -(1 << 31))):
        case(f"tensor-zero-point-{label}", bad, f"tensor {mid} zero point {v}", put("<i", mt + T_ZP, v))
    case("tensor-first-step-none", bad, f"tensor {mid} first_step = 0xffff (only the input may)", put("<H", mt + T_FIRST, NO_TENSOR))
    case("tensor-first-step-op-count", bad, f"tensor {mid} first_step = op_count", put("<H", mt + T_FIRST, q0.op_count))
    case("tensor-first-step-other-op", bad, f"tensor {mid} first_step = 0, an op that writes another tensor",
         put("<H", mt + T_FIRST, 0))
    case("tensor-last-step-past", bad, f"tensor {mid} last_step = op_count + 1", put("<H", mt + T_LAST, q0.op_count + 1))
    case("tensor-last-before-first", bad, f"tensor {mid} last_step = 0 < first_step 1", put("<H", mt + T_LAST, 0))
    case("tensor-reserved", bad, f"tensor {mid} reserved u16 = 1", put("<H", mt + T_RES, 1))
    case("tensor-reserved2", bad, f"tensor {mid} reserved u32 = 0x80000000", put("<I", mt + T_RES2, 1 << 31))
    case("tensor-input-first-step-0", f"badTensor({q0.input})", "the input tensor claims op 0 writes it",
         put("<H", q0.t(q0.input) + T_FIRST, 0))
    out_t = q0.output
    case("tensor-output-last-step-short", f"badTensor({out_t})", "the output's last_step before op_count",
         put("<H", q0.t(out_t) + T_LAST, q0.op_count - 1))
    # A tensor dies before an op reads it: that op reads a tensor no longer alive.
    reader = next(k for k in range(q0.op_count) if q0.op(k)["input"] == mid)
    case("tensor-dies-before-read", f"badOp({reader})", f"tensor {mid} last_step = 1, op {reader} still reads it",
         put("<H", mt + T_LAST, 1))

    # Overlapping tensors.
    add = q0.ops_with(ADD)[0]
    a, b = q0.op(add)["input"], q0.op(add)["input2"]
    y = q0.op(add)["output"]
    for name, moved, onto, what in (
            ("overlap-add-inputs", max(a, b), min(a, b), "Add's two inputs at the same offset"),
            ("overlap-input-output", y, a, "an op's output placed on its input (no in-place ops)")):
        q = Q8(base)
        struct.pack_into("<I", q.data, q.t(moved) + T_OFFSET, q.tensor(onto)["offset"])
        pair = first_overlap(q)
        out.append((name + ".q8", with_crc(q.data), f"tensorsOverlap({pair[0]},{pair[1]})", what))
    q = Q8(base)
    ta, tb = q.tensor(min(a, b)), q.tensor(max(a, b))
    struct.pack_into("<I", q.data, q.t(max(a, b)) + T_OFFSET, ta["offset"] + ta["size"] - 1
                     if tb["offset"] > ta["offset"] else max(ta["offset"] - tb["size"] + 1, 0))
    pair = first_overlap(q)
    out.append(("overlap-one-byte.q8", with_crc(q.data), f"tensorsOverlap({pair[0]},{pair[1]})",
                "Add's inputs share one byte"))

    # Op table.
    conv0 = q0.ops_with(CONV)[0]  # with the fused pooling
    assert q0.op(conv0)["pool"] != 0, "the base's first Conv2D has a fused max pooling"
    fc = q0.ops_with(FC)[0]
    pools = {MAXPOOL: q0.ops_with(MAXPOOL)[0], AVGPOOL: q0.ops_with(AVGPOOL)[0]}
    mean = q0.ops_with(MEAN)[0]
    last_conv = q0.ops_with(CONV)[-1]

    def op_case(name, k, what, edit):
        case(name, f"badOp({k})", f"op {k}: {what}", edit)
    at0, atf, atm, ata = q0.o(conv0), q0.o(fc), q0.o(mean), q0.o(add)
    for label, v in (("0", 0), ("7", 7), ("255", 255)):
        op_case(f"op-opcode-{label}", conv0, f"opcode {v}", put("<B", at0 + O_CODE, v))
    op_case("op-reserved", conv0, "reserved byte 1", put("<B", at0 + O_RES, 1))
    op_case("op-reserved2", conv0, "reserved u16 at 14", put("<H", at0 + O_RES2, 1))
    op_case("op-input-none", conv0, "input tensor 0xffff", put("<H", at0 + O_IN, NO_TENSOR))
    op_case("op-input-count", conv0, "input tensor = tensor_count", put("<H", at0 + O_IN, q0.tensor_count))
    late = q0.op(last_conv)["output"]
    op_case("op-reads-unwritten", conv0, f"reads tensor {late}, written later by op {last_conv}", put("<H", at0 + O_IN, late))
    written = q0.op(conv0)["output"]
    case("op-output-is-input", f"badTensor({written})",
         f"op {conv0}'s output = its input: tensor {written} is no longer written by op {conv0}, its first_step",
         put("<H", at0 + O_OUT, q0.op(conv0)["input"]))
    op_case("op-kernel-0", conv0, "kernel height 0", put("<B", at0 + O_KH, 0))
    op_case("op-stride-0", conv0, "stride x 0", put("<B", at0 + O_SX, 0))
    op_case("op-pad-kernel", conv0, "pad_top = kernel height", put("<B", at0 + O_PT, q0.u8(at0 + O_KH)))
    op_case("op-kernel-255", conv0, "kernel 255 x 255: weights beyond the constants", lambda q: (
        struct.pack_into("<BB", q.data, at0 + O_KH, 255, 255)))
    op_case("op-activation-inverted", conv0, "activation_min > activation_max",
            lambda q: struct.pack_into("<bb", q.data, at0 + O_AMIN, 10, -10))
    for label, v in big.items():
        op_case(f"op-weights-{label}", conv0, f"weights_offset {v:#x}", put("<I", at0 + O_W, v if v else q0.constants_size))
        op_case(f"op-scratch-offset-{label}", conv0, f"scratch_offset {v:#x} (0: with size arena + 1)", (
            lambda q, v=v: struct.pack_into("<II", q.data, at0 + O_SCR, v, 0 if v else q0.arena + 1)))
        if v:
            op_case(f"op-scratch-size-{label}", conv0, f"scratch_size {v:#x} at offset 1", (
                lambda q, v=v: struct.pack_into("<II", q.data, at0 + O_SCR, 1, v)))
    op_case("op-bias-2p31", conv0, "bias_offset 2^31", put("<I", at0 + O_B, 1 << 31))
    op_case("op-multipliers-misaligned", conv0, "multipliers_offset + 1", put("<I", at0 + O_M, q0.op(conv0)["multipliers"] + 1))
    op_case("op-multipliers-none", conv0, "multipliers_offset absent", put("<I", at0 + O_M, NO_OFFSET))
    op_case("op-shifts-at-end", conv0, "shifts_offset = constants_size: the array lies outside",
            put("<I", at0 + O_S, q0.constants_size & ~3))
    cbase = q0.constants
    op_case("op-multiplier-negative", conv0, "multiplier[0] = -1",
            put("<i", cbase + q0.op(conv0)["multipliers"], -1))
    op_case("op-shift-31", conv0, "shift[0] = 31", put("<i", cbase + q0.op(conv0)["shifts"], 31))
    op_case("op-shift-minus-32", conv0, "shift[0] = -32", put("<i", cbase + q0.op(conv0)["shifts"], -32))
    # Fused max pooling parameters.
    for label, (index, v) in (("height-0", (0, 0)), ("height-65", (0, 65)), ("stride-0", (2, 0)),
                              ("width-2p31", (1, -(1 << 31))), ("extra", (4, 1))):
        op_case(f"op-fused-pool-{label}", conv0, f"fused pool parameter {index} = {v}", put("<i", at0 + O_P + 4 * index, v))
    # Pools.
    for code, k in pools.items():
        kind = "maxpool" if code == MAXPOOL else "avgpool"
        at = q0.o(k)
        op_case(f"op-{kind}-kernel-0", k, "window width 0", put("<B", at + O_KW, 0))
        op_case(f"op-{kind}-stride-0", k, "stride y 0", put("<B", at + O_SY, 0))
        op_case(f"op-{kind}-pad-window", k, "pad_left = window width", put("<B", at + O_PL, q0.u8(at + O_KW)))
        op_case(f"op-{kind}-stride-255", k, "stride 255: the last window starts outside the input", put("<B", at + O_SY, 255))
        op_case(f"op-{kind}-parameter", k, "parameter 0 = 1", put("<i", at + O_P, 1))
        op_case(f"op-{kind}-weights", k, "weights_offset 0 on an op without weights", put("<I", at + O_W, 0))
    # Mean, Add, FullyConnected parameters.
    op_case("op-mean-multiplier-negative", mean, "multiplier -1", put("<i", atm + O_P, -1))
    op_case("op-mean-shift-31", mean, "shift 31", put("<i", atm + O_P + 4, 31))
    op_case("op-mean-shift-minus-32", mean, "shift -32", put("<i", atm + O_P + 4, -32))
    op_case("op-mean-parameter-2", mean, "parameter 2 = 2^31", put("<I", atm + O_P + 8, 1 << 31))
    for index in range(3):
        op_case(f"op-add-multiplier{index}-negative", add, f"multiplier {index} = -2^31", put("<i", ata + O_P + 4 * index, -(1 << 31)))
    for index, (label, v) in enumerate((("input1-shift", 31), ("input2-shift", -32), ("output-shift", 127))):
        op_case(f"op-add-{label}", add, f"{label} {v}", put("<b", ata + O_P + 12 + index, v))
    op_case("op-add-left-shift-24", add, "left shift 24", put("<b", ata + O_P + 15, 24))
    op_case("op-add-left-shift-negative", add, "left shift -1", put("<b", ata + O_P + 15, -1))
    op_case("op-add-parameter-4", add, "parameter 4 = 1", put("<i", ata + O_P + 16, 1))
    op_case("op-add-input2-none", add, "second input absent", put("<H", ata + O_IN2, NO_TENSOR))
    op_case("op-add-input2-unwritten", add, f"second input = tensor {q0.op(fc)['output']}, written later",
            put("<H", ata + O_IN2, q0.op(fc)["output"]))
    op_case("op-fc-weights-past-end", fc, "weights_offset at the end of the constants", put("<I", atf + O_W, q0.constants_size - 1))
    op_case("op-fc-parameter", fc, "parameter 3 = -1", put("<i", atf + O_P + 12, -1))
    op_case("op-fc-input2", fc, "a second input on FullyConnected", put("<H", atf + O_IN2, q0.op(fc)["input"]))

    # Scratch over a tensor alive at the op: the op's own input.
    k = last_conv
    x = q0.tensor(q0.op(k)["input"])
    q = Q8(base)
    struct.pack_into("<II", q.data, q.o(k) + O_SCR, x["offset"], 1)
    alive = [i for i in range(q.tensor_count) if q.tensor(i)["first"] <= k <= q.tensor(i)["last"]
             and q.tensor(i)["offset"] <= x["offset"] < q.tensor(i)["offset"] + q.tensor(i)["size"]]
    out.append(("op-scratch-over-input.q8", with_crc(q.data), f"scratchOverlaps({k},{alive[0]})",
                f"op {k}'s scratch: one byte over its input"))
    return out


def first_overlap_after(base, index, offset):
    q = Q8(base)
    struct.pack_into("<I", q.data, q.t(index) + T_OFFSET, offset)
    pair = first_overlap(q)
    return f"tensorsOverlap({pair[0]},{pair[1]})" if pair else None


# MARK: hostile model files of the imported formats (Tests/Fixtures/hostile-import)

def fixture(*parts):
    with open(os.path.join(ROOT, "Tests", "Fixtures", *parts), "rb") as f:
        return f.read()


def zip_bytes(entries, method=zipfile.ZIP_STORED):
    """A zip of (name, bytes) entries, as Python's zipfile writes it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=method)
    return out.getvalue()


def zip_declare(data, name, size):
    """The zip with entry `name`'s uncompressed size, in its local and central headers, set to `size`."""
    data = bytearray(data)
    encoded = name.encode()
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_length_at)[0]
            if bytes(data[at + name_at:at + name_at + length]) == encoded:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    return bytes(data)


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_field(number, wire, payload):
    """One protobuf field: varint (wire 0) takes an int, length-delimited (wire 2) takes bytes."""
    key = varint(number << 3 | wire)
    return key + (varint(payload) if wire == 0 else varint(len(payload)) + payload)


def onnx_model(graph):
    """ModelProto: ir_version 8, opset 13 of the default domain, then `graph` (raw bytes of field 7)."""
    return pb_field(1, 0, 8) + pb_field(8, 2, pb_field(2, 0, 13)) + graph


def flatbuffer_vector(data, table_field):
    """(where the uoffset is, where the vector is) of a vector field of a FlatBuffer's root table."""
    root = struct.unpack_from("<I", data, 0)[0]
    vtable = root - struct.unpack_from("<i", data, root)[0]
    field_at = root + struct.unpack_from("<H", data, vtable + 4 + 2 * table_field)[0]
    return field_at, field_at + struct.unpack_from("<I", data, field_at)[0]


def h5_with_dims(data, dims, huge):
    """The HDF5 file with every stored occurrence of the dimensions `dims` (little-endian u64 each: a dataspace's
    dimensions and its maximum dimensions) starting with `huge` instead."""
    needle = b"".join(struct.pack("<Q", d) for d in dims)
    out = bytearray(data)
    at = data.find(needle)
    assert at >= 0, f"dims {dims} not found"
    while at >= 0:
        struct.pack_into("<" + "Q" * len(huge), out, at, *huge)
        at = data.find(needle, at + 1)
    return bytes(out)


def import_cases():
    """(name, bytes, format, damage, what the reader's one line says) for each hostile model file."""
    keras = fixture("keras", "sequential.keras")
    with zipfile.ZipFile(io.BytesIO(keras)) as z:
        config, weights = z.read("config.json"), z.read("model.weights.h5")
    h5 = fixture("keras", "sequential.h5")
    onnx = fixture("onnx", "small_cnn.onnx")
    tflite = fixture("tflite", "small_float.tflite")
    made = []

    def case(name, data, fmt, damage, says):
        made.append((name, data, fmt, damage, says))

    # Zip bombs: a declared size far over the limit (refused before extracting), an entry that inflates to
    # 16 MiB while declaring 1,000 bytes (extraction stops at the declared size), many entries, deep and
    # escaping paths.
    stored = zip_bytes([("config.json", config), ("model.weights.h5", weights)])
    case("keras-bomb-declared-4gib.keras", zip_declare(stored, "model.weights.h5", 0xFFFFFFFF), "keras",
         "model.weights.h5 declares 4 GiB uncompressed", "model.weights.h5")
    bomb = zip_bytes([("config.json", b"\0" * (16 << 20)), ("model.weights.h5", weights)], zipfile.ZIP_DEFLATED)
    case("keras-bomb-understated.keras", zip_declare(bomb, "config.json", 1000), "keras",
         "config.json inflates to 16 MiB of zeros but declares 1,000 bytes", "config.json")
    many = zip_bytes([("config.json", config), ("model.weights.h5", weights)]
                     + [(f"assets/{i}", b"") for i in range(500)])
    case("keras-many-entries.keras", many, "keras", "502 zip entries", "zip entries")
    deep = zip_bytes([("/".join(["d"] * 2000) + "/config.json", config), ("model.weights.h5", weights)])
    case("keras-deep-path.keras", deep, "keras", "config.json only 2,000 folders deep", "no config.json")
    escape = zip_bytes([("../../config.json", config), ("model.weights.h5", weights)])
    case("keras-path-escape.keras", escape, "keras", "an entry named ../../config.json", "../../config.json")
    case("keras-truncated.keras", keras[:len(keras) // 2], "keras", "the first half of sequential.keras", ".keras")

    # HDF5: absurd dimensions (2^40 x 2^40 x 1 x 4 for conv_a's 3x3x1x4 kernel), the attribute message libhdf5
    # 1.10.8 read 8 bytes past (found by the hdf5 fuzz target), truncation; the absurd dimensions inside a
    # .keras too.
    absurd = h5_with_dims(h5, [3, 3, 1, 4], [1 << 40, 1 << 40])
    case("h5-absurd-dims.h5", absurd, "h5", "conv_a's kernel declared 2^40 x 2^40 x 1 x 4", "over")
    case("h5-attribute-overread.h5", fixture("keras", "libhdf5-hostile", "heap-overflow-attribute-message.h5"),
         "h5", "an attribute whose value runs past its message (libhdf5 1.10.8 over-read it)",
         "runs past its message")
    case("h5-truncated.h5", h5[:len(h5) // 3], "h5", "the first third of sequential.h5", "HDF5")
    # The global heap's free-space entry (index 0) made 2^64 - 2^24 bytes: libhdf5 1.10.8 moves its parser that
    # far, wrapping to 16 MiB before the collection, and reads there (a crash found by the hdf5 fuzz target).
    gcol = h5.find(b"GCOL")
    at = gcol + 16
    while struct.unpack_from("<H", h5, at)[0] != 0:
        at += 16 + (struct.unpack_from("<Q", h5, at + 8)[0] + 7) // 8 * 8
    damaged = bytearray(h5)
    struct.pack_into("<Q", damaged, at + 8, (1 << 64) - (1 << 24))
    case("h5-global-heap-free-space.h5", bytes(damaged), "h5",
         "the global heap's free space declared 2^64 - 2^24 bytes (libhdf5 1.10.8 read outside the collection)",
         "free space runs past the end of its collection")
    # model_config's variable-length value naming object 100 of its global heap collection, which has 23:
    # libhdf5 1.10.8 reads past its object table (a SEGV found by the hdf5 fuzz target).
    name = h5.find(b"model_config\0")
    data = name - 8
    assert h5[data] == 1 and h5[data - 8] == 0x0C, "model_config is not a version 1 attribute message"
    type_size, space_size = struct.unpack_from("<HH", h5, data + 4)
    value = data + 8 + 16 + (type_size + 7) // 8 * 8 + (space_size + 7) // 8 * 8
    damaged = bytearray(h5)
    struct.pack_into("<I", damaged, value + 12, 100)
    case("h5-global-heap-index.h5", bytes(damaged), "h5",
         "model_config's variable-length value names global heap object 100 of 23 (libhdf5 1.10.8 read past its table)",
         "which has no such object")
    functional = bytearray(fixture("keras", "functional.h5"))
    assert functional[40600:40604] == b"\x68\0\0\0", "functional.h5 changed: find a group's local heap address again"
    struct.pack_into("<I", functional, 40600, 0xFFFFFF67)
    case("h5-heap-address-4gib.h5", bytes(functional), "h5",
         "a group's local heap address 0x68 -> 0xFFFFFF67: libhdf5 1.10.8 asks malloc for 4 GiB (hdf5 fuzz target)",
         "addr overflow")
    absurd = h5_with_dims(weights, [3, 3, 1, 4], [1 << 40, 1 << 40])
    case("keras-absurd-dims.keras", zip_bytes([("config.json", config), ("model.weights.h5", absurd)]), "keras",
         "model.weights.h5 declares conv_a's kernel 2^40 x 2^40 x 1 x 4", "over")

    # Protobuf: lengths far past the end of the file, at the top level and inside the graph; a tensor whose
    # dimensions multiply to 2^80; truncation.
    case("onnx-huge-graph-length.onnx", onnx_model(pb_field(7, 2, b"")[:1] + varint(1 << 62) + b"\x0a\x01g"), "onnx",
         "the graph field declares 2^62 bytes", "declares 4611686018427387904 bytes")
    tensor = pb_field(1, 0, 1) + pb_field(2, 0, 1) + pb_field(8, 2, b"w") + pb_field(9, 2, b"")[:1] + varint(1 << 31)
    case("onnx-huge-raw-data.onnx", onnx_model(pb_field(7, 2, pb_field(5, 2, tensor))), "onnx",
         "an initializer's raw_data declares 2 GiB", "declares 2147483648 bytes")
    dims = pb_field(1, 0, 1 << 40) + pb_field(1, 0, 1 << 40) + pb_field(2, 0, 1) + pb_field(8, 2, b"w")
    case("onnx-huge-dims.onnx", onnx_model(pb_field(7, 2, pb_field(5, 2, dims))), "onnx",
         "an initializer of 2^40 x 2^40 floats with no data", "over the limit")
    case("onnx-truncated.onnx", onnx[:len(onnx) // 2], "onnx", "the first half of small_cnn.onnx", "remain")

    # FlatBuffers: the root offset, a vector's length and a vector element's offset out of range; truncation.
    damaged = bytearray(tflite)
    struct.pack_into("<I", damaged, 0, 0xFFFFFFF0)
    case("tflite-root-offset.tflite", bytes(damaged), "tflite", "root table offset 0xFFFFFFF0", "root table")
    damaged = bytearray(tflite)
    _, vector = flatbuffer_vector(tflite, 2)
    struct.pack_into("<I", damaged, vector, 0x7FFFFFFF)
    case("tflite-subgraphs-length.tflite", bytes(damaged), "tflite", "subgraphs vector length 0x7FFFFFFF", "more than the")
    damaged = bytearray(tflite)
    _, vector = flatbuffer_vector(tflite, 4)
    struct.pack_into("<I", damaged, vector + 4 + 4 * 3, 0x7FFFFFF0)
    case("tflite-buffer-offset.tflite", bytes(damaged), "tflite", "buffer 3's table offset 0x7FFFFFF0", "lies outside")
    damaged = bytearray(tflite)
    field_at, _ = flatbuffer_vector(tflite, 1)
    struct.pack_into("<I", damaged, field_at, len(tflite) - field_at - 2)
    case("tflite-opcodes-at-end.tflite", bytes(damaged), "tflite", "operator_codes vector 2 bytes before the end", "lies outside")
    case("tflite-truncated.tflite", tflite[:len(tflite) // 2], "tflite", "the first half of small_float.tflite", "lies outside")
    return made


def write_import_cases(folder):
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name != "README.md":
            os.remove(os.path.join(folder, name))
    made = import_cases()
    manifest = {"files": {}}
    for name, data, fmt, damage, says in made:
        assert name not in manifest["files"], name
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        manifest["files"][name] = {"format": fmt, "damage": damage, "reader": says}
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(len(data) for _, data, *_ in made)
    print(f"{folder}: {len(made)} hostile model files ({total} bytes), manifest.json")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quantize", default=os.path.join(ROOT, ".build", "debug", "quantize"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "hostile"))
    parser.add_argument("--imports-out", default=os.path.join(ROOT, "Tests", "Fixtures", "hostile-import"))
    parser.add_argument("--imports-only", action="store_true", help="write only the hostile model files")
    args = parser.parse_args()
    write_import_cases(args.imports_out)
    if args.imports_only:
        return
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.endswith(".q8") or name == "manifest.json":
            os.remove(os.path.join(args.out, name))
    base_folder = os.path.join(args.out, "base")
    os.makedirs(base_folder, exist_ok=True)
    with open(os.path.join(base_folder, "base.bin"), "wb") as f:
        f.write(model_bin())
    base_path = os.path.join(base_folder, "base.q8")
    with tempfile.TemporaryDirectory() as tmp:
        made = subprocess.run([args.quantize, os.path.join(base_folder, "base.bin"), "-o", os.path.join(tmp, "base.q8")],
                              capture_output=True, text=True)
        if made.returncode != 0:
            sys.exit(f"quantize failed: {made.stderr.strip()}")
        with open(os.path.join(tmp, "base.q8"), "rb") as f:
            base = f.read()
    with open(base_path, "wb") as f:
        f.write(base)
    made = cases(base)
    names = [name for name, *_ in made]
    assert len(names) == len(set(names)), "duplicate case names"
    manifest = {"base": "base/base.q8", "files": {}}
    for name, data, expected, what in made:
        assert expected, name
        assert data != base, f"{name}: no damage"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        manifest["files"][name] = {"error": expected, "damage": what}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{args.out}: base/base.q8 ({len(base)} bytes) and {len(made)} hostile files, manifest.json")


if __name__ == "__main__":
    main()
