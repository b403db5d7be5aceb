"""A small, independent reader and float64 forward pass for model.bin (docs/model-format.md), in pure numpy.

It shares no code with the exporter: train.py uses it to prove that an exported file computes what Keras computes.

    graph = modelbin.load("Models/resnet-mnist.bin")
    values = modelbin.run(graph, image)          # image: [28, 28] or [1, 28, 28, 1] floats in [0, 1]
    logits = values[graph.logits]
"""

import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

OPS = {"Conv2D", "Dense", "BatchNormalization", "ReLU", "ReLU6", "MaxPool2D", "AveragePool2D",
       "GlobalAveragePool", "Add", "Flatten", "Softmax", "Dropout"}


@dataclass
class Tensor:
    name: str
    shape: tuple
    data: np.ndarray = None  # constants only

    @property
    def is_constant(self):
        return self.data is not None


@dataclass
class Node:
    name: str
    op: str
    inputs: list
    outputs: list
    attrs: dict = field(default_factory=dict)


@dataclass
class Graph:
    tensors: list
    nodes: list
    input: int
    output: int

    @property
    def logits(self):
        """The softmax's input when the graph ends in one, else the output (as FloatGraph.logits)."""
        last = self.nodes[-1]
        return last.inputs[0] if last.op == "Softmax" and last.outputs == [self.output] else self.output

    def index(self, name):
        return next(i for i, t in enumerate(self.tensors) if t.name == name)


class FormatError(Exception):
    pass


class _Cursor:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise FormatError(f"truncated at byte {self.pos}")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def string(self):
        n = self.take("<H")
        if n > 1024 or self.pos + n > len(self.data):
            raise FormatError(f"bad string at byte {self.pos}")
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s


def parse(data: bytes) -> Graph:
    if len(data) < 28 or data[:4] != b"EQFM":
        raise FormatError("bad magic")
    if zlib.crc32(data[:-4]) != struct.unpack("<I", data[-4:])[0]:
        raise FormatError("CRC mismatch")
    c = _Cursor(data[:-4])
    c.pos = 4
    major, minor, tensor_count, node_count, graph_input, graph_output = c.take("<HHIIII")
    if (major, minor) != (1, 0):
        raise FormatError(f"unsupported version {major}.{minor}")
    tensors = []
    for _ in range(tensor_count):
        name = c.string()
        kind, rank = c.take("<BB")
        shape = tuple(c.take("<" + "I" * rank)) if rank > 1 else (c.take("<I"),)
        tensor = Tensor(name, shape)
        if kind == 1:
            count = int(np.prod(shape))
            raw = c.data[c.pos:c.pos + 4 * count]
            if len(raw) != 4 * count:
                raise FormatError(f"truncated data of tensor {name}")
            c.pos += 4 * count
            tensor.data = np.frombuffer(raw, dtype="<f4").reshape(shape)
            if not np.all(np.isfinite(tensor.data)):
                raise FormatError(f"non-finite weight in {name}")
        tensors.append(tensor)
    nodes = []
    for _ in range(node_count):
        name, op = c.string(), c.string()
        if op not in OPS:
            raise FormatError(f"unknown op {op} in node {name}")
        inputs = [c.take("<I") for _ in range(c.take("<B"))]
        outputs = [c.take("<I") for _ in range(c.take("<B"))]
        attrs = {}
        for _ in range(c.take("<B")):
            key, kind = c.string(), c.take("<B")
            if kind == 0:
                attrs[key] = c.take("<q")
            elif kind == 1:
                attrs[key] = c.take("<f")
            elif kind == 2:
                attrs[key] = [c.take("<q") for _ in range(c.take("<B"))]
            elif kind == 3:
                attrs[key] = c.string()
            else:
                raise FormatError(f"bad attribute type {kind} in node {name}")
        nodes.append(Node(name, op, inputs, outputs, attrs))
    if c.pos != len(c.data):
        raise FormatError(f"{len(c.data) - c.pos} trailing bytes")
    return Graph(tensors, nodes, graph_input, graph_output)


def load(path) -> Graph:
    with open(path, "rb") as f:
        return parse(f.read())


# ---- forward pass (float64) ----------------------------------------------------------------------------------

def _same_padding(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def _windows(x, kh, kw, sh, sw, padding, fill):
    """x [H,W,C] -> patches [Ho,Wo,kh,kw,C], padded as TensorFlow with `fill`."""
    h, w, _ = x.shape
    if padding == "same":
        ho, top, bottom = _same_padding(h, kh, sh)
        wo, left, right = _same_padding(w, kw, sw)
        x = np.pad(x, ((top, bottom), (left, right), (0, 0)), constant_values=fill)
    else:
        ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    patches = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(0, 1))  # [H',W',C,kh,kw]
    return patches[::sh, ::sw][:ho, :wo].transpose(0, 1, 3, 4, 2)


