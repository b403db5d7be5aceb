"""Prints TFLite Micro's own arena for .tflite files: `print_allocations()` of an interpreter with the default
configuration (head: what its GreedyMemoryPlanner lays out; tail: persistent structs and op data).

Usage (Tools/tflm's venv, or any with the pinned tflite-micro wheel):
  python Tools/tflm/arena_of.py Tests/Fixtures/import/keras_convnet_int8.tflite ...
"""
import ctypes
import os
import re
import sys
import tempfile

from tflite_micro.python.tflite_micro import runtime as tflm


def allocations(flatbuffer, arena_size=1 << 20):
    """head, tail and total (bytes) as the interpreter's print_allocations() states them, its output caught."""
    interp = tflm.Interpreter.from_bytes(flatbuffer, arena_size=arena_size)
    with tempfile.TemporaryFile() as sink:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = [os.dup(1), os.dup(2)]
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            interp.print_allocations()
            ctypes.CDLL(None).fflush(None)   # the C++ side prints through stdio's buffers
        finally:
            for fd, old in ((1, saved[0]), (2, saved[1])):
                os.dup2(old, fd)
                os.close(old)
        sink.seek(0)
        text = sink.read().decode(errors="replace")
    return {key: int(m.group(1)) for key in ("head", "tail", "total")
            if (m := re.search(rf"Arena allocation {key} (\d+) bytes", text))}, text


def arena(path):
    with open(path, "rb") as f:
        return allocations(f.read())[0]


if __name__ == "__main__":
    for path in sys.argv[1:]:
        a = arena(path)
        print(f"{os.path.basename(path)}: head {a['head']} B, tail {a['tail']} B, total {a['total']} B")
