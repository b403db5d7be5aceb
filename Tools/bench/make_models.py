#!/usr/bin/env python3
"""Writes the cost model's extra models as model.bin files (docs/model-format.md), with seeded, reproducible
random weights: their accuracy is irrelevant, only their shapes (and so their instruction counts) matter.

    make_models.py OUT_DIR [--seed 1] [--only NAME[,NAME...]]

- keras-convnet.bin: keras.io's "Simple MNIST convnet" (28x28x1: Conv2D 32 3x3 relu, MaxPool 2x2, Conv2D 64 3x3
  relu, MaxPool 2x2, Flatten, Dropout 0.5, Dense 10 softmax).
- resnet8.bin: MLPerf Tiny's image-classification ResNet-8 at 32x32x3 (Conv 16 3x3 + BN + ReLU; stack 1: two 3x3
  16-filter convs with BN, identity add, ReLU; stacks 2 and 3: 3x3 stride-2 then 3x3 convs of 32 and 64 filters
  with BN and a 1x1 stride-2 projection shortcut; AveragePooling 8x8, Flatten, Dense 10 softmax): layer for layer
  `resnet_v1_eembc()` of mlcommons/tiny benchmark/training/image_classification/keras_model.py (commit bceb91c5ad2e,
  num_filters 16/32/64, 'same' padding throughout, add([shortcut, y]) then ReLU). 12,501,632 MACs; 78,666
  parameters (78,186 trainable: BatchNorm's moving mean and variance are not). `--summary` prints both.
- pool-bench-a.bin, pool-bench-b.bin: pools and Mean that stand alone (no conv feeds a max pool that could fuse
  into it), at several sizes, so the fit prices max_pool2d, average_pool2d and mean from their own measurements.

Weights: He-normal convs and dense layers, BatchNorm gamma in [0.5, 1.5], beta, mean ~ N(0, 0.1), variance in
[0.5, 1.5], all from Python's random.Random(seed): the same seed writes the same bytes. Standard library only."""
import argparse, math, os, random, struct, sys, tempfile, zlib


