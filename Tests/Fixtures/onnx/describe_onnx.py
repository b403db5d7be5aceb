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
from make_onnx_fixtures import describe  # noqa: E402


def summarized(t):
    array = numpy_helper.to_array(t)
    return {"count": int(array.size), "sum": float(array.astype(np.float64).sum()), "first": array.flatten()[:8].tolist()}


def summary(path):
    with open(path, "rb") as f:
        data = f.read()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            **describe(onnx.load_from_string(data), summarized)}


if __name__ == "__main__":
    with open(sys.argv[2], "w") as f:
        json.dump(summary(sys.argv[1]), f, indent=1)
        f.write("\n")
