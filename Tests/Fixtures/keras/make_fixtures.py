"""Makes the tiny seeded Keras fixtures the ModelImport Keras tests read (Tests/Fixtures/keras/).

Run from the repository root:  Tests/Fixtures/keras/make_fixtures.sh [NAME ...]   (all models when none given)
Uses Tools/tflm's pinned venv (keras 3.15.1, tensorflow-cpu 2.21.0). The models are untrained: weights come from
seeded initializers, BatchNormalization statistics are set to seeded values so that none of them is trivial.

For every model it writes NAME.keras (model.save) and NAME.h5 (legacy model.save) and NAME.json: the layers as
Keras reports them (class, name, inbound layers, the config keys the importer reads) and every weight's shape, sum
and FNV-1a 64 hash of its float32 little-endian bytes, in Keras's own weight order, plus the model's output on a
seeded input.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
CONFIG_KEYS = ["filters", "kernel_size", "strides", "padding", "activation", "use_bias", "dilation_rate",
               "pool_size", "epsilon", "axis", "max_value", "units", "rate", "target_shape", "data_format",
               "center", "scale", "negative_slope", "threshold"]


def fnv1a64(values):
    h = 0xcbf29ce484222325
    for b in np.ascontiguousarray(values, dtype="<f4").tobytes():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def sequential():
    keras.utils.set_random_seed(12)
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a"),
        layers.MaxPooling2D(2, name="pool_a"),
        layers.Conv2D(6, (3, 3), padding="valid", use_bias=False, name="conv_b"),
        layers.BatchNormalization(epsilon=1e-3, name="bn_b"),
        layers.ReLU(max_value=6.0, name="relu6_b"),
        layers.AveragePooling2D(pool_size=2, strides=1, padding="same", name="avg_b"),
        layers.Reshape((24,), name="reshape"),
        layers.Dropout(0.25, name="drop"),
        layers.Dense(10, activation="softmax", name="dense"),
    ], name="seq")
    return model


def functional():
    keras.utils.set_random_seed(13)
    inputs = keras.Input(shape=(10, 10, 1), name="image")
    x = layers.ZeroPadding2D(padding=((1, 0), (2, 1)), name="stem_pad")(inputs)
    x = layers.Conv2D(8, 3, strides=2, use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    y = layers.Conv2D(8, 3, padding="same", name="block_conv1")(x)
    y = layers.BatchNormalization(name="block_bn1")(y)
    y = layers.Activation("relu6", name="block_relu6")(y)
    y = layers.Conv2D(4, 1, strides=2, padding="same", name="block_conv2")(y)
    s = layers.Conv2D(4, 1, strides=2, name="short_conv")(x)
    s = layers.BatchNormalization(center=False, name="short_bn")(s)
    z = layers.Add(name="add")([y, s])
    z = layers.ReLU(name="add_relu")(z)
    z = layers.MaxPooling2D(pool_size=2, strides=1, padding="same", name="pool")(z)
    g = layers.GlobalAveragePooling2D(name="gap")(z)
    f = layers.Flatten(name="flat")(z)
    f = layers.Dense(4, name="dense_flat")(f)
    h = layers.Add(name="head_add")([g, f])
    h = layers.Dense(10, name="logits")(h)
    out = layers.Softmax(name="softmax")(h)
    return keras.Model(inputs, out, name="func")


def normalized():
    """Rescaling then an adapted Normalization at the input (folded into the input normalization), 'same'
    stride 2 on an even (6) and an odd (7) side, 'same' average pooling, keepdims GlobalAveragePooling2D + Flatten.
    Takes pixels 0...255 (the input the .json records is scaled so)."""
    keras.utils.set_random_seed(14)
    inputs = keras.Input(shape=(6, 7, 1), name="pixels")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = layers.Normalization(axis=-1, name="norm")(x)
    x = layers.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="conv")(x)
    x = layers.AveragePooling2D(2, strides=2, padding="same", name="avg")(x)
    x = layers.GlobalAveragePooling2D(keepdims=True, name="gap")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dense(4, name="logits")(x)
    model = keras.Model(inputs, x, name="normalized")
    rng = np.random.default_rng(15)
    model.get_layer("norm").adapt(rng.uniform(0.1, 0.6, (64, 6, 7, 1)).astype("float32"))
    return model


def normalized_seq():
    """A Normalization made with its mean and variance (in the config, no weights), as for MNIST in [0, 1]."""
    keras.utils.set_random_seed(16)
    return keras.Sequential([
        keras.Input(shape=(5, 5, 1)),
        layers.Normalization(mean=0.1307, variance=0.3081 ** 2, name="norm"),
        layers.Conv2D(2, 2, padding="same", name="conv"),
        layers.Flatten(name="flat"),
        layers.Dense(3, activation="softmax", name="dense"),
    ], name="normseq")


def randomize_bn(model, seed):
    """Seeded BatchNormalization statistics and biases (Keras initializes them to constants)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if not isinstance(layer, layers.BatchNormalization) and getattr(layer, "bias", None) is not None:
            layer.bias.assign(rng.normal(0.0, 0.1, layer.bias.shape).astype("float32"))
        if isinstance(layer, layers.BatchNormalization):
            new = []
            for w in layer.weights:
                if "variance" in w.path:
                    new.append(rng.uniform(0.5, 2.0, w.shape).astype("float32"))
                else:
                    new.append(rng.normal(0.0, 0.5, w.shape).astype("float32"))
            layer.set_weights(new)


def describe(model, seed, input_scale=1.0):
    described = []
    for layer in model.layers:
        config = layer.get_config()
        entry = {"class_name": layer.__class__.__name__, "name": layer.name,
                 "config": {k: config[k] for k in CONFIG_KEYS if k in config}}
        inbound = []
        for node in getattr(layer, "_inbound_nodes", []):
            for t in node.input_tensors:
                inbound.append(t._keras_history.operation.name)
        entry["inbound"] = inbound
        entry["weights"] = [{"path": w.path, "shape": list(w.shape), "sum": float(np.sum(np.asarray(w, dtype="float64"))),
                             "fnv1a64": fnv1a64(np.asarray(w))} for w in layer.weights]
        described.append(entry)
    rng = np.random.default_rng(seed)
    shape = (1,) + tuple(model.input_shape[1:])
    x = (rng.uniform(0.0, 1.0, shape) * input_scale).astype("float32")
    y = model.predict(x, verbose=0)
    return {"keras_version": keras.__version__, "model_class": model.__class__.__name__,
            "input_shape": list(shape), "layers": described,
            "input": [float(v) for v in x.reshape(-1)], "output": [float(v) for v in y.reshape(-1)]}


def main():
    models = [("sequential", sequential, 21, 1.0), ("functional", functional, 22, 1.0),
              ("normalized", normalized, 23, 255.0), ("normalized_seq", normalized_seq, 24, 1.0)]
    wanted = sys.argv[1:] or [m[0] for m in models]
    for name, make, seed, input_scale in models:
        if name not in wanted:
            continue
        model = make()
        randomize_bn(model, seed)
        model.save(os.path.join(OUT, name + ".keras"))
        model.save(os.path.join(OUT, name + ".h5"))
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(describe(model, seed + 100, input_scale), f, indent=1, sort_keys=True)
            f.write("\n")
        print(name, "written", file=sys.stderr)


if __name__ == "__main__":
    main()
