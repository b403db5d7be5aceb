#!/usr/bin/env python3
"""Whole-model TFLite Micro fixtures for the two shipped models (Models/vgg-mnist.bin, Models/resnet-mnist.bin).

For each model this script
  1. rebuilds the float Keras logits model from model.bin (Tools/train/train.py's architecture, model.bin's
     weights, checked against Tools/train/modelbin.py's independent numpy float64 pass),
  2. converts it with TFLiteConverter full-integer post-training quantization (int8 input and output,
     TFLITE_BUILTINS_INT8) calibrated on the first 1000 MNIST training images (pixel / 255), as Tools/peers does;
     nothing is fused beyond what the converter itself does (BatchNorm and ReLU into the conv),
  3. reads the graph back from the flatbuffer (make_fixtures.describe; weights stored as base64),
  4. quantizes the first N MNIST test images with the model's input scale and zero point (round half away from
     zero, exact), runs them through TFLite Micro (reference kernels, default interpreter configuration) and
     records its int8 logits,
  5. also runs the desktop tf.lite.Interpreter with the BUILTIN_REF resolver and with the default resolver
     (XNNPACK) on the same inputs and records how many logits bytes differ from TFLM's,
  6. writes Tests/Fixtures/tflm-models/<model>.json: the graph, TFLM's logits (base64, N x 10 bytes), a CRC-32
     of each image's pixels and of each quantized input, TFLM's arena, the desktop comparison.
No MNIST pixels are written: only CRC-32s of them (and of the int8 inputs derived from them).

    Tools/tflm/make_fixtures.sh --models      # runs this after the op fixtures (needs MNIST)
"""

import argparse
import base64
import json
import os
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "Tools/train"))

import make_fixtures as mf  # noqa: E402  (sets the TF environment, converter and flatbuffer reader)
import check_fixtures as cf  # noqa: E402  (the numpy model of TFLM's reference kernels)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from tflite_micro import runtime as tflm  # noqa: E402

import modelbin  # noqa: E402
import train  # noqa: E402

CALIBRATION_COUNT = 1000
MODELS = {"vgg-mnist": "vgg", "resnet-mnist": "resnet"}
NUMPY_CHECKED = 8   # images whose every logit check_fixtures.py's integer model recomputes


def rebuild_logits_model(bin_path, arch):
    """train.py's architecture (up to the logits) with model.bin's constants."""
    graph = modelbin.load(bin_path)
    keras.backend.clear_session()
    # train.build's input has no batch size, and the converter then computes Flatten's shape at run time
    # (SHAPE, STRIDED_SLICE, PACK on int32); a batch of 1, as firmware runs it, gives a static RESHAPE.
    inputs = keras.Input((28, 28, 1), batch_size=1, name="input")
    logits, _ = train.ARCHS[arch](inputs)
    logits_model = keras.Model(inputs, logits, name=f"{arch}_mnist_logits")
    constants = {t.name: t.data for t in graph.tensors if t.is_constant}
    for layer in logits_model.layers:
        if layer.weights:
            layer.set_weights([constants[f"{layer.name}/{w.name}"] for w in layer.weights])
    return graph, logits_model


def check_float(graph, logits_model, images):
    keras_logits = logits_model.predict(images, batch_size=len(images), verbose=0)
    worst = 0.0
    for i, image in enumerate(images):
        ref = modelbin.run(graph, image)[graph.logits][0]
        worst = max(worst, float(np.abs(ref - keras_logits[i]).max()) / max(1.0, float(np.abs(ref).max())))
    assert worst <= 1e-5, f"Keras model differs from model.bin by {worst:.2e}"
    return worst


