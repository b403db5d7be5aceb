#!/usr/bin/env python3
"""Golden int8 fixtures produced by TensorFlow Lite Micro's reference kernels.

For every case below this script
  1. builds a tiny Keras model whose float weights come from a seeded numpy RNG,
  2. converts it with TFLiteConverter, full-integer post-training quantization
     (int8 input and output, TFLITE_BUILTINS_INT8 only, seeded representative
     dataset), so the converter itself chooses the per-channel / per-tensor
     weight scales, the int32 biases and every activation's scale/zero point,
  3. reads the graph back from the .tflite flatbuffer (operators in stored
     order, builtin options, quantization, constant buffers; constants are
     cross-checked against tf.lite.Interpreter.get_tensor),
  4. runs seeded random int8 inputs through TFLite Micro
     (tflite_micro.runtime.Interpreter) and records its int8 outputs,
  5. writes Tests/Fixtures/tflm/<case>.json.

Run it through make_fixtures.sh, which creates the pinned virtualenv.
Deterministic: same versions + same seeds give byte-identical files.
"""

import argparse
import base64
import contextlib
import io
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from tflite_micro import runtime as tflm  # noqa: E402
from arena_of import allocations  # noqa: E402  (same folder)
from tflite_micro.python.tflite_micro import _version as tflm_version  # noqa: E402
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb  # noqa: E402

warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
warnings.filterwarnings("ignore", message=".*Statistics for quantized inputs were expected.*")
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

N_CASES = 4            # int8 inputs recorded per fixture
N_CALIBRATION = 64     # representative-dataset samples
ARENA_SIZE = 256 * 1024

BUILTIN_NAMES = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
PADDING_NAMES = {v: k for k, v in vars(fb.Padding).items() if not k.startswith("_")}
ACTIVATION_NAMES = {v: k for k, v in vars(fb.ActivationFunctionType).items() if not k.startswith("_")}
TENSOR_TYPE_NAMES = {v: k for k, v in vars(fb.TensorType).items() if not k.startswith("_")}


# ---------------------------------------------------------------- cases ----

def _in(shape):
    return keras.Input(shape=shape, batch_size=1, name="input")


def conv_case(in_shape, filters, kernel, strides, padding, activation, relu_layer=False):
    """activation: None, 'relu' or 'relu6'. relu_layer: use a separate Keras
    ReLU layer instead of Conv2D(activation=...) (the converter fuses both)."""
    def build():
        inp = _in(in_shape)
        act = None if (relu_layer or activation in (None, "relu6")) else activation
        x = layers.Conv2D(filters, kernel, strides=strides, padding=padding,
                          activation=act, name="conv")(inp)
        if activation == "relu6":
            x = layers.ReLU(max_value=6.0, name="relu6")(x)
        elif activation == "relu" and relu_layer:
            x = layers.ReLU(name="relu")(x)
        return keras.Model(inp, x, name="model")
    return build


def dense_case(in_shape, units, activation, flatten=True):
    def build():
        inp = _in(in_shape)
        x = layers.Flatten(name="flatten")(inp) if flatten else inp
        x = layers.Dense(units, activation=activation, name="dense")(x)
        return keras.Model(inp, x, name="model")
    return build


def pool_case(kind, in_shape, pool, strides, padding):
    def build():
        inp = _in(in_shape)
        layer = layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D
        x = layer(pool_size=pool, strides=strides, padding=padding, name=kind + "pool")(inp)
        return keras.Model(inp, x, name="model")
    return build


def mean_case(in_shape, conv_filters=None):
    def build():
        inp = _in(in_shape)
        x = inp
        if conv_filters:
            x = layers.Conv2D(conv_filters, 3, padding="same", activation="relu", name="conv")(x)
        x = layers.GlobalAveragePooling2D(name="gap")(x)
        return keras.Model(inp, x, name="model")
    return build


def add_case(in_shape, filters, relu_after):
    def build():
        inp = _in(in_shape)
        a = layers.Conv2D(filters, 3, padding="same", name="branch_a")(inp)
        b = layers.Conv2D(filters, 1, padding="same", name="branch_b_x4")(inp)
        x = layers.Add(name="add")([a, b])
        if relu_after:
            x = layers.ReLU(name="relu")(x)
        return keras.Model(inp, x, name="model")
    return build


