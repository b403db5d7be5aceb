"""Trains a VGG- or ResNet-style MNIST digit classifier with Keras and exports it as model.bin.

    Tools/train/train.sh --arch resnet --epochs 25 --out Models/resnet-mnist.bin \
        --fixture Tests/Fixtures/keras-resnet-logits.json

Architectures:
  vgg       3x3 Conv+BN+ReLU blocks with 2x2 max pooling, flatten, dropout, Dense logits, Softmax
  resnet    stem Conv+BN+ReLU, max pool, basic residual blocks (identity or 1x1 strided projection), GAP, Dense
  vgg16     VGG16's 13 convs (with BN) in 5 blocks, adapted to 28x28x1; for converter scale tests (--epochs 0)
  resnet18  ResNet18's 4 stages [64,128,256,512] x 2 basic blocks, adapted to 28x28x1; for scale tests
  tiny      VGG-style 8 | 16 | 32 channels, one 3x3 Conv+BN+ReLU and 2x2 max pooling each, flatten, Dense: small
            enough for a Cortex-M0 with 16 KB SRAM (micro:bit)

After training it saves the .keras model beside the export, writes model.bin (export.py), reads the file back
with the independent numpy reader (modelbin.py) and checks its logits against Keras, optionally writes the logits
fixture for the Swift parity test, and prints a markdown table of the graph (params, MACs, int8 activation peak).
"""

import argparse
import gzip
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

import export  # noqa: E402
import modelbin  # noqa: E402


# ---- data -----------------------------------------------------------------------------------------------------

def read_idx(path: Path) -> np.ndarray:
    """Reads an MNIST IDX file (gzip or plain)."""
    if not path.exists() and path.with_suffix("").exists():
        path = path.with_suffix("")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_mnist(directory: Path):
    def split(prefix):
        images = read_idx(directory / f"{prefix}-images-idx3-ubyte.gz")
        labels = read_idx(directory / f"{prefix}-labels-idx1-ubyte.gz")
        return (images.astype(np.float32) / 255.0)[..., None], labels.astype(np.int64)
    return split("train"), split("t10k")


# ---- architectures --------------------------------------------------------------------------------------------

def conv_bn_relu(x, filters, name, strides=1, use_bias=False):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=use_bias, name=name)(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def basic_block(x, filters, strides, name):
    """ResNet basic block: 3x3 Conv+BN+ReLU, 3x3 Conv+BN, Add shortcut, ReLU. The shortcut is the identity, or a
    1x1 strided Conv+BN projection when the shape changes."""
    shortcut = x
    y = conv_bn_relu(x, filters, f"{name}_conv1", strides=strides)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(name=f"{name}_conv2_bn")(y)
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False, name=f"{name}_proj")(x)
        shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    x = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.ReLU(name=f"{name}_out")(x)


def head(x, name):
    logits = layers.Dense(10, name="logits")(x)
    probabilities = layers.Softmax(name="softmax")(logits)
    return logits, probabilities


def build_vgg(inputs):
    x = conv_bn_relu(inputs, 16, "block1_conv1")
    x = conv_bn_relu(x, 16, "block1_conv2")
    x = layers.MaxPooling2D(2, name="block1_pool")(x)  # 14x14
    x = conv_bn_relu(x, 32, "block2_conv1")
    x = conv_bn_relu(x, 32, "block2_conv2")
    x = layers.MaxPooling2D(2, name="block2_pool")(x)  # 7x7
    x = conv_bn_relu(x, 64, "block3_conv1")
    x = layers.MaxPooling2D(2, name="block3_pool")(x)  # 3x3
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, name="dropout")(x)
    return head(x, "vgg")


def build_resnet(inputs):
    x = conv_bn_relu(inputs, 24, "stem")
    x = layers.MaxPooling2D(2, name="stem_pool")(x)  # 14x14x24
    x = basic_block(x, 24, 1, "block1")               # identity shortcut
    x = basic_block(x, 48, 2, "block2")               # 7x7x48, projection shortcut
    x = basic_block(x, 48, 1, "block3")               # identity shortcut
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return head(x, "resnet")


def build_tiny(inputs):
    # One conv per block and few channels: the int8 activation peak (28x28x8 written while the 28x28x1 input is
    # live) stays near 7 KB, so arena + stack fit a 16 KB SRAM with room for the user's firmware.
    x = conv_bn_relu(inputs, 8, "block1_conv")
    x = layers.MaxPooling2D(2, name="block1_pool")(x)  # 14x14x8
    x = conv_bn_relu(x, 16, "block2_conv")
    x = layers.MaxPooling2D(2, name="block2_pool")(x)  # 7x7x16
    x = conv_bn_relu(x, 32, "block3_conv")
    x = layers.MaxPooling2D(2, name="block3_pool")(x)  # 3x3x32
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.1, name="dropout")(x)
    return head(x, "tiny")


