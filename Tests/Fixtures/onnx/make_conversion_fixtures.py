"""Small ONNX graphs for the ONNX -> float graph conversion (ModelImportTests/ONNXConversionTests), written with
onnx.helper, and beside each a .json with a seeded input and onnxruntime's output for it: the reference the
converted graph must equal. Each graph exercises one part of the mapping: asymmetric pads and auto_pad, MaxPool
and AveragePool ceil_mode, Gemm transB/alpha/beta, the flatten permutation with H, W > 1, MatMul + Add,
BatchNormalization, Clip, Pad, ReduceMean, a tf2onnx-style NHWC input with Transposes.

Run with a venv holding onnx and onnxruntime (the import-fixtures one has both):
    Tools/import-fixtures/.venv/bin/python Tests/Fixtures/onnx/make_conversion_fixtures.py Tests/Fixtures/onnx
Deterministic: the same bytes every run."""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1212)


def w(name, shape, scale=0.5):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def scalar(name, value):
    return numpy_helper.from_array(np.array(value, dtype=np.float32), name)


def model(name, nodes, inits, input_shape, output_shape, opset=17, input_name="x", output_name="y"):
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, input_shape)],
                              [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, output_shape)], inits)
    m = helper.make_model(graph, producer_name="make_conversion_fixtures", producer_version="1",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def conv_pads():
    """Conv with asymmetric explicit pads and strides (2, 1); SAME_LOWER and SAME_UPPER with even kernels and odd
    sizes; VALID; pads of a whole kernel (a Pad before a valid conv); Flatten of a 3x2x3 map; Gemm transB=1 with
    alpha 0.5, beta 2 and a [1, N] bias."""
    n = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv_asym", kernel_shape=[3, 3],
                         pads=[1, 0, 2, 1], strides=[2, 1]),                 # top 1, left 0, bottom 2, right 1
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv_same_lower", kernel_shape=[2, 2],
                         auto_pad="SAME_LOWER", strides=[1, 2]),
        helper.make_node("Conv", ["c2", "w3"], ["c3"], name="conv_same_upper", kernel_shape=[2, 3],
                         auto_pad="SAME_UPPER", strides=[2, 1]),
        helper.make_node("Conv", ["c3", "w4", "b4"], ["c4"], name="conv_big_pads", kernel_shape=[2, 2],
                         pads=[2, 0, 1, 3]),
        helper.make_node("Conv", ["c4", "w5", "b5"], ["c5"], name="conv_valid", kernel_shape=[2, 2], auto_pad="VALID"),
        helper.make_node("Flatten", ["c5"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["y"], name="fc", transB=1, alpha=0.5, beta=2.0),
    ]
    inits = [w("w1", [4, 2, 3, 3]), w("b1", [4]), w("w2", [5, 4, 2, 2]), w("b2", [5]), w("w3", [3, 5, 2, 3]),
             w("w4", [3, 3, 2, 2]), w("b4", [3]), w("w5", [3, 3, 2, 2]), w("b5", [3])]
    # 9x8 -> conv_asym 6x7 -> same_lower 6x4 -> same_upper 3x4 -> big pads 5x6 -> valid 4x5 ... computed below
    probe = model("probe", n[:6], inits, [1, 2, 9, 8], None)
    shape = run(probe, np.zeros([1, 2, 9, 8], np.float32), output="c5").shape
    features = int(np.prod(shape))
    inits += [w("fc.w", [7, features]), w("fc.b", [1, 7])]
    return model("conv_pads", n, inits, [1, 2, 9, 8], [1, 7])


def pools_ceil():
    """MaxPool ceil_mode with and without pads, where torch's rule drops a window that would start in the end
    padding; AveragePool with asymmetric pads (count_include_pad 0) and ceil_mode; MaxPool SAME_LOWER; then a
    Flatten of a map with H, W > 1 and MatMul + Add."""
    n = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("MaxPool", ["c1"], ["p1"], name="max_ceil", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        helper.make_node("MaxPool", ["p1"], ["p2"], name="max_ceil_pads", kernel_shape=[2, 2], strides=[2, 2],
                         pads=[1, 1, 1, 1], ceil_mode=1),
        helper.make_node("AveragePool", ["p2"], ["p3"], name="avg_asym", kernel_shape=[3, 2], strides=[1, 1],
                         pads=[0, 1, 2, 0]),
        helper.make_node("AveragePool", ["p3"], ["p4"], name="avg_ceil", kernel_shape=[2, 2], strides=[2, 2],
                         ceil_mode=1),
        helper.make_node("MaxPool", ["p4"], ["p5"], name="max_same_lower", kernel_shape=[2, 2], strides=[1, 1],
                         auto_pad="SAME_LOWER"),
        helper.make_node("Flatten", ["p5"], ["f"], name="flatten"),
        helper.make_node("MatMul", ["f", "fc.w"], ["m"], name="matmul"),
        helper.make_node("Add", ["fc.b", "m"], ["y"], name="bias"),
    ]
    inits = [w("w1", [3, 1, 1, 1]), w("b1", [3])]
    probe = model("probe", n[:6], inits, [1, 1, 12, 11], None)
    shape = run(probe, np.zeros([1, 1, 12, 11], np.float32), output="p5").shape
    features = int(np.prod(shape))
    inits += [w("fc.w", [features, 6]), w("fc.b", [6])]
    return model("pools_ceil", n, inits, [1, 1, 12, 11], [1, 6])


