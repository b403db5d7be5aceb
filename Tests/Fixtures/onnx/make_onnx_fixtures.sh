#!/usr/bin/env bash
# Writes the tiny ONNX fixtures beside this script with the onnx package's helper API (pinned venv of
# Tools/onnx-proto), and for each a .json of what the onnx package reports about it (ModelImportTests compare).
# Usage: Tests/Fixtures/onnx/make_onnx_fixtures.sh     (deterministic: same bytes every run)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../../Tools/venv.sh"
python="$(ensure_venv "$here/../../../Tools/onnx-proto")"
"$python" "$here/make_onnx_fixtures.py" "$here"
