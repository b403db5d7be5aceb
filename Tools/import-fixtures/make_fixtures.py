#!/usr/bin/env python3
"""Model files made the way users make them, for the importers' tests (Tests/Fixtures/import/).

Each model is trained briefly on MNIST (so its outputs mean something), then saved by its own framework:
  keras_convnet   keras.io "Simple MNIST convnet" (Sequential, fused ReLU/softmax), narrower: .keras and .h5
  keras_resnet    functional ResNet: ZeroPadding2D stem, BatchNormalization, projection shortcuts,
                  'same' stride-2 convs on odd (7) and even (4) inputs: .keras and .h5
  torch_resnet18  torchvision's ResNet (BasicBlock, [2, 2, 2, 2]) with widths / 16 and a 1-channel conv1,
                  PyTorch MNIST normalization, torch.onnx.export (default exporter, opset 17)
  torch_vgg32     VGG-style torch model on 32x32 (MNIST padded by 2), torch.onnx.export with the default
                  exporter and with the legacy TorchScript exporter (dynamo=False, dynamic batch axis)
  keras_*_float.tflite / keras_*_int8.tflite   TFLiteConverter of both Keras models, float and full int8
Beside each file, <file>.json records the producing framework's outputs on the first N_SAMPLES MNIST test
images, CRC-32s of those images' pixels (never the pixels), the exact preprocessing, training and the
test-set accuracy. Run through make.sh (pinned venv, one thread, nice).

TensorFlow and torchvision abort when imported into one process (both register LLVM options), so the Keras/TFLite
part (keras_models.py) and the torch/ONNX part (torch_models.py) each run in their own process: without
--framework this script runs itself once per framework.
"""

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

N_SAMPLES = 8             # test images whose outputs are recorded
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081   # the PyTorch MNIST example's normalization
KERAS_NAMES = ["keras_convnet", "keras_resnet"]
TORCH_NAMES = ["torch_resnet18", "torch_vgg32"]


# ------------------------------------------------------------------ MNIST ----

def read_idx(path: Path) -> np.ndarray:
    """An MNIST IDX file, gzipped or plain (the name may be given with or without .gz)."""
    if not path.exists():
        alt = path.with_suffix("") if path.suffix == ".gz" else path.with_name(path.name + ".gz")
        if alt.exists():
            path = alt
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_mnist(directory: Path):
    """uint8 images [N, 28, 28] and int64 labels for train and t10k."""
    out = {}
    for split in ("train", "t10k"):
        out[split] = (read_idx(directory / f"{split}-images-idx3-ubyte.gz"),
                      read_idx(directory / f"{split}-labels-idx1-ubyte.gz").astype(np.int64))
    return out


# Preprocessings: uint8 [N, 28, 28] pixels -> the model's float input. Each is described in the JSON.
def prep_nhwc(pixels):
    return (pixels.astype(np.float32) / np.float32(255.0))[..., None]


def prep_nchw_normalized(pixels):
    x = pixels.astype(np.float32) / np.float32(255.0)
    return ((x - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD))[:, None, :, :]


def prep_nchw_pad32(pixels):
    x = np.pad(pixels, ((0, 0), (2, 2), (2, 2))).astype(np.float32) / np.float32(255.0)
    return x[:, None, :, :]


PREP_KERAS = {
    "function": "x = pixel / 255 (float32)",
    "layout": "NHWC", "shape": [1, 28, 28, 1], "channels": 1, "pad": [0, 0, 0, 0],
    "scale": "1/255", "mean": 0.0, "std": 1.0,
}
PREP_TORCH_NORMALIZED = {
    "function": "x = (pixel / 255 - 0.1307) / 0.3081 (float32, each step rounded to float32)",
    "layout": "NCHW", "shape": [1, 1, 28, 28], "channels": 1, "pad": [0, 0, 0, 0],
    "scale": "1/255", "mean": MNIST_MEAN, "std": MNIST_STD,
}
PREP_TORCH_PAD32 = {
    "function": "28x28 padded with 2 zero pixels on every side to 32x32, then x = pixel / 255 (float32)",
    "layout": "NCHW", "shape": [1, 1, 32, 32], "channels": 1, "pad": [2, 2, 2, 2],
    "pad_order": "top, bottom, left, right", "scale": "1/255", "mean": 0.0, "std": 1.0,
}


def sample_record(mnist):
    images, labels = mnist["t10k"]
    first = images[:N_SAMPLES]
    return {
        "source": f"t10k-images-idx3-ubyte, images 0..{N_SAMPLES - 1} in file order",
        "pixels_crc32": [zlib.crc32(img.tobytes()) for img in first],
        "all_pixels_crc32": zlib.crc32(first.tobytes()),
        "all_pixels_sha256": hashlib.sha256(first.tobytes()).hexdigest(),
        "pixels_note": "uint8, row-major 28x28 per image, images concatenated; pixels are not stored here",
        "labels": [int(v) for v in labels[:N_SAMPLES]],
    }