def dense_variants():
    """Reshape (shape [0, -1], a Constant node) of a 2x3x3 map, Gemm transB=0 with alpha 2, beta 0.5 and a scalar
    bias, Clip(0, 6) with bounds from a Constant node and an initializer, Gemm without bias, Dropout, Identity,
    Softmax."""
    n = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Constant", [], ["shape"], name="shape_const",
                         value=numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "shape_value")),
        helper.make_node("Reshape", ["c1", "shape"], ["f"], name="reshape"),
        helper.make_node("Gemm", ["f", "fc1.w", "fc1.c"], ["g1"], name="fc1", alpha=2.0, beta=0.5),
        helper.make_node("Constant", [], ["six"], name="six", value_float=6.0),
        helper.make_node("Clip", ["g1", "zero", "six"], ["k1"], name="relu6"),
        helper.make_node("Dropout", ["k1"], ["d1"], name="dropout"),
        helper.make_node("Identity", ["d1"], ["i1"], name="identity"),
        helper.make_node("Gemm", ["i1", "fc2.w"], ["g2"], name="fc2", transB=1),
        helper.make_node("Softmax", ["g2"], ["y"], name="softmax", axis=-1),
    ]
    inits = [w("w1", [2, 3, 3, 3]), w("b1", [2]), w("fc1.w", [18, 8]), scalar("fc1.c", 0.25), scalar("zero", 0.0),
             w("fc2.w", [5, 8])]
    return model("dense_variants", n, inits, [1, 3, 3, 3], [1, 5])


def residual():
    """Conv + BatchNormalization, Clip(0, none), a zero Pad (asymmetric, on H and W), a strided Conv, a projection
    Add, ReduceMean over H and W with the axes as an attribute (opset 13) and keepdims 0, Gemm."""
    n = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "bn.s", "bn.b", "bn.m", "bn.v"], ["b1"], name="bn", epsilon=1e-3),
        helper.make_node("Clip", ["b1", "zero"], ["r1"], name="relu"),
        helper.make_node("Pad", ["r1", "pads"], ["q1"], name="pad", mode="constant"),
        helper.make_node("Conv", ["q1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[0, 1, 1, 0]),
        helper.make_node("Conv", ["x", "w3", "b3"], ["c3"], name="projection", kernel_shape=[1, 1], strides=[2, 2]),
        helper.make_node("Add", ["c2", "c3"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["r2"], name="relu2"),
        helper.make_node("ReduceMean", ["r2"], ["m"], name="mean", axes=[-1, 2], keepdims=0),
        helper.make_node("Gemm", ["m", "fc.w", "fc.b"], ["y"], name="fc", transB=1),
    ]
    c = 4
    inits = [w("w1", [c, 2, 3, 3]), w("bn.s", [c]), w("bn.b", [c]), w("bn.m", [c]),
             numpy_helper.from_array(rng.uniform(0.5, 2.0, [c]).astype(np.float32), "bn.v"), scalar("zero", 0.0),
             ints("pads", [0, 0, 1, 0, 0, 0, 0, 1]),   # top 1, left 0, bottom 0, right 1 on [1, C, 7, 7]: 8x8
             w("w2", [3, c, 3, 3]), w("b2", [3]), w("w3", [3, 2, 1, 1]), w("b3", [3]), w("fc.w", [5, 3]), w("fc.b", [5])]
    return model("residual", n, inits, [1, 2, 7, 7], [1, 5], opset=13)


def nhwc_input():
    """What tf2onnx writes for a Keras model: an NHWC input, Transpose to NCHW, Conv SAME_UPPER, Relu, MaxPool,
    Transpose back to NHWC, Reshape [-1, N], MatMul + Add (the Dense), Softmax."""
    n = [
        helper.make_node("Transpose", ["input:0"], ["t"], name="to_nchw", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["t", "w1", "b1"], ["c1"], name="conv", kernel_shape=[3, 3], auto_pad="SAME_UPPER",
                         strides=[2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu"),
        helper.make_node("Transpose", ["r1"], ["t2"], name="to_nhwc", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["t2", "shape"], ["f"], name="reshape"),
        helper.make_node("MatMul", ["f", "fc.w"], ["m"], name="matmul"),
        helper.make_node("Add", ["m", "fc.b"], ["z"], name="bias"),
        helper.make_node("Softmax", ["z"], ["dense/Softmax:0"], name="softmax"),
    ]
    inits = [w("w1", [3, 2, 3, 3]), w("b1", [3]), ints("shape", [-1, 3 * 4 * 3]), w("fc.w", [36, 4]), w("fc.b", [1, 4])]
    return model("nhwc_input", n, inits, [1, 7, 6, 2], [1, 4], input_name="input:0", output_name="dense/Softmax:0")


def run(m, x, output=None):
    if output is not None:
        m = onnx.ModelProto.FromString(m.SerializeToString())
        del m.graph.output[:]
        m.graph.output.append(helper.make_tensor_value_info(output, TensorProto.FLOAT, None))
    session = onnxruntime.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def main(out):
    for make in [conv_pads, pools_ceil, dense_variants, residual, nhwc_input]:
        m = make()
        onnx.checker.check_model(m, full_check=True)
        name = make.__name__
        shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
        x = rng.standard_normal(shape).astype(np.float32)
        y = run(m, x)
        path = os.path.join(out, "convert_" + name + ".onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        record = {
            "doc": make.__doc__.replace("\n    ", " ").strip(),
            "input_shape": shape,
            "input_layout": "NHWC" if make is nhwc_input else "NCHW",
            "input": [float(v) for v in x.flatten()],
            "output_shape": list(y.shape),
            "output": [float(v) for v in y.flatten()],
            "made_by": f"onnx {onnx.__version__}, outputs by onnxruntime {onnxruntime.__version__} (CPU)",
        }
        with open(os.path.join(out, "convert_" + name + ".json"), "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
        print(f"{path}: input {shape}, output {list(y.shape)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