def small_model():
    inp = _in((12, 12, 1))
    x = layers.Conv2D(6, 3, padding="same", activation="relu", name="conv1")(inp)
    x = layers.MaxPooling2D(2, name="pool1")(x)                                  # 6x6x6
    main = layers.Conv2D(12, 3, strides=2, padding="same", activation="relu", name="conv2")(x)
    proj = layers.Conv2D(12, 1, strides=2, padding="same", name="proj")(x)       # 3x3x12
    x = layers.Add(name="add")([main, proj])
    x = layers.ReLU(name="add_relu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(10, name="dense")(x)
    return keras.Model(inp, x, name="model")


def add_scaled_case(in_shape, filters, tiny_first, relu_after):
    """ADD of a conv branch and a second conv branch whose weights and bias are 1000 times smaller (layer name
    'branch_b_x1e-3'), so the two input scales differ by about 1000: the small input's multiplier gets a shift
    near -10. `tiny_first` puts the small branch first (ADD's input1)."""
    def build():
        inp = _in(in_shape)
        a = layers.Conv2D(filters, 3, padding="same", name="branch_a")(inp)
        b = layers.Conv2D(filters, 1, padding="same", name="branch_b_x1e-3")(inp)
        x = layers.Add(name="add")([b, a] if tiny_first else [a, b])
        if relu_after:
            x = layers.ReLU(name="relu")(x)
        return keras.Model(inp, x, name="model")
    return build


def cancel_case(in_shape, filters):
    """A 3x3 conv over 2 input channels whose weights on channel 1 are minus (1 - eps) times channel 0's, with no
    bias (`cancelling_weights`), calibrated on inputs whose channel 1 is channel 0 plus a little noise
    (`near_duplicate_channels`): the output range is tiny compared with input scale x weight scale, so the
    effective scale s_in * s_w / s_out is >= 1 and TFLite's requantization shift is positive."""
    def build():
        inp = _in(in_shape)
        x = layers.Conv2D(filters, 3, padding="same", name="conv_cancel")(inp)
        return keras.Model(inp, x, name="model")
    return build


def cancelling_weights(model, rng):
    layer = model.get_layer("conv_cancel")
    w, b = layer.get_weights()
    eps = np.array([1e-4, 2e-4, 1e-4, 3e-4][: w.shape[3]], dtype=np.float32)
    w[:, :, 1, :] = -w[:, :, 0, :] * (1.0 - eps)
    layer.set_weights([w, np.zeros_like(b)])


def near_duplicate_channels(noise):
    """Float samples (calibration) with channel 1 = channel 0 + uniform(-noise, noise)."""
    def sample(rng, shape):
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        x[..., 1] = x[..., 0] + rng.uniform(-noise, noise, size=shape[:-1]).astype(np.float32)
        return x
    return sample


def near_duplicate_int8(changed):
    """int8 test inputs with channel 1 = channel 0, except that a fraction `changed` of the pixels get +-1 on
    channel 1 (so many outputs stay inside the int8 range despite the effective scale above 1), clipped."""
    def inputs(rng, shape, count):
        result = []
        for _ in range(count):
            x = rng.integers(-128, 128, size=shape, dtype=np.int64)
            step = rng.choice([-1, 0, 1], size=shape[:-1], p=[changed / 2, 1 - changed, changed / 2])
            x[..., 1] = np.clip(x[..., 0] + step, -128, 127)
            result.append(x.astype(np.int8))
        return result
    return inputs


def pad_case(in_shape, pads, follower=None, relu_conv=None):
    """Keras ZeroPadding2D (TFLite PAD, int8: filled with the zero point) with pads ((top, bottom), (left, right)),
    then optionally `follower`: ("conv", filters, kernel, stride) for a 'valid' Conv2D, or ("max", pool, stride) for a
    'valid' MaxPooling2D. `relu_conv`: that many filters of a 3x3 'same' Conv2D with ReLU before the pad (so the
    padded tensor is never negative and a max pool may ignore the pad)."""
    def build():
        inp = _in(in_shape)
        x = inp
        if relu_conv:
            x = layers.Conv2D(relu_conv, 3, padding="same", activation="relu", name="conv_relu")(x)
        x = layers.ZeroPadding2D(pads, name="pad")(x)
        if follower and follower[0] == "conv":
            x = layers.Conv2D(follower[1], follower[2], strides=follower[3], padding="valid", name="conv")(x)
        elif follower and follower[0] == "max":
            x = layers.MaxPooling2D(follower[1], strides=follower[2], padding="valid", name="maxpool")(x)
        return keras.Model(inp, x, name="model")
    return build


def mean_keepdims_case(in_shape):
    def build():
        inp = _in(in_shape)
        x = layers.GlobalAveragePooling2D(keepdims=True, name="gap")(inp)
        return keras.Model(inp, x, name="model")
    return build


def softmax_case(in_shape, units, dense_name="logits"):
    """A Dense layer (weights scaled by WEIGHT_GAIN[dense_name] when listed) and a Keras Softmax (beta 1): TFLM's
    int8 SOFTMAX on the Dense output's scale, output scale 1/256 and zero point -128."""
    def build():
        inp = _in(in_shape)
        x = layers.Dense(units, name=dense_name)(inp)
        x = layers.Softmax(name="softmax")(x)
        return keras.Model(inp, x, name="model")
    return build


# name -> (builder, seed). Options per case are in OPTIONS.
CASES = [
    ("conv3x3_same_s1_relu",     conv_case((8, 8, 3), 8, 3, 1, "same", "relu", relu_layer=True), 101),
    ("conv3x3_same_s1_none_c8",  conv_case((8, 8, 8), 16, 3, 1, "same", None), 102),
    ("conv3x3_same_s2_none",     conv_case((9, 9, 3), 6, 3, 2, "same", None), 103),
    ("conv3x3_same_s2_relu6",    conv_case((10, 10, 1), 4, 3, 2, "same", "relu6"), 104),
    ("conv3x3_valid_s1_relu6",   conv_case((10, 10, 1), 4, 3, 1, "valid", "relu6"), 105),
    ("conv3x3_valid_s1_relu_c8", conv_case((9, 9, 8), 10, 3, 1, "valid", "relu"), 106),
    ("conv1x1_s1_relu",          conv_case((7, 7, 8), 16, 1, 1, "same", "relu"), 107),
    ("conv1x1_s2_none",          conv_case((8, 8, 8), 12, 1, 2, "same", None), 108),
    ("conv1x1_s2_valid_odd",     conv_case((7, 7, 3), 8, 1, 2, "valid", None), 109),
    ("conv5x5_same_s1_relu",     conv_case((12, 12, 1), 8, 5, 1, "same", "relu"), 110),
    ("conv5x5_same_s1_relu6_c3", conv_case((8, 8, 3), 5, 5, 1, "same", "relu6"), 111),
    ("fc_flatten_none",          dense_case((4, 4, 3), 10, None), 201),
    ("fc_flatten_relu",          dense_case((3, 3, 8), 16, "relu"), 202),
    ("fc_2d_relu",               dense_case((24,), 8, "relu", flatten=False), 203),
    ("maxpool2x2_s2_valid",      pool_case("max", (8, 8, 4), 2, 2, "valid"), 301),
    ("maxpool3x3_s2_same",       pool_case("max", (9, 9, 3), 3, 2, "same"), 302),
    ("avgpool2x2_s2_valid",      pool_case("avg", (8, 8, 4), 2, 2, "valid"), 303),
    ("avgpool3x3_s1_same",       pool_case("avg", (7, 7, 3), 3, 1, "same"), 304),
    ("mean_gap_6x6",             mean_case((6, 6, 8)), 401),
    ("mean_gap_after_conv_relu", mean_case((8, 8, 3), conv_filters=8), 402),
    ("add_residual",             add_case((8, 8, 4), 6, relu_after=False), 501),
    ("add_residual_relu",        add_case((8, 8, 4), 6, relu_after=True), 502),
    ("small_model",              small_model, 601),
    # Issue 11: the long-k conv paths, many output channels, positive shifts, strides, every pool, MEAN, ADD
    # with extreme scales. Their int8 arrays are stored as base64 (COMPACT).
    ("conv3x3_same_s1_k504",       conv_case((5, 5, 56), 12, 3, 1, "same", "relu"), 121),       # k 504: 433..576
    ("conv3x3_valid_s1_k576_c72",  conv_case((5, 5, 64), 72, 3, 1, "valid", None), 122),       # k 576, cout 72
    ("conv3x3_same_s2_k648",       conv_case((5, 5, 72), 8, 3, 2, "same", "relu6"), 123),      # k 648 > 576
    ("conv3x3_same_s1_k432_c80",   conv_case((4, 4, 48), 80, 3, 1, "same", "relu"), 124),      # k 432, cout 80
    ("conv3x3_valid_s2_c16",       conv_case((9, 9, 16), 24, 3, 2, "valid", "relu"), 125),
    ("conv3x3_same_s2x1_c4",       conv_case((7, 8, 4), 8, 3, (2, 1), "same", None), 126),
    ("conv1x1_s2_k480",            conv_case((5, 5, 480), 8, 1, 2, "valid", None), 127),       # 1x1, cin 480
    ("conv1x1_s2_same_c24",        conv_case((7, 7, 24), 72, 1, 2, "same", "relu"), 128),      # cout 72
    ("conv3x3_same_positive_shift", cancel_case((6, 6, 2), 4), 129),
    ("maxpool3x3_s1_valid",        pool_case("max", (7, 7, 3), 3, 1, "valid"), 311),
    ("maxpool2x2_s1_same",         pool_case("max", (5, 5, 4), 2, 1, "same"), 312),
    ("maxpool3x2_s2x1_same",       pool_case("max", (7, 6, 2), (3, 2), (2, 1), "same"), 313),
    ("avgpool2x2_s1_valid",        pool_case("avg", (6, 6, 3), 2, 1, "valid"), 314),
    ("avgpool3x3_s2_same",         pool_case("avg", (8, 8, 4), 3, 2, "same"), 315),
    ("avgpool2x3_s1x2_valid",      pool_case("avg", (6, 7, 2), (2, 3), (1, 2), "valid"), 316),
    ("mean_gap_7x7_keepdims",      mean_keepdims_case((7, 7, 6)), 411),
    ("mean_gap_16x16_c3",          mean_case((16, 16, 3)), 412),
    ("add_tiny_second_x1e-3",      add_scaled_case((8, 8, 4), 12, tiny_first=False, relu_after=False), 511),
    ("add_tiny_first_x1e-3_relu",  add_scaled_case((8, 8, 4), 12, tiny_first=True, relu_after=True), 512),
    # Issue 12: int8 SOFTMAX (the classifier head of an int8 .tflite), at a small and a large logit scale.
    ("softmax_fc10",               softmax_case((24,), 10), 701),
    ("softmax_fc16_x4",            softmax_case((32,), 16, dense_name="logits_x4"), 702),
    # Issue 12: PAD alone (asymmetric), PAD + 'valid' CONV_2D (= a conv with explicit pads: ResNet50's pad 3 before
    # a 7x7 stride-2 conv, a 1-pixel bottom/right pad, pads differing per side) and PAD + MAX_POOL_2D (on inputs
    # that can be negative: the pad stays an op; after a ReLU conv: foldable into the pool).
    ("pad_asym_c3",                pad_case((6, 5, 3), ((1, 2), (0, 3))), 701),
    ("pad3_conv7x7_s2",            pad_case((16, 16, 1), 3, ("conv", 8, 7, 2)), 702),
    ("pad_br1_conv3x3_s2",         pad_case((7, 7, 3), ((0, 1), (0, 1)), ("conv", 6, 3, 2)), 703),
    ("pad_asym_conv3x3_s1_c4",     pad_case((6, 6, 4), ((2, 1), (1, 2)), ("conv", 5, 3, 1)), 704),
    ("pad_br1_maxpool2x2_s2",      pad_case((7, 7, 4), ((0, 1), (0, 1)), ("max", 2, 2)), 705),
    ("relu_pad1_maxpool3x3_s2",    pad_case((8, 8, 2), 1, ("max", 3, 2), relu_conv=4), 706),
]
WHOLE_MODEL_CASES = {"small_model"}
# Layer name -> gain on its He-normal kernel; BIAS_GAIN the same for its bias.
WEIGHT_GAIN = {"branch_b_x4": 4.0, "branch_b_x1e-3": 1e-3, "logits_x4": 4.0}
BIAS_GAIN = {"branch_b_x1e-3": 1e-3}
FIRST_NEW_CASE = "conv3x3_same_s1_k504"
COMPACT = {name for name, _, _ in CASES[[c[0] for c in CASES].index(FIRST_NEW_CASE):]}
# Per case: custom weights after the seeded ones, calibration samples, int8 test inputs, what must hold.
OPTIONS = {
    "conv3x3_same_positive_shift": {"weights": cancelling_weights, "calibration": near_duplicate_channels(0.001),
                                    "inputs": near_duplicate_int8(0.2), "expect": "positive_shift"},
    # 32 rows per softmax case instead of N_CASES: a row is only 10 or 16 values.
    "softmax_fc10": {"inputs": lambda rng, shape, count: [rng.integers(-128, 128, size=shape, dtype=np.int8) for _ in range(32)]},
    "softmax_fc16_x4": {"inputs": lambda rng, shape, count: [rng.integers(-128, 128, size=shape, dtype=np.int8) for _ in range(32)]},
}


def set_seeded_weights(model, seed):
    """He-normal kernels and small random biases from numpy, independent of Keras' RNG."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        new = []
        for w in weights:
            if w.ndim == 1:   # bias
                new.append((rng.normal(size=w.shape) * 0.1 * BIAS_GAIN.get(layer.name, 1.0)).astype(np.float32))
            else:            # Conv2D HWIO or Dense IO kernel
                fan_in = int(np.prod(w.shape[:-1]))
                gain = WEIGHT_GAIN.get(layer.name, 1.0)
                new.append((rng.normal(size=w.shape) * np.sqrt(2.0 / fan_in) * gain).astype(np.float32))
        layer.set_weights(new)


def uniform_samples(rng, shape):
    return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)


def convert(model, seed, sample=uniform_samples):
    """Full-integer TFLiteConverter with `sample(rng, shape)` as the representative dataset (64 seeded samples)."""
    in_shape = tuple(int(d) for d in model.inputs[0].shape)
    rng = np.random.default_rng(seed + 1_000_000)
    calibration = [sample(rng, in_shape) for _ in range(N_CALIBRATION)]
    return convert_samples(model, calibration)


def convert_samples(model, calibration):
    """Full-integer post-training quantization: int8 input and output, TFLITE_BUILTINS_INT8 only."""
    def representative_dataset():
        for sample in calibration:
            yield [sample]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):   # Keras' "Saved artifact at /tmp/..." chatter
        return converter.convert()


# ------------------------------------------------------- flatbuffer read ----

def buffer_array(model, tensor, dtype):
    data = model.buffers[tensor.buffer].data
    if data is None:
        return None
    return np.frombuffer(np.asarray(data, dtype=np.uint8).tobytes(), dtype=dtype).reshape(tensor.shape)


def int8_field(values, compact):
    """An int8 array as a JSON list, or (compact) as the base64 of its bytes."""
    a = np.asarray(values, dtype=np.int8).reshape(-1)
    return base64.b64encode(a.tobytes()).decode("ascii") if compact else a.tolist()


def describe(flatbuffer, name, compact=False):
    """Returns (fixture dict without cases, helpers) from the .tflite bytes."""
    model = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(flatbuffer, 0))
    assert len(model.subgraphs) == 1, "one subgraph expected"
    sg = model.subgraphs[0]
    assert len(sg.inputs) == 1 and len(sg.outputs) == 1

    # The desktop interpreter, to cross-check constants read from the buffers.
    desk = tf.lite.Interpreter(model_content=flatbuffer,
                               experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    desk.allocate_tensors()

    def const(idx, dtype):
        t = sg.tensors[idx]
        arr = buffer_array(model, t, dtype)
        assert arr is not None, f"tensor {idx} has no constant data"
        assert np.array_equal(arr, desk.get_tensor(idx)), f"constant {idx} differs from get_tensor"
        return arr

    act_index = {}   # tflite tensor index -> index into fixture "tensors"
    tensors = []

    def add_activation(idx):
        if idx in act_index:
            return act_index[idx]
        t = sg.tensors[idx]
        assert t.type == fb.TensorType.INT8, f"{name}: activation {idx} is {TENSOR_TYPE_NAMES[t.type]}"
        q = t.quantization
        assert q is not None and len(q.scale) == 1 and len(q.zeroPoint) == 1
        act_index[idx] = len(tensors)
        tensors.append({"name": t.name.decode(), "shape": [int(d) for d in t.shape],
                        "scale": float(q.scale[0]), "zero_point": int(q.zeroPoint[0])})
        return act_index[idx]

    add_activation(int(sg.inputs[0]))
    ops = []
    for op in sg.operators:
        code = model.operatorCodes[op.opcodeIndex]
        opname = BUILTIN_NAMES[max(code.builtinCode, code.deprecatedBuiltinCode)]
        o = op.builtinOptions
        ins = [int(i) for i in op.inputs]
        outs = [int(i) for i in op.outputs]
        assert len(outs) == 1
        if opname in ("CONV_2D", "FULLY_CONNECTED"):
            x, w = ins[0], ins[1]
            b = ins[2] if len(ins) > 2 else -1
            wt = sg.tensors[w]
            filt = const(w, np.int8)
            rec = {"op": opname, "inputs": [act_index[x]], "output": add_activation(outs[0]),
                   "filter_shape": [int(d) for d in wt.shape],
                   "filter": int8_field(filt, compact),
                   "filter_scales": [float(s) for s in wt.quantization.scale],
                   "filter_zero_points": [int(z) for z in wt.quantization.zeroPoint],
                   "filter_quantized_dimension": int(wt.quantization.quantizedDimension)}
            if b >= 0:
                bt = sg.tensors[b]
                assert bt.type == fb.TensorType.INT32, f"bias type {TENSOR_TYPE_NAMES[bt.type]}"
                rec["bias"] = const(b, np.int32).reshape(-1).tolist()
                rec["bias_scales"] = [float(s) for s in bt.quantization.scale]
            else:
                rec["bias"] = None
                rec["bias_scales"] = None
            if opname == "CONV_2D":
                rec["stride"] = [int(o.strideH), int(o.strideW)]
                rec["dilation"] = [int(o.dilationHFactor), int(o.dilationWFactor)]
                rec["padding"] = PADDING_NAMES[o.padding]
            else:
                rec["keep_num_dims"] = bool(o.keepNumDims)
                rec["weights_format"] = int(o.weightsFormat)
            rec["activation"] = ACTIVATION_NAMES[o.fusedActivationFunction]
        elif opname in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
            rec = {"op": opname, "inputs": [act_index[ins[0]]], "output": add_activation(outs[0]),
                   "filter_size": [int(o.filterHeight), int(o.filterWidth)],
                   "stride": [int(o.strideH), int(o.strideW)],
                   "padding": PADDING_NAMES[o.padding],
                   "activation": ACTIVATION_NAMES[o.fusedActivationFunction]}
        elif opname == "MEAN":
            axes = const(ins[1], np.int32).reshape(-1).tolist()
            rec = {"op": opname, "inputs": [act_index[ins[0]]], "output": add_activation(outs[0]),
                   "axes": axes, "keep_dims": bool(o.keepDims)}
        elif opname == "ADD":
            rec = {"op": opname, "inputs": [act_index[ins[0]], act_index[ins[1]]],
                   "output": add_activation(outs[0]),
                   "activation": ACTIVATION_NAMES[o.fusedActivationFunction]}
        elif opname == "SOFTMAX":
            rec = {"op": opname, "inputs": [act_index[ins[0]]], "output": add_activation(outs[0]),
                   "beta": float(o.beta)}
        elif opname in ("PAD", "PADV2"):
            # paddings: int32 [[0, 0], [top, bottom], [left, right], [0, 0]]; PADV2's constant value is recorded too.
            rec = {"op": opname, "inputs": [act_index[ins[0]]], "output": add_activation(outs[0]),
                   "paddings": const(ins[1], np.int32).tolist()}
            if len(ins) > 2 and ins[2] >= 0:
                rec["constant_value"] = const(ins[2], np.int8).reshape(-1).tolist()
        elif opname == "RESHAPE":
            rec = {"op": opname, "inputs": [act_index[ins[0]]], "output": add_activation(outs[0])}
            if len(ins) > 1 and ins[1] >= 0:
                rec["new_shape"] = const(ins[1], np.int32).reshape(-1).tolist()
        else:   # not expected with int8 I/O; recorded generically and reported
            print(f"  NOTE {name}: unexpected op {opname}", file=sys.stderr)
            rec = {"op": opname,
                   "inputs": [act_index[i] for i in ins if i >= 0 and i in act_index],
                   "output": add_activation(outs[0])}
        ops.append(rec)

    fixture = {"name": name, "tensors": tensors,
               "input": act_index[int(sg.inputs[0])], "output": act_index[int(sg.outputs[0])],
               "ops": ops}
    return fixture, act_index, desk


# ---------------------------------------------------------------- run ----

def tflm_arena(flatbuffer):
    """TFLite Micro's own arena figures for the model, from `print_allocations()` of an interpreter made with
    the default configuration (the planner as firmware runs it; kPreserveAllTensors would give every tensor its
    own bytes). head: the non-persistent section the GreedyMemoryPlanner lays out (activations, and scratch
    buffers that kernels request); tail: persistent data (tensor structs, op data such as per-channel
    multipliers, node and registration structs)."""
    found, text = allocations(flatbuffer, ARENA_SIZE)
    assert set(found) == {"head", "tail", "total"}, f"print_allocations() said:\n{text}"
    assert found["head"] + found["tail"] == found["total"], found
    return found


def positive_shifts(fixture):
    """(op index, channel, shift) for every CONV_2D / FULLY_CONNECTED channel whose TFLite shift is > 0."""
    import check_fixtures as cf   # the numpy model of the reference kernels (same folder)
    result = []
    tensors = fixture["tensors"]
    for i, op in enumerate(fixture["ops"]):
        if op["op"] not in ("CONV_2D", "FULLY_CONNECTED"):
            continue
        s_in, s_out = tensors[op["inputs"][0]]["scale"], tensors[op["output"]]["scale"]
        for c, s_w in enumerate(op["filter_scales"]):
            _, shift = cf.quantize_multiplier(s_in * s_w / s_out)
            if shift > 0:
                result.append((i, c, shift))
    return result


def make_case(name, builder, seed, keep_tflite_dir=None):
    options = OPTIONS.get(name, {})
    compact = name in COMPACT
    keras.backend.clear_session()   # layer/model name counters restart: tensor names do not depend on other cases
    keras.utils.set_random_seed(seed)
    model = builder()
    set_seeded_weights(model, seed)
    if "weights" in options:
        options["weights"](model, np.random.default_rng(seed + 3_000_000))
    flatbuffer = convert(model, seed, options.get("calibration", uniform_samples))
    if keep_tflite_dir:
        with open(os.path.join(keep_tflite_dir, name + ".tflite"), "wb") as f:
            f.write(flatbuffer)
    fixture, act_index, desk = describe(flatbuffer, name, compact)
    if options.get("expect") == "positive_shift":
        shifts = positive_shifts(fixture)
        assert shifts, f"{name}: the converter gave no positive requantization shift"
        print(f"  {name}: positive shifts (op, channel, shift): {shifts}", flush=True)

    in_shape = fixture["tensors"][fixture["input"]]["shape"]
    rng = np.random.default_rng(seed + 2_000_000)
    if "inputs" in options:
        inputs = options["inputs"](rng, in_shape, N_CASES)
    else:
        inputs = [rng.integers(-128, 128, size=in_shape, dtype=np.int8) for _ in range(N_CASES)]

    interp = tflm.Interpreter.from_bytes(flatbuffer, arena_size=ARENA_SIZE,
                                         intrepreter_config=tflm.InterpreterConfig.kPreserveAllTensors)
    record_activations = sum(op["op"] != "RESHAPE" for op in fixture["ops"]) > 1
    whole = name in WHOLE_MODEL_CASES
    if whole:
        desk_default = tf.lite.Interpreter(model_content=flatbuffer)
        desk_default.allocate_tensors()
    cases = []
    for x in inputs:
        interp.set_input(x, 0)
        interp.invoke()
        y = np.asarray(interp.get_output(0))
        assert y.dtype == np.int8
        case = {"input": int8_field(x, compact), "output": int8_field(y, compact)}
        if record_activations:
            # TFLM's value of every activation tensor (kPreserveAllTensors), by fixture tensor index.
            acts = [None] * len(fixture["tensors"])
            for tfl_idx, fx_idx in act_index.items():
                t = interp.GetTensor(tfl_idx, 0)
                acts[fx_idx] = int8_field(t["tensor_data"], compact)
            assert acts[fixture["output"]] == case["output"]
            case["activations"] = acts
        if whole:
            for key, interp_d in (("desktop_ref_output", desk), ("desktop_default_output", desk_default)):
                interp_d.set_tensor(interp_d.get_input_details()[0]["index"], x)
                interp_d.invoke()
                case[key] = interp_d.get_tensor(interp_d.get_output_details()[0]["index"]).reshape(-1).tolist()
        cases.append(case)
    if options.get("expect") == "positive_shift":
        outputs = np.concatenate([np.asarray(y, dtype=np.int8) for y in
                                  (np.frombuffer(base64.b64decode(c["output"]), dtype=np.int8) if compact
                                   else c["output"] for c in cases)])
        inside = int(np.sum((outputs > -128) & (outputs < 127)))
        print(f"  {name}: {inside} of {outputs.size} outputs inside (-128, 127)", flush=True)
        assert inside >= outputs.size // 4, f"{name}: too few unsaturated outputs to test the rounding"
    fixture["cases"] = cases
    fixture["tflm_arena"] = tflm_arena(flatbuffer)
    fixture["tflite"] = {"tensorflow": tf.__version__, "tflite_micro": tflm_version.__version__,
                         "reference_kernels": True}
    return fixture


def dumps(fixture):
    """Stable, diff-friendly JSON: one tensor / op / case per line."""
    def d(v):
        return json.dumps(v, separators=(", ", ": "), allow_nan=False)
    lines = ["{"]
    keys = list(fixture)
    for n, k in enumerate(keys):
        comma = "," if n < len(keys) - 1 else ""
        v = fixture[k]
        if k in ("tensors", "ops", "cases"):
            lines.append(f"  {d(k)}: [")
            for m, item in enumerate(v):
                lines.append("    " + d(item) + ("," if m < len(v) - 1 else ""))
            lines.append("  ]" + comma)
        else:
            lines.append(f"  {d(k)}: {d(v)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder (Tests/Fixtures/tflm)")
    ap.add_argument("--only", nargs="*", help="case names to build (default: all)")
    ap.add_argument("--keep-tflite", metavar="DIR", help="also write each .tflite here")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.keep_tflite:
        os.makedirs(args.keep_tflite, exist_ok=True)
    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names)
    for name, builder, seed in CASES:
        if args.only and name not in args.only:
            continue
        fixture = make_case(name, builder, seed, args.keep_tflite)
        text = dumps(fixture)
        json.loads(text)   # must parse back
        path = os.path.join(args.out, name + ".json")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
        ops = " ".join(op["op"] for op in fixture["ops"])
        print(f"{name}.json  {len(text)} bytes  ops: {ops}", flush=True)


if __name__ == "__main__":
    main()
