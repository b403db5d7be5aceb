"""Keras models and their TFLite conversions (run by make_fixtures.py --framework keras)."""

import contextlib
import io
import os
import sys
import time
import warnings
import zlib
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from tflite_micro import runtime as tflm  # noqa: E402
from tflite_micro.python.tflite_micro import _version as tflm_version  # noqa: E402

from make_fixtures import (N_SAMPLES, PREP_KERAS, accuracy, file_record, floats, prep_nhwc,  # noqa: E402
                           sample_record, write_json)

warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.experimental.enable_op_determinism()

N_CALIBRATION = 200       # representative dataset: the first MNIST train images
ARENA_SIZE = 512 * 1024
VERSIONS = {
    "python": sys.version.split()[0],
    "tensorflow": tf.__version__,
    "keras": keras.__version__,
    "tflite_micro": tflm_version.__version__,
    "numpy": np.__version__,
}


def keras_convnet():
    """keras.io "Simple MNIST convnet", widths 32/64 narrowed to 16/32."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="keras_convnet")


def keras_resnet():
    """A small functional ResNet in the keras.applications style; outputs logits."""
    def block(x, filters, strides, name):
        shortcut = x
        y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=name + "_conv1")(x)
        y = layers.BatchNormalization(name=name + "_bn1")(y)
        y = layers.Activation("relu", name=name + "_relu1")(y)
        y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=name + "_conv2")(y)
        y = layers.BatchNormalization(name=name + "_bn2")(y)
        if strides != 1 or shortcut.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, strides=strides, padding="same", use_bias=False,
                                     name=name + "_proj")(shortcut)
            shortcut = layers.BatchNormalization(name=name + "_proj_bn")(shortcut)
        y = layers.Add(name=name + "_add")([y, shortcut])
        return layers.ReLU(name=name + "_out")(y)

    inp = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.ZeroPadding2D(3, name="stem_pad")(inp)                          # 34x34
    x = layers.Conv2D(8, 7, strides=2, use_bias=False, name="stem_conv")(x)   # 14x14, 'valid'
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    x = layers.ZeroPadding2D(1, name="pool_pad")(x)                            # 16x16
    x = layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)                 # 7x7
    x = block(x, 8, 1, "s1")                                                   # 7x7, identity shortcut
    x = block(x, 16, 2, "s2")                                                  # 'same' stride 2 on 7 (odd) -> 4
    x = block(x, 24, 2, "s3")                                                  # 'same' stride 2 on 4 (even) -> 2
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(10, name="logits")(x)
    return keras.Model(inp, x, name="keras_resnet")


KERAS_MODELS = {
    # name: (builder, seed, epochs, output kind, loss, optimizer and its description). The ResNet trains with
    # SGD + momentum, which keeps one slot per weight (Adam keeps two): model.save() stores the optimizer's
    # state too, and this keeps the files small.
    "keras_convnet": (keras_convnet, 1201, 2, "probabilities (softmax)", "sparse_categorical_crossentropy",
                      lambda: keras.optimizers.Adam(1e-3), "Adam(1e-3)"),
    "keras_resnet": (keras_resnet, 1202, 2, "logits", "sparse_categorical_crossentropy(from_logits=True)",
                     lambda: keras.optimizers.SGD(0.05, momentum=0.9), "SGD(0.05, momentum=0.9)"),
}


def train_keras(name, mnist, out: Path, log):
    builder, seed, epochs, output_kind, loss_name, optimizer, optimizer_name = KERAS_MODELS[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = builder()
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=(output_kind == "logits"))
    model.compile(optimizer=optimizer(), loss=loss, metrics=["accuracy"])
    train_x, train_y = mnist["train"]
    t0 = time.time()
    model.fit(prep_nhwc(train_x), train_y, batch_size=128, epochs=epochs, shuffle=True, verbose=0)
    log(f"{name}: trained {epochs} epochs in {time.time() - t0:.0f} s")

    test_x, test_y = mnist["t10k"]
    acc = accuracy(lambda x: model.predict(x, batch_size=500, verbose=0), test_x, test_y, prep_nhwc)
    samples = prep_nhwc(test_x[:N_SAMPLES])
    outputs = model.predict(samples, batch_size=N_SAMPLES, verbose=0)
    log(f"{name}: test accuracy {acc['accuracy']:.4f}")

    training = {"epochs": epochs, "batch_size": 128, "optimizer": optimizer_name, "loss": loss_name,
                "train_images": int(len(train_x)), "seed": seed, "shuffle": True}
    for ext, how in ((".keras", f'model.save("{name}.keras")'), (".h5", f'model.save("{name}.h5")')):
        path = out / (name + ext)
        with contextlib.redirect_stderr(io.StringIO()):   # the legacy-format warning for .h5
            model.save(path)
        reloaded = keras.models.load_model(path)
        re_out = reloaded.predict(samples, batch_size=N_SAMPLES, verbose=0)
        diff = float(np.max(np.abs(re_out - outputs)))
        if diff != 0.0:
            raise SystemExit(f"{path}: reloaded model differs from the trained one by {diff}")
        write_json(out / (path.name + ".json"), {
            **file_record(path),
            "producer": f"Keras {keras.__version__} / TensorFlow {tf.__version__}: {how}",
            "model": name, "class_name": type(model).__name__, "parameters": int(model.count_params()),
            "input": {"name": model.inputs[0].name, "dtype": "float32"},
            "preprocessing": PREP_KERAS,
            "output_kind": output_kind,
            "training": training,
            "test_accuracy": acc,
            "samples": sample_record(mnist),
            "outputs_from": "model.predict on the trained model (batch of all samples); keras.models.load_model "
                            "of this file gives identical values",
            "outputs": floats(outputs),
            "predictions": [int(v) for v in np.argmax(outputs, axis=1)],
            "versions": VERSIONS,
        })
        log(f"{name}: wrote {path.name} ({path.stat().st_size} bytes)")
    return model, acc, training


# ----------------------------------------------------------------- TFLite ----

def tflm_run(model_bytes, inputs):
    interp = tflm.Interpreter.from_bytes(model_bytes, arena_size=ARENA_SIZE)
    outs = []
    for x in inputs:
        interp.set_input(x[None, ...], 0)
        interp.invoke()
        outs.append(np.array(interp.get_output(0)).reshape(-1))
    return np.stack(outs)


def tflite_interpreter(model_bytes):
    interp = tf.lite.Interpreter(model_content=model_bytes, num_threads=1,
                                 experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    return interp


def tflite_run(interp, inputs):
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    outs = []
    for x in inputs:
        interp.set_tensor(inp["index"], x[None, ...])
        interp.invoke()
        outs.append(interp.get_tensor(out["index"]).reshape(-1).copy())
    return np.stack(outs)


def quantize_input(x, scale, zero_point):
    """float -> int8 as recorded in the JSON: round half away from zero, add the zero point, clamp."""
    q = np.sign(x / scale) * np.floor(np.abs(x / scale) + 0.5) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def convert_tflite(name, model, keras_acc, training, mnist, out: Path, log):
    train_x, _ = mnist["train"]
    test_x, test_y = mnist["t10k"]
    samples = prep_nhwc(test_x[:N_SAMPLES])
    calibration = prep_nhwc(train_x[:N_CALIBRATION])

    def representative_dataset():
        for i in range(len(calibration)):
            yield [calibration[i:i + 1]]

    results = {}
    for kind in ("float", "int8"):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        how = "tf.lite.TFLiteConverter.from_keras_model(model)"
        if kind == "int8":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = representative_dataset
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
            how += ("; optimizations=[DEFAULT], representative_dataset = the first "
                    f"{N_CALIBRATION} MNIST train images (pixel/255, NHWC, one per yield), "
                    "supported_ops=[TFLITE_BUILTINS_INT8], inference_input_type=inference_output_type=tf.int8")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            data = converter.convert()
        path = out / f"{name}_{kind}.tflite"
        path.write_bytes(data)
        interp = tflite_interpreter(data)
        in_d, out_d = interp.get_input_details()[0], interp.get_output_details()[0]
        record = {
            **file_record(path),
            "producer": f"TensorFlow {tf.__version__} / Keras {keras.__version__}: {how}",
            "model": name, "converted_from": f"{name}.keras (the same trained model, in memory)",
            "input": {"name": in_d["name"], "shape": [int(v) for v in in_d["shape"]],
                      "dtype": np.dtype(in_d["dtype"]).name},
            "preprocessing": PREP_KERAS,
            "output_kind": KERAS_MODELS[name][3],
            "training": training,
            "keras_test_accuracy": keras_acc,
            "samples": sample_record(mnist),
        }
        if kind == "float":
            ref = tflite_run(interp, samples)
            micro = tflm_run(data, samples)
            acc = accuracy(lambda x: tflite_run(interp, x), test_x, test_y, prep_nhwc)
            record.update({
                "test_accuracy": acc,
                "test_accuracy_from": "tf.lite.Interpreter (BUILTIN_REF kernels)",
                "outputs_from": "tf.lite.Interpreter with the BUILTIN_REF (reference) kernels, one image per invoke",
                "outputs": floats(ref),
                "tflm_outputs": floats(micro),
                "tflm_max_abs_diff": float(np.max(np.abs(micro - ref))),
                "predictions": [int(v) for v in np.argmax(ref, axis=1)],
            })
        else:
            in_scale, in_zp = float(in_d["quantization"][0]), int(in_d["quantization"][1])
            out_scale, out_zp = float(out_d["quantization"][0]), int(out_d["quantization"][1])
            q_samples = quantize_input(samples, np.float32(in_scale), in_zp)
            micro = tflm_run(data, q_samples)
            ref = tflite_run(interp, q_samples)
            if not np.array_equal(micro, ref):
                log(f"{name}_int8: TFLM and tf.lite BUILTIN_REF differ on the samples")
            t0 = time.time()
            acc = accuracy(lambda x: tflm_run(data, quantize_input(x, np.float32(in_scale), in_zp)),
                           test_x, test_y, prep_nhwc)
            log(f"{name}_int8: TFLM on the test set took {time.time() - t0:.0f} s")
            record.update({
                "input_quantization": {"scale": in_scale, "zero_point": in_zp,
                                       "rule": "q = clamp(round_half_away_from_zero(x / scale) + zero_point, "
                                               "-128, 127) with x = pixel/255 and scale as float32"},
                "int8_inputs_crc32": [zlib.crc32(q.tobytes()) for q in q_samples],
                "int8_inputs_equal_pixel_minus_128": bool(np.array_equal(
                    q_samples.reshape(N_SAMPLES, -1).astype(np.int16),
                    test_x[:N_SAMPLES].reshape(N_SAMPLES, -1).astype(np.int16) - 128)),
                "output_quantization": {"scale": out_scale, "zero_point": out_zp},
                "test_accuracy": acc,
                "test_accuracy_from": "TFLite Micro (tflite-micro wheel, reference kernels) on all 10000 images",
                "outputs_from": "TFLite Micro (tflite_micro.runtime.Interpreter, reference kernels), "
                                "one image per invoke; int8 output values",
                "tflm_outputs_int8": [[int(v) for v in row] for row in micro],
                "desktop_builtin_ref_equal_tflm": bool(np.array_equal(micro, ref)),
                "outputs_dequantized": [[(int(v) - out_zp) * out_scale for v in row] for row in micro],
                "predictions": [int(v) for v in np.argmax(micro, axis=1)],
            })
        record["versions"] = VERSIONS
        write_json(out / (path.name + ".json"), record)
        results[kind] = record["test_accuracy"]
        log(f"{path.name}: {len(data)} bytes, test accuracy {record['test_accuracy']['accuracy']:.4f}")
    return results


def make(name, mnist, out: Path, log):
    model, acc, training = train_keras(name, mnist, out, log)
    convert_tflite(name, model, acc, training, mnist, out, log)
