"""torch models exported to ONNX (run by make_fixtures.py --framework torch)."""

import contextlib
import io
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from torchvision.models.resnet import BasicBlock, ResNet  # noqa: E402
import onnx  # noqa: E402
import onnxruntime  # noqa: E402
import onnxscript  # noqa: E402

from make_fixtures import (MNIST_MEAN, MNIST_STD, N_SAMPLES, PREP_TORCH_NORMALIZED, PREP_TORCH_PAD32,  # noqa: E402
                           accuracy, file_record, floats, prep_nchw_normalized, prep_nchw_pad32,
                           sample_record, write_json)

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.use_deterministic_algorithms(True)

OPSET = 17
VERSIONS = {
    "python": sys.version.split()[0],
    "torch": torch.__version__,
    "torchvision": torchvision.__version__,
    "onnx": onnx.__version__,
    "onnxscript": onnxscript.__version__,
    "onnxruntime": onnxruntime.__version__,
    "numpy": np.__version__,
}


class NarrowResNet(ResNet):
    """torchvision's ResNet class with BasicBlock [2, 2, 2, 2] (ResNet-18) and every width divided by `div`,
    adapted to 1-channel digits the way users adapt resnet18(): conv1 replaced by a 1-input-channel conv and
    fc by a 10-way Linear. The blocks, downsample shortcuts and forward() are torchvision's own."""

    def __init__(self, div=16, num_classes=10):
        self._div = div
        self._narrowed = False
        super().__init__(BasicBlock, [2, 2, 2, 2], num_classes=num_classes)
        width = 64 // div
        self.conv1 = torch.nn.Conv2d(1, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(width)
        self.fc = torch.nn.Linear(512 // div * BasicBlock.expansion, num_classes)
        torch.nn.init.kaiming_normal_(self.conv1.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        if not self._narrowed:   # ResNet.__init__ set inplanes = 64 for the stem it builds
            self.inplanes = 64 // self._div
            self._narrowed = True
        return super()._make_layer(block, planes // self._div, blocks, stride, dilate)


class VGG32(torch.nn.Module):
    """VGG-style: three blocks of two 3x3 convs + ReLU and a 2x2 max pool, then two Linear layers."""

    def __init__(self, num_classes=10):
        super().__init__()
        def stage(cin, cout):
            return [torch.nn.Conv2d(cin, cout, 3, padding=1), torch.nn.ReLU(inplace=True),
                    torch.nn.Conv2d(cout, cout, 3, padding=1), torch.nn.ReLU(inplace=True),
                    torch.nn.MaxPool2d(2, 2)]
        self.features = torch.nn.Sequential(*stage(1, 8), *stage(8, 16), *stage(16, 32))   # 32 -> 4
        self.classifier = torch.nn.Sequential(
            torch.nn.Linear(32 * 4 * 4, 32), torch.nn.ReLU(inplace=True), torch.nn.Dropout(0.5),
            torch.nn.Linear(32, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)   # C-H-W order
        return self.classifier(x)


TORCH_MODELS = {
    # name: (builder, seed, epochs, preprocessing function, description)
    "torch_resnet18": (lambda: NarrowResNet(div=16), 1301, 3, prep_nchw_normalized, PREP_TORCH_NORMALIZED),
    "torch_vgg32": (VGG32, 1302, 2, prep_nchw_pad32, PREP_TORCH_PAD32),
}


def make(name, mnist, out: Path, log):
    builder, seed, epochs, prep, prep_desc = TORCH_MODELS[name]
    torch.manual_seed(seed)
    model = builder()
    train_x, train_y = mnist["train"]
    test_x, test_y = mnist["t10k"]
    x_all = torch.from_numpy(prep(train_x))
    y_all = torch.from_numpy(train_y)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    t0 = time.time()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x_all), generator=gen)
        for i in range(0, len(order), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_all[idx]), y_all[idx])
            loss.backward()
            opt.step()
    model.eval()
    log(f"{name}: trained {epochs} epochs in {time.time() - t0:.0f} s")

    def predict(x):
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()
    acc = accuracy(predict, test_x, test_y, prep)
    samples = prep(test_x[:N_SAMPLES])
    outputs = predict(samples)
    log(f"{name}: test accuracy {acc['accuracy']:.4f}")
    training = {"epochs": epochs, "batch_size": 128, "optimizer": "Adam(lr=1e-3)", "loss": "cross_entropy",
                "train_images": int(len(train_x)), "seed": seed, "shuffle": "torch.randperm per epoch"}

    exports = [(name + ".onnx", {"dynamo": True},
                f'torch.onnx.export(model, (x,), "{name}.onnx", input_names=["input"], '
                f'output_names=["logits"], opset_version={OPSET}, external_data=False)  # default exporter')]
    if name == "torch_vgg32":
        exports.append((name + "_legacy.onnx",
                        {"dynamo": False, "dynamic_axes": {"input": {0: "batch"}, "logits": {0: "batch"}}},
                        f'torch.onnx.export(model, (x,), "{name}_legacy.onnx", input_names=["input"], '
                        f'output_names=["logits"], opset_version={OPSET}, dynamo=False, '
                        'dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})  # TorchScript exporter'))
    x = torch.from_numpy(samples[:1])
    for filename, options, how in exports:
        path = out / filename
        kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=OPSET, **options)
        if options["dynamo"]:
            kwargs["external_data"] = False
        before = set(out.iterdir())
        chatter = io.StringIO()
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x,), str(path), **kwargs)
        m = onnx.load(str(path), load_external_data=False)
        onnx.checker.check_model(m)
        external = [t.name for t in m.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
        extra_files = sorted(p.name for p in set(out.iterdir()) - before - {path})
        if external or extra_files:
            raise SystemExit(f"{path}: has external data ({external[:3]}, new files {extra_files})")
        opsets = {o.domain or "ai.onnx": int(o.version) for o in m.opset_import}
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        ort = np.concatenate([session.run(None, {session.get_inputs()[0].name: samples[i:i + 1]})[0]
                              for i in range(N_SAMPLES)])
        record = {
            **file_record(path),
            "producer": f"torch {torch.__version__} (torchvision {torchvision.__version__}): {how}",
            "exporter": "torch.export-based (dynamo=True, the default)" if options["dynamo"]
                        else "TorchScript-based (dynamo=False)",
            "opset_requested": OPSET,
            "opset_import": opsets,
            "ir_version": int(m.ir_version),
            "external_data": False,
            "model": name, "parameters": int(sum(p.numel() for p in model.parameters())),
            "input": {"name": session.get_inputs()[0].name, "shape": list(session.get_inputs()[0].shape),
                      "dtype": "float32"},
            "preprocessing": prep_desc,
            "output_kind": "logits",
            "training": training,
            "test_accuracy": acc,
            "samples": sample_record(mnist),
            "outputs_from": "the trained torch model in eval mode (batch of all samples, torch.no_grad)",
            "outputs": floats(outputs),
            "onnxruntime_max_abs_diff": float(np.max(np.abs(ort - outputs))),
            "predictions": [int(v) for v in np.argmax(outputs, axis=1)],
            "versions": VERSIONS,
        }
        if opsets.get("ai.onnx") != OPSET:
            record["opset_note"] = (
                f"asked for opset {OPSET}, the file has {opsets.get('ai.onnx')}: the exporter logged "
                "'Setting ONNX exporter to use operator set version 18 because the requested opset_version 17 is "
                "a lower version than we have implementations for. Automatic version conversion will be "
                "performed ... If version conversion is unsuccessful, the opset version of the exported model "
                "will be kept at 18'" if "Setting ONNX exporter to use operator set version" in chatter.getvalue()
                else f"asked for opset {OPSET}, the file has {opsets.get('ai.onnx')}")
        if prep_desc["std"] != 1.0:
            record["input_normalization"] = {
                "mean": MNIST_MEAN, "std": MNIST_STD,
                "note": "not recorded in the ONNX file: give it at conversion (x = (pixel/255 - mean) / std)"}
        write_json(out / (filename + ".json"), record)
        log(f"{filename}: {path.stat().st_size} bytes, opsets {opsets}, "
            f"onnxruntime max |diff| {record['onnxruntime_max_abs_diff']:.2e}")
    return acc
