#!/usr/bin/env bash
# Regenerates Sources/ModelImport/onnx.pb.swift from the onnx.proto that the pinned onnx wheel ships
# (requirements.txt beside this script). Run once per onnx upgrade, by hand; the build never runs it, and
# converting a model needs no Python. Needs: protoc (Debian's protobuf-compiler) and swift-protobuf's
# protoc-gen-swift of the version Package.swift resolves, built outside the repo, e.g.
#   git clone /opt/swift-packages/apple/swift-protobuf.git /tmp/sp && cd /tmp/sp && git checkout 1.39.0 \
#     && swift build -c release --product protoc-gen-swift          (about 10 minutes on 2 cores)
# Usage: PROTOC_GEN_SWIFT=/tmp/sp/.build/release/protoc-gen-swift Tools/onnx-proto/generate.sh
#
# The committed file was made with:
#   onnx 1.23.2: onnx/onnx.proto sha256 547214dd049486a4d5ecbae593e9c72d90b5e8d603944b722eff469e0b5a9cc9
#   protoc: libprotoc 3.21.12 (Debian bookworm protobuf-compiler)
#   protoc-gen-swift: 1.39.0
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
source "$root/Tools/venv.sh"
python="$(ensure_venv "$here")"
plugin="${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to a protoc-gen-swift binary (see the comment at the top)}"
proto_dir="$("$python" -c 'import os, onnx; print(os.path.dirname(onnx.__file__))')"
echo "onnx $("$python" -c 'import onnx; print(onnx.__version__)'): $(sha256sum "$proto_dir/onnx.proto")"
echo "$(protoc --version); protoc-gen-swift $("$plugin" --version)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Internal visibility: the generated types are ModelImport's own; ONNXModel is the public face.
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$proto_dir" --swift_out="$out" \
    --swift_opt=Visibility=Internal onnx.proto
mv "$out/onnx.pb.swift" "$root/Sources/ModelImport/onnx.pb.swift"
echo "wrote Sources/ModelImport/onnx.pb.swift"
