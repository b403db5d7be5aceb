"""Keras functional model -> model.bin (docs/model-format.md, version 1.0).

Weights are written in Keras layouts (Conv2D HWIO, Dense [in, out]); BatchNormalization stays its own node and a
fused Conv2D/Dense activation becomes a separate ReLU/ReLU6/Softmax node. Activation tensors are named
`<layer>:0`, weights `<layer>/<weight>` (e.g. `conv1/kernel`). Any layer the format cannot express is an error.
"""

import struct
import zlib

import numpy as np
from keras import layers


class ExportError(Exception):
    pass


class _Graph:
    def __init__(self):
        self.tensors = []  # (name, shape, data or None)
        self.nodes = []    # (name, op, inputs, outputs, attrs)
        self.names = set()

    def tensor(self, name, shape, data=None):
        if name in self.names:
            raise ExportError(f"duplicate tensor name {name}")
        shape = tuple(int(d) for d in shape)
        if not 1 <= len(shape) <= 4 or min(shape) < 1:
            raise ExportError(f"tensor {name}: unsupported shape {shape}")
        if data is not None:
            data = np.ascontiguousarray(data, dtype="<f4")
            if data.shape != shape:
                raise ExportError(f"tensor {name}: data shape {data.shape} != {shape}")
            if not np.all(np.isfinite(data)):
                raise ExportError(f"tensor {name}: non-finite weights")
        self.names.add(name)
        self.tensors.append((name, shape, data))
        return len(self.tensors) - 1

    def node(self, name, op, inputs, output_shape, attrs=None, output_name=None):
        out = self.tensor(output_name or f"{name}:0", output_shape)
        if any(n[0] == name for n in self.nodes):
            raise ExportError(f"duplicate node name {name}")
        self.nodes.append((name, op, list(inputs), [out], attrs or {}))
        return out


def _activation_name(activation):
    return getattr(activation, "__name__", str(activation))


def _relu_op(layer):
    """ReLU layer -> 'ReLU' or 'ReLU6'."""
    slope = float(getattr(layer, "negative_slope", 0.0) or 0.0)
    threshold = float(getattr(layer, "threshold", 0.0) or 0.0)
    max_value = layer.max_value
    if slope != 0 or threshold != 0:
        raise ExportError(f"layer {layer.name}: ReLU with negative_slope/threshold is not supported")
    if max_value is None:
        return "ReLU"
    if float(max_value) == 6.0:
        return "ReLU6"
    raise ExportError(f"layer {layer.name}: ReLU max_value={max_value} is not supported (only None or 6)")


def _fused(g, layer, x, shape):
    """Appends the node for a Conv2D/Dense fused activation."""
    act = _activation_name(layer.activation)
    if act == "linear":
        return x
    op = {"relu": "ReLU", "relu6": "ReLU6", "softmax": "Softmax"}.get(act)
    if op is None or (op == "Softmax" and len(shape) != 2):
        raise ExportError(f"layer {layer.name}: activation '{act}' is not supported")
    return g.node(f"{layer.name}_{act}", op, [x], shape)


def _pair(value):
    return [int(v) for v in (value if isinstance(value, (tuple, list)) else (value, value))]