def _activation(y, name):
    if name in (None, "none"):
        return y
    return np.maximum(y, 0) if name == "relu" else np.clip(y, 0, 6)


def _pool(x, attrs, reduce):
    ph, pw = attrs["pool_size"]
    sh, sw = attrs.get("strides", attrs["pool_size"])
    padding = attrs.get("padding", "valid")
    if reduce == "max":
        return _windows(x, ph, pw, sh, sw, padding, -np.inf).max(axis=(2, 3))
    sums = _windows(x, ph, pw, sh, sw, padding, 0.0).sum(axis=(2, 3))
    counts = _windows(np.ones(x.shape[:2] + (1,)), ph, pw, sh, sw, padding, 0.0).sum(axis=(2, 3))
    return sums / counts


def run(graph: Graph, image) -> dict:
    """Runs the graph on one image; returns {tensor index: value} with batch-1 shapes, in float64."""
    values = {graph.input: np.asarray(image, dtype=np.float64).reshape(graph.tensors[graph.input].shape)}
    for i, t in enumerate(graph.tensors):
        if t.is_constant:
            values[i] = t.data.astype(np.float64)
    for node in graph.nodes:
        ins = [values[i] for i in node.inputs]
        a = node.attrs
        x = ins[0]
        if node.op == "Conv2D":
            kernel = ins[1]
            kh, kw = kernel.shape[:2]
            sh, sw = a.get("strides", [1, 1])
            patches = _windows(x[0], kh, kw, sh, sw, a.get("padding", "valid"), 0.0)
            y = np.tensordot(patches, kernel, axes=3)[None]
            if len(ins) > 2:
                y = y + ins[2]
            y = _activation(y, a.get("activation"))
        elif node.op == "Dense":
            y = x @ ins[1] + (ins[2] if len(ins) > 2 else 0)
            y = _activation(y, a.get("activation"))
        elif node.op == "BatchNormalization":
            gamma, beta, mean, var = ins[1:]
            y = gamma * (x - mean) / np.sqrt(var + np.float64(np.float32(a.get("epsilon", 0.001)))) + beta
        elif node.op == "ReLU":
            y = np.maximum(x, 0)
        elif node.op == "ReLU6":
            y = np.clip(x, 0, 6)
        elif node.op == "MaxPool2D":
            y = _pool(x[0], a, "max")[None]
        elif node.op == "AveragePool2D":
            y = _pool(x[0], a, "avg")[None]
        elif node.op == "GlobalAveragePool":
            y = x.mean(axis=(1, 2))
        elif node.op == "Add":
            y = _activation(ins[0] + ins[1], a.get("activation"))
        elif node.op == "Flatten":
            y = x.reshape(1, -1)
        elif node.op == "Softmax":
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            y = e / e.sum(axis=-1, keepdims=True)
        elif node.op == "Dropout":
            y = x
        out = node.outputs[0]
        if tuple(y.shape) != tuple(graph.tensors[out].shape):
            raise FormatError(f"node {node.name}: computed shape {y.shape}, stored {graph.tensors[out].shape}")
        values[out] = y
    return values


# ---- statistics -----------------------------------------------------------------------------------------------

def node_stats(graph: Graph):
    """Per node: (name, op, output shape, parameters, MACs)."""
    rows = []
    for node in graph.nodes:
        params = sum(graph.tensors[i].data.size for i in node.inputs if graph.tensors[i].is_constant)
        out_shape = graph.tensors[node.outputs[0]].shape
        macs = 0
        if node.op == "Conv2D":
            kh, kw, cin, _ = graph.tensors[node.inputs[1]].shape
            macs = int(np.prod(out_shape)) * kh * kw * cin
        elif node.op == "Dense":
            macs = int(np.prod(graph.tensors[node.inputs[1]].shape))
        rows.append((node.name, node.op, out_shape, params, macs))
    return rows


def activation_peak(graph: Graph):
    """Int8 activation peak, 1 byte per element: the largest, over nodes in order, of the bytes of every activation
    live at that node (produced earlier and read by this node or a later one, residual shortcuts included) plus the
    node's outputs. Returns (bytes, node name)."""
    last_use = {}
    for step, node in enumerate(graph.nodes):
        for i in node.inputs:
            if not graph.tensors[i].is_constant:
                last_use[i] = step
    size = lambda i: int(np.prod(graph.tensors[i].shape))
    available = {graph.input}
    best = (0, None)
    for step, node in enumerate(graph.nodes):
        live = {i for i in available if last_use.get(i, -1) >= step} | set(node.outputs)
        best = max(best, (sum(size(i) for i in live), node.name), key=lambda b: b[0])
        available |= set(node.outputs)
    return best
