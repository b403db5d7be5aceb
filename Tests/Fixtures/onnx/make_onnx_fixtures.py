"""Tiny ONNX models made with onnx.helper, covering what ModelImport's ONNX reader decodes, and a JSON of what the
onnx package itself reports for each (nodes, attributes, initializer values, inputs/outputs, opset). Run through
make_onnx_fixtures.sh. The weights are seeded random numbers: the files test parsing, not a trained model."""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(12)


def weights(name, shape, raw=True):
    values = rng.standard_normal(shape).astype(np.float32)
    if raw:
        return numpy_helper.from_array(values, name)
    # float_data instead of raw_data: tf2onnx and hand-made files use it.
    return helper.make_tensor(name, TensorProto.FLOAT, shape, values.flatten().tolist())


def small_cnn():
    """Conv (symmetric and asymmetric pads, stride 2), Relu, MaxPool (ceil_mode, auto_pad), Clip(0, 6) with
    initializer and Constant-node bounds, AveragePool (count_include_pad), Reshape with an int64 shape, Flatten,
    Gemm (transB, alpha, beta), Softmax; weights in raw_data and float_data; a named batch dimension."""
    inits = [
        weights("conv1.weight", [4, 1, 3, 3]),
        weights("conv1.bias", [4], raw=False),
        weights("conv2.weight", [6, 4, 3, 3]),
        weights("conv2.bias", [6]),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "clip_min"),
        numpy_helper.from_array(np.array([-1, 54], dtype=np.int64), "shape"),
        weights("fc.weight", [10, 54]),
        weights("fc.bias", [10], raw=False),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="/conv1/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1),
        helper.make_node("Relu", ["c1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
                         ceil_mode=1, pads=[0, 0, 0, 0]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"], name="/conv2/Conv",
                         kernel_shape=[3, 3], pads=[0, 0, 1, 1], strides=[2, 2]),
        helper.make_node("Constant", [], ["clip_max"], name="/Constant",
                         value=numpy_helper.from_array(np.array(6.0, dtype=np.float32), "clip_max_value")),
        helper.make_node("Clip", ["c2", "clip_min", "clip_max"], ["k2"], name="/relu6/Clip"),
        helper.make_node("AveragePool", ["k2"], ["a2"], name="/pool2/AveragePool", kernel_shape=[3, 3],
                         strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("MaxPool", ["a2"], ["p2"], name="/pool3/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
                         auto_pad="SAME_UPPER"),
        helper.make_node("Reshape", ["p2", "shape"], ["flat0"], name="/Reshape"),
        helper.make_node("Flatten", ["flat0"], ["flat"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm",
                         alpha=0.5, beta=2.0, transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="/Softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 28, 28])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        inits)
    model = helper.make_model(graph, producer_name="make_onnx_fixtures", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def residual_block():
    """BatchNormalization, Add of two branches, GlobalAveragePool, Identity, Dropout, MatMul + Add; initializers
    also listed as graph inputs (older exporters do this); opset 13 and an extra operator-set import."""
    c = 3
    inits = [
        weights("conv.weight", [c, c, 1, 1]),
        weights("bn.scale", [c]), weights("bn.bias", [c]), weights("bn.mean", [c]),
        numpy_helper.from_array(rng.uniform(0.5, 2.0, [c]).astype(np.float32), "bn.var"),
        weights("fc.weight_t", [c, 10]),
        weights("fc.bias", [10]),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight"], ["c"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["b"],
                         name="bn", epsilon=1e-3, momentum=0.9),
        helper.make_node("Add", ["b", "x"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Identity", ["f"], ["i"], name="identity"),
        helper.make_node("Dropout", ["i"], ["d"], name="dropout"),
        helper.make_node("MatMul", ["d", "fc.weight_t"], ["m"], name="matmul"),
        helper.make_node("Add", ["m", "fc.bias"], ["y"], name="bias_add"),
    ]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 8, 8])]
    inputs += [helper.make_tensor_value_info(t.name, TensorProto.FLOAT, list(t.dims)) for t in inits]
    graph = helper.make_graph(nodes, "residual_block", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, producer_name="make_onnx_fixtures", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 3)])
    model.ir_version = 7
    return model


def shape(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        kind = d.WhichOneof("value")
        dims.append(d.dim_value if kind == "dim_value" else d.dim_param if kind == "dim_param" else None)
    return dims


def attribute_json(a):
    value = helper.get_attribute_value(a)
    if isinstance(value, TensorProto):
        array = numpy_helper.to_array(value)
        return {"tensor": {"name": value.name, "dims": list(value.dims), "values": array.flatten().tolist()}}
    if isinstance(value, bytes):
        return {"string": value.decode()}
    if isinstance(value, list):
        return {"list": [v.decode() if isinstance(v, bytes) else v for v in value]}
    return {"int" if isinstance(value, int) else "float": value}


def initializer_values(t):
    return {"values": numpy_helper.to_array(t).flatten().tolist()}


def describe(model, initializer=initializer_values):
    """The graph as JSON; `initializer` gives each initializer's entries past its name, dims and data type (every
    value here; describe_onnx.py's summary for files too big to list)."""
    graph = model.graph
    names = {t.name for t in graph.initializer}
    return {
        "ir_version": model.ir_version,
        "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
        "producer_name": model.producer_name,
        "inputs": [{"name": v.name, "elem_type": v.type.tensor_type.elem_type, "shape": shape(v)}
                   for v in graph.input if v.name not in names],
        "outputs": [{"name": v.name, "elem_type": v.type.tensor_type.elem_type, "shape": shape(v)}
                    for v in graph.output],
        "nodes": [{"name": n.name, "op_type": n.op_type, "inputs": list(n.input), "outputs": list(n.output),
                   "attributes": {a.name: attribute_json(a) for a in n.attribute}} for n in graph.node],
        "initializers": [{"name": t.name, "dims": list(t.dims), "data_type": t.data_type, **initializer(t)}
                         for t in graph.initializer],
    }


def main(out):
    for name, model in [("small_cnn", small_cnn()), ("residual_block", residual_block())]:
        onnx.checker.check_model(model, full_check=True)
        path = os.path.join(out, name + ".onnx")
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
        # What the onnx package reads back from the written bytes, not the in-memory model.
        reread = onnx.load(path)
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(describe(reread), f, indent=1)
            f.write("\n")
        print(f"{path}: {os.path.getsize(path)} bytes, {len(reread.graph.node)} nodes (onnx {onnx.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
