"""The Keras fixtures of Tests/Fixtures/import (keras_convnet.keras, keras_resnet.keras) converted to ONNX by tf2onnx
as a user does (tf2onnx.convert.from_function on the loaded model, batch 1, opset 17), for ModelImportTests'
ONNXTorchParityTests: the converted graphs are compared with Keras's own outputs recorded in
Tests/Fixtures/import/<model>.keras.json, so no reference is stored here; the .json beside each file records how it
was made and what tf2onnx wrote (nodes), and onnxruntime's outputs on a seeded input as a check of the export.

tf2onnx is not in Tools/import-fixtures' pinned venv; it was added beside it without touching it:
    python -m pip install --target /tmp/tf2onnx-pkgs --no-deps tf2onnx==1.17.0
    PYTHONPATH=/tmp/tf2onnx-pkgs Tools/import-fixtures/.venv/bin/python Tests/Fixtures/onnx/tf2onnx/make_tf2onnx_fixtures.py
(its dependencies onnx, numpy, protobuf, flatbuffers, requests are in that venv)."""
import json
import os
import sys

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
import onnx  # noqa: E402
import onnxruntime  # noqa: E402
import tf2onnx  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
imports = os.path.join(here, "..", "..", "import")


def main():
    for name in ["keras_convnet", "keras_resnet"]:
        model = keras.models.load_model(os.path.join(imports, name + ".keras"))
        spec = (tf.TensorSpec((1,) + tuple(model.input_shape[1:]), tf.float32, name="input"),)

        @tf.function(input_signature=spec)
        def forward(x):
            return model(x, training=False)

        path = os.path.join(here, "tf2onnx_" + name + ".onnx")
        proto, _ = tf2onnx.convert.from_function(forward, input_signature=spec, opset=17, output_path=path)
        x = np.random.default_rng(17).random((1,) + tuple(model.input_shape[1:]), dtype=np.float32)
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        ort = session.run(None, {session.get_inputs()[0].name: x})[0]
        ref = model(x, training=False).numpy()
        record = {
            "file": os.path.basename(path),
            "source": f"Tests/Fixtures/import/{name}.keras (its .json holds Keras's outputs on 8 MNIST test images)",
            "made_by": f"tf2onnx {tf2onnx.__version__}: tf2onnx.convert.from_function(tf.function(model), "
                       f"input_signature=[TensorSpec((1, 28, 28, 1))], opset=17); tensorflow {tf.__version__}, "
                       f"keras {keras.__version__}, onnx {onnx.__version__}",
            "opset": next(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")),
            "nodes": [f"{n.op_type} {n.name}" for n in proto.graph.node],
            "onnxruntime_vs_keras_max_abs_diff": float(np.max(np.abs(ort - ref))),
        }
        with open(os.path.join(here, "tf2onnx_" + name + ".json"), "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
        print(f"{path}: {os.path.getsize(path)} bytes, onnxruntime vs keras {record['onnxruntime_vs_keras_max_abs_diff']:.2e}")


if __name__ == "__main__":
    main()