def floats(a):
    """float32 values as exact Python floats (JSON keeps every bit)."""
    return [[float(v) for v in row] for row in np.asarray(a, dtype=np.float32).reshape(len(a), -1)]


def file_record(path: Path):
    data = path.read_bytes()
    return {"file": path.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_json(path: Path, record):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n")
    tmp.replace(path)


def accuracy(predict, images, labels, prep, batch=500):
    correct = 0
    for i in range(0, len(images), batch):
        logits = predict(prep(images[i:i + batch]))
        correct += int((np.argmax(logits, axis=1) == labels[i:i + batch]).sum())
    return {"images": int(len(images)), "correct": correct, "accuracy": correct / len(images)}


# ----------------------------------------------------------------- README ----

README_HEAD = """# Model files made by the real tools (import fixtures)

Generated by `Tools/import-fixtures/make.sh` (this file too, from the JSON files beside it: do not edit by hand;
the how and why are in `Tools/import-fixtures/README.md`). Each model was trained briefly on MNIST and saved by
its own framework the way a user saves it. Beside every model file, `<file>.json` holds:

- `outputs`: the producing framework's float outputs on the first 8 MNIST test images (t10k, file order),
  float32 values written exactly; for the int8 `.tflite` files `tflm_outputs_int8`, TFLite Micro's int8 output
  bytes (reference kernels, tflite-micro wheel), with `input_quantization` and `int8_inputs_crc32`;
- `samples`: CRC-32 of each image's 784 uint8 pixels (and of all 8 together, plus a SHA-256), and the labels:
  the pixels themselves are never stored, tests read them from `../shared/data/mnist` and check the CRCs;
- `preprocessing`: pixels -> model input, exactly (layout, padding, scale, mean, std);
- `training` (epochs, optimizer, seed) and `test_accuracy` on all 10,000 MNIST test images, computed by the
  producing framework (TFLite Micro for the int8 files);
- `sha256` of the model file, `versions` of the producing tools.

Regenerate: `Tools/import-fixtures/make.sh` (all) or `Tools/import-fixtures/make.sh --only keras_convnet`.

| file | bytes | made by | input | epochs | test accuracy (10k) |
| --- | ---: | --- | --- | ---: | ---: |
"""


def write_readme(out: Path):
    rows, total = [], 0
    for meta in sorted(out.glob("*.json")):
        r = json.loads(meta.read_text())
        model_path = out / r["file"]
        if not model_path.exists():
            continue
        total += r["bytes"]
        p = r["preprocessing"]
        shape = "x".join(str(v) for v in p["shape"][1:])
        norm = f", (x-{p['mean']})/{p['std']}" if p["std"] != 1.0 else ""
        pad = ", padded 2" if any(p["pad"]) else ""
        kind = r["input"]["dtype"]
        acc = r["test_accuracy"]
        made = r["producer"].split(": ", 1)
        rows.append(f"| `{r['file']}` | {r['bytes']} | {made[0]}: `{made[1]}` | {p['layout']} {shape} {kind}"
                    f"{pad}{norm} | {r['training']['epochs']} | {acc['accuracy'] * 100:.2f}% |")
    text = README_HEAD + "\n".join(rows) + f"\n\nTotal: {total} bytes in {len(rows)} model files.\n"
    versions = {}
    for meta in sorted(out.glob("*.json")):
        versions.update(json.loads(meta.read_text())["versions"])
    text += "\nVersions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".\n"
    tmp = out / "README.md.tmp"
    tmp.write_text(text)
    tmp.replace(out / "README.md")


# ------------------------------------------------------------------- main ----

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mnist", type=Path, required=True, help="folder with the MNIST IDX files")
    parser.add_argument("--out", type=Path, required=True, help="output folder (Tests/Fixtures/import)")
    parser.add_argument("--only", action="append", choices=KERAS_NAMES + TORCH_NAMES,
                        help="make only this model's files (repeatable)")
    parser.add_argument("--framework", choices=["keras", "torch"], help="run one part in this process")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = args.only or KERAS_NAMES + TORCH_NAMES

    if args.framework is None:
        for framework, names in (("keras", KERAS_NAMES), ("torch", TORCH_NAMES)):
            mine = [n for n in wanted if n in names]
            if mine:
                cmd = [sys.executable, __file__, "--mnist", str(args.mnist), "--out", str(args.out),
                       "--framework", framework] + [a for n in mine for a in ("--only", n)]
                subprocess.run(cmd, check=True)
        write_readme(args.out)
        return

    start = time.time()

    def log(msg):
        print(f"[{args.framework} {time.time() - start:6.1f} s] {msg}", flush=True)

    mnist = load_mnist(args.mnist)
    if args.framework == "keras":
        import keras_models
        for name in (n for n in wanted if n in KERAS_NAMES):
            keras_models.make(name, mnist, args.out, log)
    else:
        import torch_models
        for name in (n for n in wanted if n in TORCH_NAMES):
            torch_models.make(name, mnist, args.out, log)
    log("done")


if __name__ == "__main__":
    main()
