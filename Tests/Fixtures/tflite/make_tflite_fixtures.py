#!/usr/bin/env python3
"""Tiny .tflite files made by TensorFlow's own converter, and what TensorFlow reports about them.

For one small Keras model (seeded weights) covering the ops the TFLite importer reads (PAD, CONV_2D valid and
SAME/stride 2 with RELU and RELU6, MAX_POOL_2D, ADD with RELU, AVERAGE_POOL_2D, MEAN, RESHAPE, FULLY_CONNECTED,
ADD, SOFTMAX), this writes
  small_float.tflite  (TFLiteConverter, float32), and
  small_int8.tflite   (full-integer post-training quantization, int8 input and output),
and beside each a .json with what tf.lite.Interpreter reports: every tensor (name, shape, type, quantization,
a constant's values from get_tensor, floats as exact doubles), every operator (name, inputs, outputs, from _get_ops_details),
the graph inputs and outputs, plus each operator's builtin options read by the schema module tflite-micro ships
(an independent FlatBuffer reader), and the interpreter's output for one seeded input.

Run (uses the pinned venv of Tools/tflm; from the repository root):
  source Tools/venv.sh && nice -n 10 "$(ensure_venv Tools/tflm)" Tests/Fixtures/tflite/make_tflite_fixtures.py
"""

import contextlib
import io
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb  # noqa: E402

warnings.filterwarnings("ignore")
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 12
IN_SHAPE = (12, 12, 1)
NAMES = {
    "type": {v: k for k, v in vars(fb.TensorType).items() if not k.startswith("_")},
    "padding": {v: k for k, v in vars(fb.Padding).items() if not k.startswith("_")},
    "activation": {v: k for k, v in vars(fb.ActivationFunctionType).items() if not k.startswith("_")},
    "op": {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")},
}


def build():
    keras.backend.clear_session()
    inp = keras.Input(shape=IN_SHAPE, batch_size=1, name="input")
    # Asymmetric, so that the converter cannot fold it into a SAME conv: a PAD op stays in the file.
    x = layers.ZeroPadding2D(((2, 0), (2, 0)), name="pad")(inp)                          # 14x14x1
    x = layers.Conv2D(4, 3, padding="valid", activation="relu", name="conv_a")(x)        # 12x12x4
    y = layers.Conv2D(4, 3, strides=2, padding="same", name="conv_b")(x)                 # 6x6x4
    y = layers.ReLU(max_value=6.0, name="relu6")(y)
    x = layers.MaxPooling2D(2, name="maxpool")(x)                                        # 6x6x4
    z = layers.ReLU(name="add_relu")(layers.Add(name="add")([x, y]))
    a = layers.AveragePooling2D(2, padding="same", name="avgpool")(z)                    # 3x3x4
    d1 = layers.Dense(10, name="dense_flat")(layers.Flatten(name="flatten")(a))
    d2 = layers.Dense(10, name="dense_gap")(layers.GlobalAveragePooling2D(name="gap")(a))
    out = layers.Softmax(name="softmax")(layers.Add(name="logits")([d1, d2]))
    model = keras.Model(inp, out, name="small")
    rng = np.random.default_rng(SEED)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([(rng.normal(size=w.shape) * (0.1 if w.ndim == 1 else np.sqrt(2.0 / np.prod(w.shape[:-1]))))
                               .astype(np.float32) for w in weights])
    return model


def convert(model, int8):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(SEED + 1)
        samples = [rng.uniform(0.0, 1.0, size=(1,) + IN_SHAPE).astype(np.float32) for _ in range(32)]
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([s] for s in samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()


def options(op):
    """The builtin options as the generated schema module reads them (field names as in schema.fbs)."""
    o = op.builtinOptions
    if o is None:
        return {}
    out = {}
    for key, value in sorted(vars(o).items()):
        if key in ("padding",):
            value = NAMES["padding"][value]
        elif key == "fusedActivationFunction":
            value = NAMES["activation"][value]
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, (np.floating, float)):
            value = float(value)
        elif isinstance(value, (np.integer, bool)):
            value = int(value) if not isinstance(value, bool) else value
        out[key] = value
    return out


def describe(flatbuffer):
    interp = tf.lite.Interpreter(model_content=flatbuffer,
                                 experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    model = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(flatbuffer, 0))
    sg = model.subgraphs[0]
    tensors = []
    for d in sorted(interp.get_tensor_details(), key=lambda d: d["index"]):
        i = d["index"]
        if i >= len(sg.tensors):      # the interpreter's own scratch tensors, not in the file
            continue
        q = d["quantization_parameters"]
        entry = {
            "index": i, "name": d["name"], "shape": [int(s) for s in d["shape"]],
            "type": np.dtype(d["dtype"]).name,
            "scales": [float(s) for s in q["scales"]], "zero_points": [int(z) for z in q["zero_points"]],
            "quantized_dimension": int(q["quantized_dimension"]),
        }
        if model.buffers[sg.tensors[i].buffer].data is not None:
            entry["values"] = [float(v) if d["dtype"] == np.float32 else int(v) for v in interp.get_tensor(i).flatten()]
        tensors.append(entry)
    ops = []
    for d, op in zip(interp._get_ops_details(), sg.operators):
        code = model.operatorCodes[op.opcodeIndex]
        name = NAMES["op"][max(code.builtinCode, code.deprecatedBuiltinCode)]
        assert name == d["op_name"], (name, d["op_name"])
        ops.append({"index": int(d["index"]), "op": d["op_name"], "inputs": [int(t) for t in d["inputs"]],
                    "outputs": [int(t) for t in d["outputs"]], "options": options(op)})
    inputs = [int(d["index"]) for d in interp.get_input_details()]
    outputs = [int(d["index"]) for d in interp.get_output_details()]
    # One seeded input, for the later float/int8 mapping tests.
    detail = interp.get_input_details()[0]
    x = np.random.default_rng(SEED + 2).uniform(0.0, 1.0, size=detail["shape"]).astype(np.float32)
    if detail["dtype"] == np.int8:
        scale, zero = detail["quantization"]
        x = np.clip(np.round(x / scale) + zero, -128, 127).astype(np.int8)
    interp.set_tensor(detail["index"], x)
    interp.invoke()
    y = interp.get_tensor(interp.get_output_details()[0]["index"])
    return {
        "made_by": "Tests/Fixtures/tflite/make_tflite_fixtures.py (tf.lite.Interpreter BUILTIN_REF, TF "
                   + tf.__version__ + ")",
        "tensors": tensors, "operators": ops, "inputs": inputs, "outputs": outputs,
        "example": {"input": x.flatten().tolist(), "output": y.flatten().tolist()},
    }


def main():
    model = build()
    for name, int8 in (("small_float", False), ("small_int8", True)):
        flatbuffer = convert(model, int8)
        with open(os.path.join(HERE, name + ".tflite"), "wb") as f:
            f.write(flatbuffer)
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            json.dump(describe(flatbuffer), f, indent=1)
            f.write("\n")
        print(f"{name}.tflite: {len(flatbuffer)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
