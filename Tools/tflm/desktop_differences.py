#!/usr/bin/env python3
"""Where desktop TensorFlow Lite (tf.lite.Interpreter) differs from TFLite Micro on the same int8 .tflite files,
and which requantization explains each difference. The figures in docs/tflm-parity.md come from this script.

    Tools/tflm/make_fixtures.sh --desktop [--images N]

Part 1, the two shipped models (converted exactly as make_model_fixtures.py does, first N MNIST test images):
  logits bytes that differ from TFLM's under three desktop resolvers:
    BUILTIN_REF                          TFLite's reference kernels
    BUILTIN_WITHOUT_DEFAULT_DELEGATES    TFLite's optimized kernels (no XNNPACK)
    default                              the XNNPACK delegate, as tf.lite.Interpreter runs by default
  and, for the first two (whose intermediate tensors are readable), every CONV_2D / FULLY_CONNECTED output
  recomputed from the desktop's own input of that op with TFLM's double rounding and with single rounding
  (TFLITE_SINGLE_ROUNDING), counting the bytes each model misses.
Part 2, every single-CONV_2D / FULLY_CONNECTED op fixture of make_fixtures.py (rebuilt and converted again):
  the XNNPACK delegate's output bytes that differ from TFLM's, and how many of those a float requantization
  (float32(acc) * float32(scale), round half to even, as XNNPACK's fp32 requantization) reproduces.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_fixtures as mf  # noqa: E402
import make_model_fixtures as mm  # noqa: E402
import check_fixtures as cf  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from tflite_micro import runtime as tflm  # noqa: E402

R = tf.lite.experimental.OpResolverType
RESOLVERS = [("BUILTIN_REF", R.BUILTIN_REF), ("BUILTIN_WITHOUT_DEFAULT_DELEGATES", R.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
             ("default (XNNPACK)", None)]
DOUBLE_MBQM = cf.mbqm


def single_mbqm(x, m, shift):
    """MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING: one rounding of x * M / 2^(31 - shift)."""
    total = 31 - shift
    x = np.asarray(x, dtype=np.int64)
    return (x * np.int64(m) + (np.int64(1) << (total - 1))) >> total


def recompute(op, x, tin, tout, rounding):
    cf.mbqm = single_mbqm if rounding == "single" else DOUBLE_MBQM
    try:
        if op["op"] == "CONV_2D":
            return cf.conv2d(op, x, tin, tout).reshape(-1)
        return cf.fully_connected(op, x, tin, tout).reshape(-1)
    finally:
        cf.mbqm = DOUBLE_MBQM


def whole_models(data, count):
    for name, arch in mm.MODELS.items():
        _, logits_model = mm.rebuild_logits_model(mm.REPO / "Models" / f"{name}.bin", arch)
        calibration = (mm.train.read_idx(data / "train-images-idx3-ubyte.gz")[:mm.CALIBRATION_COUNT]
                       .astype(np.float32) / 255.0)[..., None]
        flatbuffer = mf.convert_samples(logits_model, [image[None] for image in calibration])
        fixture, act_index, _ = mf.describe(flatbuffer, name, compact=True)
        tflite_index = {fx: tfl for tfl, fx in act_index.items()}
        images = (mm.train.read_idx(data / "t10k-images-idx3-ubyte.gz")[:count].astype(np.float32) / 255.0)[..., None]
        t_in = fixture["tensors"][fixture["input"]]
        inputs = mm.quantize(images, t_in["scale"], t_in["zero_point"]).reshape(count, *t_in["shape"])
        micro = tflm.Interpreter.from_bytes(flatbuffer, arena_size=mf.ARENA_SIZE)
        reference = []
        for x in inputs:
            micro.set_input(x, 0)
            micro.invoke()
            reference.append(np.asarray(micro.get_output(0)).reshape(-1))
        reference = np.stack(reference).astype(np.int64)
        # RESHAPE aliases: a FULLY_CONNECTED after RESHAPE reads the RESHAPE's output tensor
        ops = [op for op in fixture["ops"] if op["op"] in ("CONV_2D", "FULLY_CONNECTED")]
        for label, resolver in RESOLVERS:
            kwargs = {"model_content": flatbuffer, "num_threads": 1}
            if resolver is not None:
                kwargs.update(experimental_op_resolver_type=resolver, experimental_preserve_all_tensors=True)
            desk = tf.lite.Interpreter(**kwargs)
            desk.allocate_tensors()
            i_in, i_out = desk.get_input_details()[0]["index"], desk.get_output_details()[0]["index"]
            outs, missed = [], {}
            for x in inputs:
                desk.set_tensor(i_in, x)
                desk.invoke()
                outs.append(desk.get_tensor(i_out).reshape(-1))
                if resolver is None:
                    continue
                for k, op in enumerate(ops):
                    src, dst = op["inputs"][0], op["output"]
                    xin = desk.get_tensor(tflite_index[src]).reshape(-1).astype(np.int64)
                    got = desk.get_tensor(tflite_index[dst]).reshape(-1).astype(np.int64)
                    tin, tout = fixture["tensors"][src], fixture["tensors"][dst]
                    for rounding in ("double", "single"):
                        key = (k, op["op"], rounding)
                        missed[key] = missed.get(key, 0) + int(np.count_nonzero(
                            recompute(op, xin, tin, tout, rounding) != got))
            outs = np.stack(outs).astype(np.int64)
            diff = outs - reference
            print(f"{name}, {label}: {np.count_nonzero(diff)} of {diff.size} logits bytes differ from TFLM "
                  f"({np.count_nonzero(np.any(diff, axis=1))} of {count} images, largest |difference| "
                  f"{np.abs(diff).max()}, argmax differs on "
                  f"{np.count_nonzero(outs.argmax(1) != reference.argmax(1))} images)", flush=True)
            if resolver is not None:
                for k, op in enumerate(ops):
                    d, s = missed[(k, op["op"], "double")], missed[(k, op["op"], "single")]
                    if d or s:
                        print(f"    op {k} {op['op']}: bytes not explained by double rounding {d}, by single "
                              f"rounding {s}", flush=True)
                if all(missed[(k, op["op"], "double")] == 0 for k, op in enumerate(ops)):
                    print("    every CONV_2D / FULLY_CONNECTED output is TFLM's double rounding of its input", flush=True)


def xnnpack_ops():
    total = {"bytes": 0, "differ": 0, "fp32_explains": 0, "fp32_misses": 0}
    for name, builder, seed in mf.CASES:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model = builder()
        mf.set_seeded_weights(model, seed)
        options = mf.OPTIONS.get(name, {})
        if "weights" in options:
            options["weights"](model, np.random.default_rng(seed + 3_000_000))
        flatbuffer = mf.convert(model, seed, options.get("calibration", mf.uniform_samples))
        fixture, _, _ = mf.describe(flatbuffer, name)
        kinds = [op["op"] for op in fixture["ops"] if op["op"] != "RESHAPE"]
        if kinds not in (["CONV_2D"], ["FULLY_CONNECTED"]):
            continue
        op = next(o for o in fixture["ops"] if o["op"] in ("CONV_2D", "FULLY_CONNECTED"))
        tin, tout = fixture["tensors"][fixture["input"]], fixture["tensors"][op["output"]]
        in_shape = tin["shape"]
        rng = np.random.default_rng(seed + 2_000_000)
        inputs = (options["inputs"](rng, in_shape, mf.N_CASES) if "inputs" in options
                  else [rng.integers(-128, 128, size=in_shape, dtype=np.int8) for _ in range(mf.N_CASES)])
        micro = tflm.Interpreter.from_bytes(flatbuffer, arena_size=mf.ARENA_SIZE)
        desk = tf.lite.Interpreter(model_content=flatbuffer, num_threads=1)
        desk.allocate_tensors()
        differ = explained = count = misses = 0
        lo, hi = cf.activation_range(op["activation"], tout["scale"], tout["zero_point"])
        for x in inputs:
            micro.set_input(x, 0)
            micro.invoke()
            want = np.asarray(micro.get_output(0)).reshape(-1).astype(np.int64)
            desk.set_tensor(desk.get_input_details()[0]["index"], x)
            desk.invoke()
            got = desk.get_tensor(desk.get_output_details()[0]["index"]).reshape(-1).astype(np.int64)
            # float requantization: float32(acc) * float32(s_in * s_w / s_out), round half to even
            acc = fp32_accumulators(op, x.reshape(-1).astype(np.int64), tin)
            scales = np.array([np.float32(np.float32(tin["scale"]) * np.float32(s) / np.float32(tout["scale"]))
                               for s in op["filter_scales"]], dtype=np.float32)
            fp32 = np.clip(np.rint(acc.astype(np.float32) * scales).astype(np.int64) + tout["zero_point"], lo, hi)
            fp32 = fp32.reshape(-1)
            mask = got != want
            differ += int(np.count_nonzero(mask))
            explained += int(np.count_nonzero(mask & (fp32 == got)))
            misses += int(np.count_nonzero(fp32 != got))
            count += got.size
        total["bytes"] += count
        total["differ"] += differ
        total["fp32_explains"] += explained
        total["fp32_misses"] += misses
        print(f"{name}: XNNPACK differs from TFLM in {differ} of {count} bytes; float requantization gives "
              f"{explained} of those {differ}, and misses {misses} of XNNPACK's {count} bytes", flush=True)
    print(f"single-op CONV_2D / FULLY_CONNECTED fixtures: XNNPACK differs from TFLM in {total['differ']} of "
          f"{total['bytes']} bytes; float requantization reproduces {total['fp32_explains']} of them and misses "
          f"{total['fp32_misses']} of all {total['bytes']} XNNPACK bytes", flush=True)


def fp32_accumulators(op, x, tin):
    """int32 accumulators (bias included) of a CONV_2D / FULLY_CONNECTED, channels last."""
    captured = {}

    def capture(acc, m, shift):
        captured.setdefault("acc", []).append(np.asarray(acc, dtype=np.int64))
        return np.zeros_like(np.asarray(acc, dtype=np.int64))
    cf.mbqm = capture
    try:
        tout = {"shape": None, "scale": 1.0, "zero_point": 0}
        if op["op"] == "CONV_2D":
            _, h, w, c = tin["shape"]
            o, kh, kw, _ = op["filter_shape"]
            oh, _ = cf.same_or_valid(h, kh, op["stride"][0], op["padding"])
            ow, _ = cf.same_or_valid(w, kw, op["stride"][1], op["padding"])
            tout["shape"] = [1, oh, ow, o]
            cf.conv2d(op, x, tin, {**tout, "scale": 1.0})
        else:
            cf.fully_connected(op, x, tin, {**tout, "scale": 1.0})
    finally:
        cf.mbqm = DOUBLE_MBQM
    return np.stack(captured["acc"], axis=-1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(mm.REPO.parent / "shared/data/mnist"), help="MNIST folder")
    ap.add_argument("--images", type=int, default=256)
    args = ap.parse_args()
    print(f"TensorFlow {tf.__version__}, tflite-micro {mf.tflm_version.__version__}", flush=True)
    whole_models(Path(args.data), args.images)
    xnnpack_ops()


if __name__ == "__main__":
    main()