def build_vgg16(inputs):
    x = inputs
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        for i in range(1, convs + 1):
            name = f"block{block}_conv{i}"
            x = layers.Conv2D(filters, 3, padding="same", name=name)(x)
            x = layers.BatchNormalization(name=f"{name}_bn")(x)
            x = layers.Activation("relu", name=f"{name}_relu")(x)
        # 'same' pooling so 28 -> 14 -> 7 -> 4 -> 2 -> 1 survives five poolings
        x = layers.MaxPooling2D(2, padding="same", name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dropout(0.5, name="fc1_dropout")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    x = layers.Dropout(0.5, name="fc2_dropout")(x)
    return head(x, "vgg16")


def build_resnet18(inputs):
    x = conv_bn_relu(inputs, 64, "stem")  # 3x3 stride-1 stem and no max pool: 28x28 is small
    for stage, filters in enumerate([64, 128, 256, 512], start=1):
        for block in (1, 2):
            strides = 2 if stage > 1 and block == 1 else 1
            x = basic_block(x, filters, strides, f"stage{stage}_block{block}")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return head(x, "resnet18")


ARCHS = {"vgg": build_vgg, "resnet": build_resnet, "tiny": build_tiny, "vgg16": build_vgg16,
         "resnet18": build_resnet18}


def build(arch):
    inputs = keras.Input((28, 28, 1), name="input")
    logits, probabilities = ARCHS[arch](inputs)
    model = keras.Model(inputs, probabilities, name=f"{arch}_mnist")
    logits_model = keras.Model(inputs, logits, name=f"{arch}_mnist_logits")  # same layers, same weights
    return model, logits_model


# ---- training -------------------------------------------------------------------------------------------------

class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to `peak` over `warmup` steps, then cosine decay to `peak * final` at `total` steps."""

    def __init__(self, peak, total, warmup, final=1e-3):
        self.peak, self.total, self.warmup, self.final = peak, total, warmup, final

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        warm = self.peak * (0.04 + 0.96 * step / self.warmup)
        progress = tf.clip_by_value((step - self.warmup) / max(1, self.total - self.warmup), 0.0, 1.0)
        cosine = self.peak * (self.final + (1 - self.final) * 0.5 * (1 + tf.cos(math.pi * progress)))
        return tf.where(step < self.warmup, warm, cosine)

    def get_config(self):
        return {"peak": self.peak, "total": self.total, "warmup": self.warmup, "final": self.final}


def augmented(images, labels, batch, seed):
    """Shuffled batches with small random rotations (±10°), shifts (±10%) and zooms (±10%), padded with black."""
    augment = keras.Sequential([
        layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed + 1),
        layers.RandomZoom(0.1, 0.1, fill_mode="constant", seed=seed + 2),
    ], name="augment")
    one_hot = np.eye(10, dtype=np.float32)[labels]
    ds = tf.data.Dataset.from_tensor_slices((images, one_hot))
    ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).batch(batch, drop_remainder=True)
    ds = ds.map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def train(logits_model, train_set, test_set, args):
    (x_train, y_train), (x_test, y_test) = train_set, test_set
    steps = len(x_train) // args.batch
    schedule = OneCycle(args.lr, total=steps * args.epochs, warmup=max(1, int(steps * args.epochs * 0.15)))
    logits_model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=args.weight_decay),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=args.label_smoothing),
        metrics=["accuracy"],
    )
    start = time.time()
    logits_model.fit(
        augmented(x_train, y_train, args.batch, args.seed), epochs=args.epochs, verbose=2,
        validation_data=(x_test, np.eye(10, dtype=np.float32)[y_test]) if args.validate else None,
    )
    return time.time() - start


# ---- report ---------------------------------------------------------------------------------------------------

def markdown_table(graph):
    rows = modelbin.node_stats(graph)
    lines = ["| layer | op | output shape | parameters | MACs |", "| --- | --- | --- | ---: | ---: |"]
    for name, op, shape, params, macs in rows:
        lines.append(f"| {name} | {op} | {'x'.join(map(str, shape))} | {params:,} | {macs:,} |")
    params = sum(r[3] for r in rows)
    macs = sum(r[4] for r in rows)
    peak, where = modelbin.activation_peak(graph)
    lines.append(f"| **total** | | | **{params:,}** | **{macs:,}** |")
    lines.append("")
    lines.append(f"- parameters: {params:,} (every constant, BatchNorm statistics included)")
    lines.append(f"- MACs per image: {macs:,}")
    lines.append(f"- int8 activation peak: {peak:,} bytes (at `{where}`)")
    lines.append(f"- logits tensor: `{graph.tensors[graph.logits].name}`; output: `{graph.tensors[graph.output].name}`")
    return "\n".join(lines), params, macs, peak


def repo_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=sorted(ARCHS), required=True)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/mnist",
                        help="folder of the MNIST IDX files (default: ../shared/data/mnist beside the repo)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs (default: 25 for vgg/resnet, 0 for vgg16/resnet18)")
    parser.add_argument("--out", type=Path, required=True, help="model.bin to write; the .keras model goes beside it")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fixture", type=Path, help="write Keras logits of the first 100 test images here (JSON)")
    parser.add_argument("--report", type=Path, help="also write the markdown summary here")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--validate", action="store_true", help="print test accuracy after every epoch")
    parser.add_argument("--check-images", type=int, default=16, help="test images for the numpy check")
    args = parser.parse_args()
    if args.epochs is None:
        args.epochs = 25 if args.arch in ("vgg", "resnet", "tiny") else 0

    keras.utils.set_random_seed(args.seed)
    train_set, test_set = load_mnist(args.data)
    x_test, y_test = test_set
    model, logits_model = build(args.arch)
    print(f"{args.arch}: {model.count_params():,} Keras parameters", flush=True)

    seconds = 0.0
    if args.epochs > 0:
        seconds = train(logits_model, train_set, test_set, args)
        print(f"training: {args.epochs} epochs in {seconds:.0f} s ({seconds / args.epochs:.1f} s/epoch)", flush=True)

    # The scale-test architectures are not trained by default: for them, only score what the check and fixture need.
    evaluated = len(x_test) if args.epochs > 0 or args.arch in ("vgg", "resnet", "tiny") else max(100, args.check_images)
    start = time.time()
    test_logits = logits_model.predict(x_test[:evaluated], batch_size=500, verbose=0)
    y_eval = y_test[:evaluated]
    accuracy = float(np.mean(test_logits.argmax(axis=1) == y_eval))
    print(f"float test accuracy ({evaluated:,} MNIST test images): {accuracy * 100:.2f}% "
          f"({int(np.sum(test_logits.argmax(axis=1) != y_eval))} errors; {time.time() - start:.1f} s)", flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out.with_suffix(".keras"))
    data = export.export(model)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(data):,} bytes) and {args.out.with_suffix('.keras')}", flush=True)

    # The independent check: numpy forward pass of the file just written against Keras.
    graph = modelbin.load(args.out)
    count = min(args.check_images, len(x_test))
    worst = 0.0
    for i in range(count):
        mine = modelbin.run(graph, x_test[i])
        logits = mine[graph.logits][0]
        tolerance = 1e-4 * max(1.0, float(np.abs(test_logits[i]).max()))
        diff = float(np.abs(logits - test_logits[i]).max())
        worst = max(worst, diff)
        assert diff <= tolerance, f"image {i}: numpy logits differ from Keras by {diff} (> {tolerance})"
        probs = mine[graph.output][0]
        assert abs(probs.sum() - 1) < 1e-6
    print(f"numpy reader check: {count} test images, largest logit difference from Keras {worst:.2e}", flush=True)

    if args.fixture:
        fixture = {
            "model": repo_relative(args.out),
            "images": "t10k-images-idx3-ubyte first 100",
            "logits": [[float(v) for v in row] for row in test_logits[:100]],
            "labels": [int(v) for v in y_test[:100]],
        }
        args.fixture.parent.mkdir(parents=True, exist_ok=True)
        # json writes floats with repr: the shortest string that reads back to the same float32-valued double.
        args.fixture.write_text(json.dumps(fixture, indent=1) + "\n")
        print(f"wrote {args.fixture}", flush=True)

    table, params, macs, peak = markdown_table(graph)
    command = " ".join(["Tools/train/train.sh"] + sys.argv[1:])
    summary = (f"### {args.arch}\n\n{table}\n- float test accuracy: {accuracy * 100:.2f}% on the first {evaluated:,} MNIST test images\n"
               f"- training: {args.epochs} epochs, {seconds / 60:.1f} min wall time\n- command: `{command}`\n")
    print("\n" + summary)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(summary)


if __name__ == "__main__":
    main()