def _layer(g, layer, inputs, in_shapes, out_shape):
    """Appends the nodes of one Keras layer; returns the index of its output tensor."""
    name = layer.name
    x = inputs[0]
    if isinstance(layer, layers.Conv2D) and type(layer) is layers.Conv2D:
        if _pair(layer.dilation_rate) != [1, 1]:
            raise ExportError(f"layer {name}: dilation_rate {layer.dilation_rate} is not supported")
        if getattr(layer, "groups", 1) != 1:
            raise ExportError(f"layer {name}: groups={layer.groups} is not supported")
        if layer.data_format != "channels_last":
            raise ExportError(f"layer {name}: only channels_last is supported")
        ins = [x, g.tensor(f"{name}/kernel", layer.kernel.shape, layer.kernel.numpy())]
        if layer.use_bias:
            ins.append(g.tensor(f"{name}/bias", layer.bias.shape, layer.bias.numpy()))
        attrs = {"strides": (2, _pair(layer.strides)), "padding": (3, layer.padding)}
        y = g.node(name, "Conv2D", ins, out_shape, attrs)
        return _fused(g, layer, y, out_shape)
    if type(layer) is layers.Dense:
        if len(in_shapes[0]) != 2:
            raise ExportError(f"layer {name}: Dense on rank-{len(in_shapes[0])} input (flatten first)")
        ins = [x, g.tensor(f"{name}/kernel", layer.kernel.shape, layer.kernel.numpy())]
        if layer.use_bias:
            ins.append(g.tensor(f"{name}/bias", layer.bias.shape, layer.bias.numpy()))
        y = g.node(name, "Dense", ins, out_shape)
        return _fused(g, layer, y, out_shape)
    if type(layer) is layers.BatchNormalization:
        axis = layer.axis if isinstance(layer.axis, int) else layer.axis[0]
        if axis not in (-1, len(in_shapes[0]) - 1):
            raise ExportError(f"layer {name}: BatchNormalization must normalize the last axis")
        c = in_shapes[0][-1]
        gamma = layer.gamma.numpy() if layer.scale else np.ones(c, np.float32)
        beta = layer.beta.numpy() if layer.center else np.zeros(c, np.float32)
        ins = [x] + [g.tensor(f"{name}/{w}", (c,), v) for w, v in [
            ("gamma", gamma), ("beta", beta),
            ("moving_mean", layer.moving_mean.numpy()), ("moving_variance", layer.moving_variance.numpy())]]
        return g.node(name, "BatchNormalization", ins, out_shape, {"epsilon": (1, float(layer.epsilon))})
    if type(layer) is layers.ReLU:
        return g.node(name, _relu_op(layer), [x], out_shape)
    if type(layer) is layers.Activation:
        act = _activation_name(layer.activation)
        op = {"relu": "ReLU", "relu6": "ReLU6", "softmax": "Softmax"}.get(act)
        if op is None or (op == "Softmax" and len(out_shape) != 2):
            raise ExportError(f"layer {name}: Activation('{act}') is not supported")
        return g.node(name, op, [x], out_shape)
    if type(layer) is layers.Softmax:
        if layer.axis not in (-1, len(out_shape) - 1) or len(out_shape) != 2:
            raise ExportError(f"layer {name}: Softmax must be over the last axis of a [1, N] vector")
        return g.node(name, "Softmax", [x], out_shape)
    if type(layer) in (layers.MaxPooling2D, layers.AveragePooling2D):
        if layer.data_format != "channels_last":
            raise ExportError(f"layer {name}: only channels_last is supported")
        op = "MaxPool2D" if type(layer) is layers.MaxPooling2D else "AveragePool2D"
        attrs = {"pool_size": (2, _pair(layer.pool_size)), "strides": (2, _pair(layer.strides)),
                 "padding": (3, layer.padding)}
        return g.node(name, op, [x], out_shape, attrs)
    if type(layer) is layers.GlobalAveragePooling2D:
        if layer.keepdims or layer.data_format != "channels_last":
            raise ExportError(f"layer {name}: only channels_last without keepdims is supported")
        return g.node(name, "GlobalAveragePool", [x], out_shape)
    if type(layer) is layers.Add:
        if len(inputs) != 2:
            raise ExportError(f"layer {name}: Add of {len(inputs)} inputs (only 2 are supported)")
        return g.node(name, "Add", inputs, out_shape)
    if type(layer) is layers.Flatten:
        return g.node(name, "Flatten", [x], out_shape)
    if type(layer) is layers.Dropout:
        return g.node(name, "Dropout", [x], out_shape, {"rate": (1, float(layer.rate))})
    raise ExportError(f"layer {name}: {type(layer).__name__} is not supported by model.bin")


def build_graph(model):
    """Walks a Keras functional model (layers in topological order) into tensors and nodes."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ExportError("the model must have exactly one input and one output")
    g = _Graph()
    batch1 = lambda shape: (1,) + tuple(shape[1:])
    produced = {}  # id(KerasTensor) -> tensor index
    shapes = {}
    model_input = model.inputs[0]
    produced[id(model_input)] = g.tensor(f"{model_input.name}:0" if model_input.name else "input:0",
                                         batch1(model_input.shape))
    shapes[id(model_input)] = batch1(model_input.shape)
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        nodes = [n for n in layer._inbound_nodes if all(id(t) in produced for t in n.input_tensors)]
        if len(nodes) != 1:
            raise ExportError(f"layer {layer.name}: used {len(nodes)} times in the graph (exactly 1 is supported)")
        node = nodes[0]
        if len(node.output_tensors) != 1:
            raise ExportError(f"layer {layer.name}: more than one output")
        in_shapes = [shapes[id(t)] for t in node.input_tensors]
        out_shape = batch1(node.output_tensors[0].shape)
        out = _layer(g, layer, [produced[id(t)] for t in node.input_tensors], in_shapes, out_shape)
        produced[id(node.output_tensors[0])] = out
        shapes[id(node.output_tensors[0])] = out_shape
    output = model.outputs[0]
    if id(output) not in produced:
        raise ExportError("the model output was not produced by any exported layer")
    return g, produced[id(model_input)], produced[id(output)]


def _string(s):
    b = s.encode("utf-8")
    if len(b) > 1024:
        raise ExportError(f"string too long: {s[:40]}...")
    return struct.pack("<H", len(b)) + b


def serialize(g, graph_input, graph_output):
    out = [b"EQFM", struct.pack("<HHIIII", 1, 0, len(g.tensors), len(g.nodes), graph_input, graph_output)]
    for name, shape, data in g.tensors:
        out.append(_string(name) + struct.pack("<BB", 0 if data is None else 1, len(shape))
                   + struct.pack(f"<{len(shape)}I", *shape))
        if data is not None:
            out.append(data.tobytes(order="C"))
    for name, op, inputs, outputs, attrs in g.nodes:
        rec = [_string(name), _string(op), struct.pack("<B", len(inputs)), struct.pack(f"<{len(inputs)}I", *inputs),
               struct.pack("<B", len(outputs)), struct.pack(f"<{len(outputs)}I", *outputs),
               struct.pack("<B", len(attrs))]
        for key, (kind, value) in attrs.items():
            rec.append(_string(key) + struct.pack("<B", kind))
            if kind == 0:
                rec.append(struct.pack("<q", value))
            elif kind == 1:
                rec.append(struct.pack("<f", value))
            elif kind == 2:
                rec.append(struct.pack(f"<B{len(value)}q", len(value), *value))
            else:
                rec.append(_string(value))
        out.append(b"".join(rec))
    body = b"".join(out)
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def export(model) -> bytes:
    g, graph_input, graph_output = build_graph(model)
    return serialize(g, graph_input, graph_output)