class Graph:
    """A model.bin graph under construction: tensors (name, shape, data) and nodes in execution order."""

    def __init__(self, name, shape, seed):
        self.name, self.rng = name, random.Random(f"{name}-{seed}")
        self.tensors, self.nodes = [], []
        self.input = self.tensor("input", [1] + shape)

    def tensor(self, name, shape, data=None):
        self.tensors.append((name, [int(d) for d in shape], data))
        return len(self.tensors) - 1

    def shape(self, t):
        return self.tensors[t][1]

    def node(self, name, op, inputs, shape, attrs=None):
        out = self.tensor(f"{name}:0", shape)
        self.nodes.append((name, op, inputs, [out], attrs or {}))
        return out

    def constant(self, name, shape, values):
        return self.tensor(name, shape, [float(v) for v in values])

    @staticmethod
    def window(size, k, s, padding):
        return -(-size // s) if padding == "same" else (size - k) // s + 1

    def conv(self, name, x, filters, k, stride=1, padding="same", relu=False):
        _, h, w, cin = self.shape(x)
        std = math.sqrt(2.0 / (k * k * cin))
        kernel = self.constant(f"{name}/kernel", [k, k, cin, filters],
                               (self.rng.gauss(0, std) for _ in range(k * k * cin * filters)))
        bias = self.constant(f"{name}/bias", [filters], (self.rng.gauss(0, 0.05) for _ in range(filters)))
        y = self.node(name, "Conv2D", [x, kernel, bias],
                      [1, self.window(h, k, stride, padding), self.window(w, k, stride, padding), filters],
                      {"strides": (2, [stride, stride]), "padding": (3, padding)})
        return self.node(f"{name}_relu", "ReLU", [y], self.shape(y)) if relu else y

    def batch_norm(self, name, x, relu=False):
        c = self.shape(x)[-1]
        params = [self.constant(f"{name}/gamma", [c], (self.rng.uniform(0.5, 1.5) for _ in range(c))),
                  self.constant(f"{name}/beta", [c], (self.rng.gauss(0, 0.1) for _ in range(c))),
                  self.constant(f"{name}/moving_mean", [c], (self.rng.gauss(0, 0.1) for _ in range(c))),
                  self.constant(f"{name}/moving_variance", [c], (self.rng.uniform(0.5, 1.5) for _ in range(c)))]
        y = self.node(name, "BatchNormalization", [x] + params, self.shape(x), {"epsilon": (1, 0.001)})
        return self.node(f"{name}_relu", "ReLU", [y], self.shape(y)) if relu else y

    def pool(self, name, op, x, k, stride, padding="valid"):
        _, h, w, c = self.shape(x)
        return self.node(name, op, [x], [1, self.window(h, k, stride, padding), self.window(w, k, stride, padding), c],
                         {"pool_size": (2, [k, k]), "strides": (2, [stride, stride]), "padding": (3, padding)})

    def add(self, name, a, b, relu=False):
        y = self.node(name, "Add", [a, b], self.shape(a))
        return self.node(f"{name}_relu", "ReLU", [y], self.shape(y)) if relu else y

    def classifier(self, x, classes=10, dropout=None):
        shape = self.shape(x)
        if len(shape) == 4:
            x = self.node("flatten", "Flatten", [x], [1, shape[1] * shape[2] * shape[3]])
        if dropout:
            x = self.node("dropout", "Dropout", [x], self.shape(x), {"rate": (1, dropout)})
        n = self.shape(x)[1]
        std = math.sqrt(2.0 / n)
        kernel = self.constant("dense/kernel", [n, classes], (self.rng.gauss(0, std) for _ in range(n * classes)))
        bias = self.constant("dense/bias", [classes], (self.rng.gauss(0, 0.05) for _ in range(classes)))
        logits = self.node("logits", "Dense", [x, kernel, bias], [1, classes])
        return self.node("softmax", "Softmax", [logits], [1, classes])

    def summary(self):
        """(MACs, parameters, trainable parameters) as Keras counts them: Conv2D and Dense multiply-accumulates per
        output element times outputs; every constant tensor is a parameter, BatchNorm's moving statistics untrainable."""
        macs = 0
        for _, op, inputs, outputs, _ in self.nodes:
            if op in ("Conv2D", "Dense"):
                kernel = self.shape(inputs[1])
                per_output = kernel[0] if op == "Dense" else kernel[0] * kernel[1] * kernel[2]
                out = self.shape(outputs[0])
                count = 1
                for d in out:
                    count *= d
                macs += per_output * count
        parameters = trainable = 0
        for name, shape, data in self.tensors:
            if data is None:
                continue
            parameters += len(data)
            if not name.endswith(("/moving_mean", "/moving_variance")):
                trainable += len(data)
        return macs, parameters, trainable

    def serialize(self, output):
        def string(s):
            b = s.encode()
            return struct.pack("<H", len(b)) + b
        out = [b"EQFM", struct.pack("<HHIIII", 1, 0, len(self.tensors), len(self.nodes), self.input, output)]
        for name, shape, data in self.tensors:
            out.append(string(name) + struct.pack(f"<BB{len(shape)}I", 0 if data is None else 1, len(shape), *shape))
            if data is not None:
                out.append(struct.pack(f"<{len(data)}f", *data))
        for name, op, inputs, outputs, attrs in self.nodes:
            out.append(string(name) + string(op) + struct.pack(f"<B{len(inputs)}I", len(inputs), *inputs)
                       + struct.pack(f"<B{len(outputs)}I", len(outputs), *outputs) + struct.pack("<B", len(attrs)))
            for key, (kind, value) in attrs.items():
                out.append(string(key) + struct.pack("<B", kind))
                if kind == 1:
                    out.append(struct.pack("<f", value))
                elif kind == 2:
                    out.append(struct.pack(f"<B{len(value)}q", len(value), *value))
                else:
                    out.append(string(value))
        body = b"".join(out)
        return body + struct.pack("<I", zlib.crc32(body))


def keras_convnet(seed):
    g = Graph("keras-convnet", [28, 28, 1], seed)
    x = g.conv("conv1", g.input, 32, 3, padding="valid", relu=True)
    x = g.pool("pool1", "MaxPool2D", x, 2, 2)
    x = g.conv("conv2", x, 64, 3, padding="valid", relu=True)
    x = g.pool("pool2", "MaxPool2D", x, 2, 2)
    return g, g.classifier(x, dropout=0.5)


def resnet8(seed):
    g = Graph("resnet8", [32, 32, 3], seed)
    x = g.batch_norm("bn0", g.conv("conv0", g.input, 16, 3), relu=True)
    # Stack 1: identity shortcut.
    y = g.batch_norm("s1_bn1", g.conv("s1_conv1", x, 16, 3), relu=True)
    y = g.batch_norm("s1_bn2", g.conv("s1_conv2", y, 16, 3))
    x = g.add("s1_add", x, y, relu=True)
    # Stacks 2 and 3: stride-2 3x3, then 3x3, with a 1x1 stride-2 projection shortcut.
    for stack, filters in ((2, 32), (3, 64)):
        y = g.batch_norm(f"s{stack}_bn1", g.conv(f"s{stack}_conv1", x, filters, 3, stride=2), relu=True)
        y = g.batch_norm(f"s{stack}_bn2", g.conv(f"s{stack}_conv2", y, filters, 3))
        shortcut = g.conv(f"s{stack}_proj", x, filters, 1, stride=2)
        x = g.add(f"s{stack}_add", shortcut, y, relu=True)
    x = g.pool("pool", "AveragePool2D", x, 8, 8)
    return g, g.classifier(x)


def pool_bench_a(seed):
    g = Graph("pool-bench-a", [32, 32, 3], seed)
    x = g.conv("widen1", g.input, 16, 1, relu=True)
    x = g.pool("max3s1", "MaxPool2D", x, 3, 1, "same")       # 32x32x16, overlapping: never fused
    x = g.pool("avg3s2", "AveragePool2D", x, 3, 2, "same")   # 16x16x16
    x = g.pool("max2s2", "MaxPool2D", x, 2, 2)               # 8x8x16, after a pool: nothing to fuse into
    x = g.pool("avg2s1", "AveragePool2D", x, 2, 1)           # 7x7x16
    x = g.conv("widen2", x, 48, 1, relu=True)
    x = g.pool("max3s2", "MaxPool2D", x, 3, 2)               # 3x3x48
    x = g.pool("avg3s1", "AveragePool2D", x, 3, 1, "same")   # 3x3x48
    x = g.node("mean", "GlobalAveragePool", [x], [1, 48])
    return g, g.classifier(x)


def pool_bench_b(seed):
    g = Graph("pool-bench-b", [28, 28, 1], seed)
    x = g.conv("widen1", g.input, 8, 1, relu=True)
    x = g.pool("avg2s2", "AveragePool2D", x, 2, 2)           # 14x14x8
    x = g.pool("max3s1", "MaxPool2D", x, 3, 1)               # 12x12x8
    x = g.conv("widen2", x, 32, 1, relu=True)
    x = g.pool("avg5s1", "AveragePool2D", x, 5, 1, "same")   # 12x12x32
    x = g.pool("max2s2", "MaxPool2D", x, 2, 2, "same")       # 6x6x32
    x = g.node("mean", "GlobalAveragePool", [x], [1, 32])
    return g, g.classifier(x)


MODELS = {"keras-convnet": keras_convnet, "resnet8": resnet8, "pool-bench-a": pool_bench_a,
          "pool-bench-b": pool_bench_b}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to write <name>.bin into")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated model names to write (default: all)")
    parser.add_argument("--summary", action="store_true",
                        help="also print each model's MACs (Conv2D and Dense multiply-accumulates) and parameters")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.out):
        sys.exit(f"Error: {args.out}: no such folder")
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"Error: --only {','.join(unknown)}: unknown model (known: {', '.join(MODELS)})")
    for name in names:
        build = MODELS[name]
        graph, output = build(args.seed)
        path = os.path.join(args.out, f"{name}.bin")
        with tempfile.NamedTemporaryFile("wb", dir=args.out, delete=False, suffix=".tmp") as f:
            f.write(graph.serialize(output))
        os.replace(f.name, path)
        print(path)
        if args.summary:
            macs, parameters, trainable = graph.summary()
            print(f"{name}: {macs:,} MACs, {parameters:,} parameters ({trainable:,} trainable)")


if __name__ == "__main__":
    main(sys.argv[1:])
