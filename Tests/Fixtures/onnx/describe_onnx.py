"""What the onnx package reports about a (larger) ONNX file, compactly: nodes with attributes, initializers with
dims, element count, float64 sum and first 8 values. For files too big to list every weight in JSON.
Usage (pinned venv of Tools/onnx-proto):
  python describe_onnx.py ../import/torch_resnet18.onnx torch_resnet18.summary.json"""
import hashlib
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, __import__("os").path.dirname(__file__))
from make_onnx_fixtures import attribute_json, shape  # noqa: E402


def summary(path):
    model = onnx.load(path)
    graph = model.graph
    names = {t.name for t in graph.initializer}
    with open(path, "rb") as f:
        data = f.read()
    return {
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "ir_version": model.ir_version,
        "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
        "producer_name": model.producer_name,
        "inputs": [{"name": v.name, "elem_type": v.type.tensor_type.elem_type, "shape": shape(v)}
                   for v in graph.input if v.name not in names],
        "outputs": [{"name": v.name, "elem_type": v.type.tensor_type.elem_type, "shape": shape(v)}
                    for v in graph.output],
        "nodes": [{"name": n.name, "op_type": n.op_type, "inputs": list(n.input), "outputs": list(n.output),
                   "attributes": {a.name: attribute_json(a) for a in n.attribute}} for n in graph.node],
        "initializers": [{"name": t.name, "dims": list(t.dims), "data_type": t.data_type,
                          "count": int(numpy_helper.to_array(t).size),
                          "sum": float(numpy_helper.to_array(t).astype(np.float64).sum()),
                          "first": numpy_helper.to_array(t).flatten()[:8].tolist()} for t in graph.initializer],
    }


if __name__ == "__main__":
    with open(sys.argv[2], "w") as f:
        json.dump(summary(sys.argv[1]), f, indent=1)
        f.write("\n")
