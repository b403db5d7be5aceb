#!/usr/bin/env python3
"""Checks Tests/Fixtures/import/ against itself and MNIST, with the standard library only (no venv needed):
every <file>.json names a file that exists with that size and sha256, its sample CRC-32s and labels are those of
the first MNIST test images, its outputs have one row of 10 per sample, its predictions are their argmax, and the
model files stay small. Prints one line per problem and 'N passed, N failed'; exits non-zero on any failure.

    python3 Tools/import-fixtures/check_fixtures.py [FIXTURES_DIR] [--mnist DIR]
"""

import argparse
import gzip
import hashlib
import json
import sys
import zlib
from pathlib import Path

MAX_FILE_BYTES = 300 * 1024      # a committed model file
MAX_TOTAL_BYTES = 2 * 1024 * 1024


def first_test_images(mnist: Path, n: int):
    images = mnist / "t10k-images-idx3-ubyte.gz"
    labels = mnist / "t10k-labels-idx1-ubyte.gz"
    def read(path: Path, header: int, size: int):
        opener, p = (gzip.open, path) if path.exists() else (open, path.with_suffix(""))
        with opener(p, "rb") as f:
            data = f.read(header + size)
        return data[header:]
    pixels = read(images, 16, n * 784)
    return [pixels[i * 784:(i + 1) * 784] for i in range(n)], list(read(labels, 8, n))


def argmax(row):
    return max(range(len(row)), key=lambda i: row[i])


def check(meta: Path, mnist: Path):
    problems = []
    r = json.loads(meta.read_text())
    model = meta.with_name(r["file"])
    if meta.name != r["file"] + ".json":
        problems.append(f"names {r['file']}")
    if not model.exists():
        return problems + [f"{r['file']} is missing"]
    data = model.read_bytes()
    if len(data) != r["bytes"] or hashlib.sha256(data).hexdigest() != r["sha256"]:
        problems.append(f"{r['file']}: size or sha256 differs from the JSON (file changed since it was made)")
    if len(data) > MAX_FILE_BYTES:
        problems.append(f"{r['file']}: {len(data)} bytes, over {MAX_FILE_BYTES}")
    s = r["samples"]
    n = len(s["pixels_crc32"])
    if mnist is not None:
        images, labels = first_test_images(mnist, n)
        if [zlib.crc32(img) for img in images] != s["pixels_crc32"]:
            problems.append("pixels_crc32 are not those of the first MNIST test images")
        if labels != s["labels"]:
            problems.append("labels are not those of the first MNIST test images")
    rows = r.get("outputs") or r.get("tflm_outputs_int8")
    if rows is None or len(rows) != n or any(len(row) != 10 for row in rows):
        problems.append(f"outputs: want {n} rows of 10")
    elif [argmax(row) for row in rows] != r["predictions"]:
        problems.append("predictions are not the argmax of the outputs")
    if sum(p == l for p, l in zip(r["predictions"], s["labels"])) < n - 1:
        problems.append(f"predictions {r['predictions']} vs labels {s['labels']}: more than one wrong")
    acc = r["test_accuracy"]
    if acc["images"] != 10000 or not 0.9 <= acc["accuracy"] <= 1.0 or acc["correct"] != round(acc["accuracy"] * 10000):
        problems.append(f"test_accuracy {acc}")
    return problems


def main():
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=here.parent.parent / "Tests" / "Fixtures" / "import")
    parser.add_argument("--mnist", type=Path, default=here.parent.parent.parent / "shared" / "data" / "mnist")
    args = parser.parse_args()
    mnist = args.mnist if (args.mnist / "t10k-images-idx3-ubyte.gz").exists() or \
        (args.mnist / "t10k-images-idx3-ubyte").exists() else None
    if mnist is None:
        print(f"check_fixtures: no MNIST in {args.mnist}: pixel CRCs and labels not checked")
    passed = failed = total = 0
    metas = sorted(args.dir.glob("*.json"))
    for meta in metas:
        problems = check(meta, mnist)
        total += json.loads(meta.read_text())["bytes"]
        for p in problems:
            print(f"{meta}: {p}")
        passed, failed = passed + (not problems), failed + bool(problems)
    if total > MAX_TOTAL_BYTES:
        print(f"{args.dir}: model files total {total} bytes, over {MAX_TOTAL_BYTES}")
        failed += 1
    if not metas:
        print(f"{args.dir}: no fixtures")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