def quantize(images, scale, zero_point):
    """float32 pixel/255 -> int8: v = x / scale in float32 (as TFLite and our runtime compute it), then round half
    away from zero exactly (in float64, where |v| + 0.5 cannot round), plus the zero point, clamped."""
    v = (images / np.float32(scale)).astype(np.float64)
    q = np.sign(v) * np.floor(np.abs(v) + 0.5) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def make_model(name, arch, data, count):
    bin_path = REPO / "Models" / f"{name}.bin"
    graph, logits_model = rebuild_logits_model(bin_path, arch)
    train_images = train.read_idx(data / "train-images-idx3-ubyte.gz")[:CALIBRATION_COUNT]
    test_pixels = train.read_idx(data / "t10k-images-idx3-ubyte.gz")[:count]
    test_labels = train.read_idx(data / "t10k-labels-idx1-ubyte.gz")[:count]
    assert len(test_pixels) == count
    calibration = (train_images.astype(np.float32) / 255.0)[..., None]
    images = (test_pixels.astype(np.float32) / 255.0)[..., None]
    worst = check_float(graph, logits_model, images[:16])
    print(f"[{name}] Keras rebuilt from {bin_path.name} ({arch}); largest relative logit difference from "
          f"modelbin.py's float64 pass on 16 test images {worst:.1e}", flush=True)

    flatbuffer = mf.convert_samples(logits_model, [image[None] for image in calibration])
    fixture, _, desk_ref = mf.describe(flatbuffer, name, compact=True)
    t_in = fixture["tensors"][fixture["input"]]
    inputs = quantize(images, t_in["scale"], t_in["zero_point"]).reshape(count, *t_in["shape"])

    interp = tflm.Interpreter.from_bytes(flatbuffer, arena_size=mf.ARENA_SIZE)
    desk_default = tf.lite.Interpreter(model_content=flatbuffer)
    desk_default.allocate_tensors()
    logits, desktop = [], {"BUILTIN_REF": [], "default": []}
    for x in inputs:
        interp.set_input(x, 0)
        interp.invoke()
        y = np.asarray(interp.get_output(0)).reshape(-1)
        assert y.dtype == np.int8
        logits.append(y)
        for key, d in (("BUILTIN_REF", desk_ref), ("default", desk_default)):
            d.set_tensor(d.get_input_details()[0]["index"], x)
            d.invoke()
            desktop[key].append(d.get_tensor(d.get_output_details()[0]["index"]).reshape(-1))
    logits = np.stack(logits)

    # Independent check: the numpy integer model of the reference kernels gives TFLM's logits.
    for i in range(NUMPY_CHECKED):
        vals = cf.run(fixture, inputs[i].reshape(-1))
        assert vals[fixture["output"]].tolist() == logits[i].tolist(), f"{name}: numpy model differs on image {i}"

    comparison = {}
    for key, outs in desktop.items():
        outs = np.stack(outs)
        diff = outs.astype(np.int64) - logits
        comparison[key] = {"differing_bytes": int(np.count_nonzero(diff)),
                           "images_with_a_difference": int(np.count_nonzero(np.any(diff != 0, axis=1))),
                           "largest_difference": int(np.abs(diff).max()),
                           "argmax_differs": int(np.count_nonzero(outs.argmax(1) != logits.argmax(1)))}
        print(f"[{name}] desktop tf.lite.Interpreter {key} vs TFLM: {comparison[key]}", flush=True)

    correct = int(np.count_nonzero(logits.argmax(1) == test_labels))
    fixture["cases"] = []
    fixture["mnist"] = {
        "split": "t10k", "first": count,
        "pixels_crc32": [zlib.crc32(p.tobytes()) for p in test_pixels],
        "input_crc32": [zlib.crc32(x.tobytes()) for x in inputs],
        "logits": base64.b64encode(logits.astype(np.int8).tobytes()).decode("ascii"),
        "tflm_correct": correct,
        "calibration": f"first {CALIBRATION_COUNT} MNIST training images, pixel / 255",
        "input_quantization": "int8 = clamp(round_half_away(float32(pixel / 255) / float32(scale)) + zero_point)",
    }
    fixture["desktop_tflite_vs_tflm"] = comparison
    fixture["tflm_arena"] = mf.tflm_arena(flatbuffer)
    fixture["tflite"] = {"tensorflow": tf.__version__, "tflite_micro": mf.tflm_version.__version__,
                         "reference_kernels": True}
    ops = " ".join(op["op"] for op in fixture["ops"])
    print(f"[{name}] TFLM top-1 on the first {count} test images: {correct}/{count}; ops: {ops}; "
          f"arena {fixture['tflm_arena']}", flush=True)
    return fixture


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder (Tests/Fixtures/tflm-models)")
    ap.add_argument("--data", default=str(REPO.parent / "shared/data/mnist"), help="MNIST folder")
    ap.add_argument("--images", type=int, default=256, help="first N MNIST test images")
    ap.add_argument("--only", nargs="*", choices=sorted(MODELS), help="models to build (default: both)")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "t10k-images-idx3-ubyte.gz").exists() and not (data / "t10k-images-idx3-ubyte").exists():
        raise SystemExit(f"make_model_fixtures.py: MNIST not found in {data} (--data)")
    os.makedirs(args.out, exist_ok=True)
    for name, arch in MODELS.items():
        if args.only and name not in args.only:
            continue
        fixture = make_model(name, arch, data, args.images)
        text = mf.dumps(fixture)
        json.loads(text)
        path = os.path.join(args.out, name + ".json")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        print(f"{name}.json  {len(text)} bytes", flush=True)


if __name__ == "__main__":
    main()
